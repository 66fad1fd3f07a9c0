package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func randSlice(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

func TestGemmMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, at := range []bool{false, true} {
		for _, s := range [][3]int{{1, 1, 1}, {3, 17, 5}, {2, 64, 130}, {7, 200, 33}, {64, 64, 256}, {129, 96, 300}, {512, 768, 64}} {
			m, n, k := s[0], s[1], s[2]
			lda, ldb, ldc := k+3, n+5, n+1
			if at {
				lda = m + 2
			}
			rowsA := m
			if at {
				rowsA = k
			}
			a, b := randSlice(rng, rowsA*lda), randSlice(rng, k*ldb)
			c := randSlice(rng, m*ldc)
			want := append([]float32(nil), c...)
			gemm(at, m, n, k, a, lda, b, ldb, c, ldc)
			gemmRef(at, m, n, k, a, lda, b, ldb, want, ldc)
			for i := range c {
				if d := math.Abs(float64(c[i] - want[i])); d > 1e-4*math.Sqrt(float64(k))+1e-5 {
					t.Fatalf("at=%v m=%d n=%d k=%d: c[%d] = %g, want %g", at, m, n, k, i, c[i], want[i])
				}
			}
		}
	}
}

// BenchmarkGemm measures the kernel's FLOP/s on the training shapes (the peak a step can reach).
func BenchmarkGemm(b *testing.B) {
	for _, s := range [][3]int{{512, 512, 512}, {1024, 1024, 1024}, {2048, 512, 128}} {
		for _, at := range []bool{false, true} {
			m, n, k := s[0], s[1], s[2]
			b.Run(fmt.Sprintf("%dx%dx%d/at=%v", m, n, k, at), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				x, y, c := randSlice(rng, m*k), randSlice(rng, k*n), make([]float32, m*n)
				lda := k
				if at {
					lda = m
				}
				start, cpu0 := time.Now(), cpuSeconds()
				for b.Loop() {
					gemm(at, m, n, k, x, lda, y, n, c, n)
				}
				b.ReportMetric(2*float64(m*n*k)*float64(b.N)/time.Since(start).Seconds()/1e9, "GFLOP/s")
				b.ReportMetric(2*float64(m*n*k)*float64(b.N)/(cpuSeconds()-cpu0)/1e9, "GFLOP/cpu-s")
			})
		}
	}
}
