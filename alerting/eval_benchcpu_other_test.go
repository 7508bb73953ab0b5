//go:build !unix

package alerting

import "time"

// benchCPU reports that the process' CPU time is not known here.
func benchCPU() (time.Duration, bool) { return 0, false }
