package bench

import (
	"syscall"
	"time"
)

// ThreadCPU returns the CPU time (user and system) the calling OS thread
// has used, and true. Pin the goroutine with runtime.LockOSThread first, so
// the thread's time is the goroutine's.
func ThreadCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_THREAD, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

// ProcessCPU returns the CPU time (user and system) the whole process has
// used, its goroutines in the background included, and true.
func ProcessCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
