//go:build unix

package model

import "syscall"

// cpuSeconds returns the process's user+system CPU time, so that benchmarks can report throughput
// per CPU-second, which is much less sensitive than wall time to other processes on a shared machine.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
