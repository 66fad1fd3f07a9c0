package train

import (
	"time"
)

// GemmGFLOPS measures the training matrix multiply on an [m, k]·[k, n] product, repeated for
// about d, and returns the best single product's rate in GFLOP/s: the peak a training step can
// reach on this machine (the best, so that other processes on a shared machine lower it less).
func GemmGFLOPS(m, n, k int, d time.Duration) float64 {
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for i := range a {
		a[i] = float32(i%7) - 3
	}
	for i := range b {
		b[i] = float32(i%5) - 2
	}
	return best(d, 2*float64(m*n*k)/1e9, func() { gemm(false, m, n, k, a, k, b, n, c, n) })
}

// MemoryBandwidthGBs measures memory bandwidth by copying a buffer of the given size (split over
// GOMAXPROCS goroutines), repeated for about d, counting the bytes read and written, and returns
// the best copy's rate in GB/s.
func MemoryBandwidthGBs(bytes int, d time.Duration) float64 {
	src, dst := make([]byte, bytes), make([]byte, bytes)
	for i := range src {
		src[i] = byte(i)
	}
	const chunk = 1 << 16
	return best(d, 2*float64(bytes)/1e9, func() {
		parallelFor(bytes/chunk, 2, func(lo, hi int) {
			copy(dst[lo*chunk:hi*chunk], src[lo*chunk:hi*chunk])
		})
	})
}

// best runs f (one warm-up, then repeatedly for about d) and returns work / (fastest run's
// seconds).
func best(d time.Duration, work float64, f func()) float64 {
	f()
	fastest := time.Duration(1 << 62)
	for start := time.Now(); time.Since(start) < d; {
		t := time.Now()
		f()
		fastest = min(fastest, time.Since(t))
	}
	return work / fastest.Seconds()
}
