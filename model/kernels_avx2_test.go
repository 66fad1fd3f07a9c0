//go:build goexperiment.simd && amd64

package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestAVX2KernelsMatchReference(t *testing.T) {
	if !useAVX2 {
		t.Skip("this CPU has no AVX2+FMA")
	}
	rng := rand.New(rand.NewPCG(4, 4))
	for _, sz := range [][3]int{{1, 1, 1}, {3, 7, 5}, {2, 16, 32}, {5, 33, 130}, {32, 128, 384}, {9, 70, 17}, {7, 300, 200}} {
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
	for n := 0; n < 30; n++ {
		x, y := make([]float32, n+2), make([]float32, n+2)
		for i := range x {
			x[i], y[i] = float32(rng.NormFloat64()), float32(i)
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
