//go:build unix

package train

import "syscall"

// cpuSeconds returns the process's user+system CPU time: benchmarks report throughput per
// CPU-second, much less sensitive than wall time to other processes on a shared machine.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
