//go:build goexperiment.simd && amd64

package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestAVX2KernelsMatchReference(t *testing.T) {
	if !useAVX2 {
		t.Skip("this CPU has no AVX2+FMA")
	}
	rng := rand.New(rand.NewPCG(4, 4))
	for _, sz := range [][3]int{{1, 1, 1}, {3, 7, 5}, {2, 16, 32}, {5, 33, 130}, {32, 128, 384}, {9, 70, 17}, {7, 300, 200}, {64, 128, 48}, {70, 150, 40}, {131, 33, 77}} {
		m, k, n := sz[0], sz[1], sz[2]
		a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		for _, s := range [][]float32{a, b, c} {
			for i := range s {
				s[i] = float32(rng.NormFloat64())
			}
		}
		want := append([]float32(nil), c...)
		gemmAddRef(want, n, a, k, b, n, m, k, n)
		gemmAddAVX2(c, n, a, k, b, n, m, k, n)
		if d := maxRelDiff(t, c, want); d > 1e-5 {
			t.Fatalf("avx2 matmul %dx%dx%d differs by %.3g", m, k, n, d)
		}
	}
	// A row's result is bit-identical whatever tile it falls in (6-row tiles, 1-row tails) and
	// whether B was copied first (m ≥ packMinRows) or read in place.
	for _, m := range []int{71, 68} { // 6-row tiles, then 4 + 1 or 2 rows
		k, n := 300, 56
		a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		for _, s := range [][]float32{a, b, c} {
			for i := range s {
				s[i] = float32(rng.NormFloat64())
			}
		}
		whole := append([]float32(nil), c...)
		gemmAddAVX2(whole, n, a, k, b, n, m, k, n)
		for i := range m {
			row := append([]float32(nil), c[i*n:(i+1)*n]...)
			gemmAddAVX2(row, n, a[i*k:], k, b, n, 1, k, n)
			for j, v := range row {
				if v != whole[i*n+j] {
					t.Fatalf("row %d column %d alone = %v, in a batch of %d = %v", i, j, v, m, whole[i*n+j])
				}
			}
		}
	}
	for n := 0; n < 30; n++ {
		x, y := make([]float32, n+2), make([]float32, n+2)
		for i := range x {
			x[i], y[i] = float32(rng.NormFloat64()), float32(i)
		}
		if got, want := float64(dotAVX2(x[:n], y)), float64(dotGo(x[:n], y)); math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
			t.Fatalf("avx2 dot of %d = %v, plain Go %v", n, got, want)
		}
		want := append([]float32(nil), y...)
		axpyGo(want[:n], -1.5, x)
		axpyAVX2(y[:n], -1.5, x)
		for i := range y {
			if math.Abs(float64(y[i]-want[i])) > 1e-6*math.Max(1, math.Abs(float64(want[i]))) { // FMA rounds once
				t.Fatalf("avx2 axpy of %d: y[%d] = %v, want %v", n, i, y[i], want[i])
			}
		}
	}
}

func TestAVX2ExpSiLUMatchScalar(t *testing.T) {
	if !useAVX2 {
		t.Skip("this CPU has no AVX2+FMA")
	}
	rng := rand.New(rand.NewPCG(5, 5))
	special := []float32{0, -0.0, 1, -1, 88, 88.5, 88.72, 88.73, 89, 100, -87, -87.33, -87.34, -104, -200,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 1e-30, -1e-30, 0.3465736, -0.3465736}
	for _, n := range []int{0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 64, 100, 1001} {
		x := make([]float32, n)
		for i := range x {
			if i < len(special) && n > 30 {
				x[i] = special[i]
			} else {
				x[i] = float32(rng.NormFloat64() * 20)
			}
		}
		u := make([]float32, n)
		for i := range u {
			u[i] = float32(rng.NormFloat64())
		}
		got, want := append([]float32(nil), x...), append([]float32(nil), x...)
		expInPlaceAVX2(got)
		expInPlaceGo(want)
		for i := range got {
			if !closeULP(got[i], want[i], 4) {
				t.Fatalf("exp8(%v) of %d = %v, scalar expf %v", x[i], n, got[i], want[i])
			}
		}
		got, want = make([]float32, n), make([]float32, n)
		siluMulAVX2(got, x, u)
		siluMulGo(want, x, u)
		for i := range got {
			if !closeULP(got[i], want[i], 8) {
				t.Fatalf("silu(%v)·%v of %d = %v, scalar %v", x[i], u[i], n, got[i], want[i])
			}
		}
	}
}

// closeULP says whether a and b agree to within ulps units in the last place of the larger (NaN
// with NaN, infinities exactly).
func closeULP(a, b float32, ulps float64) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	if math.IsInf(float64(a), 0) || math.IsInf(float64(b), 0) {
		return a == b
	}
	m := math.Max(math.Abs(float64(a)), math.Abs(float64(b)))
	ulp := math.Max(float64(math.Nextafter32(float32(m), float32(math.Inf(1)))-float32(m)), 1e-45)
	return math.Abs(float64(a)-float64(b)) <= ulps*ulp
}

// BenchmarkGemmAddAVX2 measures the AVX2 kernel on one core, on cache-resident and larger shapes:
// `go test ./model -run '^$' -bench GemmAddAVX2 -cpu 1`.
func BenchmarkGemmAddAVX2(b *testing.B) {
	if !useAVX2 {
		b.Skip("this CPU has no AVX2+FMA")
	}
	for _, s := range [][3]int{{48, 128, 64}, {96, 128, 64}, {64, 32, 64}, {512, 512, 512}} {
		m, k, n := s[0], s[1], s[2]
		b.Run(fmt.Sprintf("%dx%dx%d", m, k, n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			a, bb, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
			for _, x := range [][]float32{a, bb} {
				for i := range x {
					x[i] = float32(rng.NormFloat64())
				}
			}
			cpu0 := cpuSeconds()
			for b.Loop() {
				gemmAddAVX2(c, n, a, k, bb, n, m, k, n)
			}
			b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			b.ReportMetric(2*float64(m*n*k)*float64(b.N)/(cpuSeconds()-cpu0)/1e9, "GFLOP/cpu-s")
		})
	}
}
