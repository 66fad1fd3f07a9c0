//go:build unix

package main

import "syscall"

// cpuSeconds returns the process's user+system CPU time (0 where unavailable): throughput per
// CPU-second is much less sensitive than wall time to other processes on a shared machine.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
