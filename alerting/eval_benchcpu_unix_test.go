//go:build unix

package alerting

import (
	"syscall"
	"time"
)

// benchCPU returns the CPU time the process has used, user and system,
// for benchmarks to report next to wall time, which the load of a shared
// machine distorts more.
func benchCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
