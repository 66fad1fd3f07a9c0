//go:build !unix

package model

// cpuSeconds is unavailable here; benchmarks then report wall-time throughput only.
func cpuSeconds() float64 { return 0 }
