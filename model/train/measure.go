package train

import (
	"time"
)

// GemmGFLOPS measures the training matrix multiply on an [m, k]·[k, n] product for about d and
// returns its rate in GFLOP/s: the peak a training step can reach on this machine.
func GemmGFLOPS(m, n, k int, d time.Duration) float64 {
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for i := range a {
		a[i] = float32(i%7) - 3
	}
	for i := range b {
		b[i] = float32(i%5) - 2
	}
	gemm(false, m, n, k, a, k, b, n, c, n) // warm-up
	start, reps := time.Now(), 0
	for time.Since(start) < d {
		gemm(false, m, n, k, a, k, b, n, c, n)
		reps++
	}
	return 2 * float64(m*n*k) * float64(reps) / time.Since(start).Seconds() / 1e9
}

// MemoryBandwidthGBs measures memory bandwidth by copying a buffer of the given size (split over
// GOMAXPROCS goroutines) for about d, counting the bytes read and written, in GB/s.
func MemoryBandwidthGBs(bytes int, d time.Duration) float64 {
	src, dst := make([]byte, bytes), make([]byte, bytes)
	for i := range src {
		src[i] = byte(i)
	}
	const chunk = 1 << 16
	start, reps := time.Now(), 0
	for time.Since(start) < d {
		parallelFor(bytes/chunk, 2, func(lo, hi int) {
			copy(dst[lo*chunk:hi*chunk], src[lo*chunk:hi*chunk])
		})
		reps++
	}
	return 2 * float64(bytes) * float64(reps) / time.Since(start).Seconds() / 1e9
}
