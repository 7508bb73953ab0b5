//go:build !linux

package bench

import "time"

// ThreadCPU returns false: per-thread CPU time is read only on Linux.
func ThreadCPU() (time.Duration, bool) { return 0, false }

// ProcessCPU returns false: it is read only on Linux.
func ProcessCPU() (time.Duration, bool) { return 0, false }
