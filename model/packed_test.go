package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// packB returns b, a row-major [k, n] matrix, as column panels: the obviously correct layout
// packTransposed is checked against.
func packB(b []float32, k, n int) packedB {
	p := packedB{k: k, n: n, data: make([]float32, k*n)}
	for j0 := 0; j0 < n; j0 += panelWidth {
		panel, w := p.panel(j0 / panelWidth)
		for r := 0; r < k; r++ {
			copy(panel[r*w:(r+1)*w], b[r*n+j0:r*n+j0+w])
		}
	}
	return p
}

// transpose returns the [cols, rows] transpose of the row-major [rows, cols] matrix w.
func transpose(w []float32, rows, cols int) []float32 {
	out := make([]float32, len(w))
	for r := 0; r < rows; r++ {
		for c, v := range w[r*cols : (r+1)*cols] {
			out[c*rows+r] = v
		}
	}
	return out
}

// TestPackTransposedIsPackOfTranspose checks the decoder's one-pass layout against transposing
// then packing, over shapes with and without a narrow last panel.
func TestPackTransposedIsPackOfTranspose(t *testing.T) {
	for _, s := range []struct{ rows, cols int }{{1, 1}, {5, 3}, {64, 7}, {100, 33}, {768, 512}} {
		w := make([]float32, s.rows*s.cols)
		for i := range w {
			w[i] = float32(i)
		}
		if got, want := packTransposed(w, s.rows, s.cols), packB(transpose(w, s.rows, s.cols), s.cols, s.rows); got.k != want.k || got.n != want.n || !slices.Equal(got.data, want.data) {
			t.Fatalf("[%d, %d]: packTransposed differs from packB(transpose)", s.rows, s.cols)
		}
	}
}

// TestPackedMatmulMatchesRowMajor checks packB's layout and that matmulAddPackedN gives gemmAdd's
// results on the row-major matrix bit for bit (and gemmAddRef's to rounding), over shapes with and without a narrow last
// panel, one and two workers.
func TestPackedMatmulMatchesRowMajor(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = r.Float32()*2 - 1
		}
		return x
	}
	for _, s := range []struct{ m, k, n int }{
		{1, 1, 1}, {3, 7, 5}, {2, 64, 64}, {5, 129, 100}, {32, 512, 768}, {33, 300, 1000}, {32, 512, 8192},
	} {
		for _, workers := range []int{1, 2} {
			t.Run(fmt.Sprintf("%dx%dx%d/%dw", s.m, s.k, s.n, workers), func(t *testing.T) {
				a, b, c0 := fill(s.m*s.k), fill(s.k*s.n), fill(s.m*s.n)
				p := packB(b, s.k, s.n)
				if got := p.unpack(); !slices.Equal(got, b) {
					t.Fatal("unpack(packB(b)) != b")
				}
				want, got, ref := clone(c0), clone(c0), clone(c0)
				gemmAdd(want, s.n, a, s.k, b, s.n, s.m, s.k, s.n)
				matmulAddPackedN(workers, got, a, s.m, p)
				gemmAddRef(ref, s.n, a, s.k, b, s.n, s.m, s.k, s.n)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("c[%d] = %v packed, %v row-major", i, got[i], want[i])
					}
					if d := got[i] - ref[i]; d > 1e-3 || d < -1e-3 {
						t.Fatalf("c[%d] = %v packed, %v reference", i, got[i], ref[i])
					}
				}
			})
		}
	}
}

// BenchmarkDecodeGEMM is one decode step's weight traffic without the rest of the decoder: 32 rows
// times 16 different [512, 3072] weights (96 MB, more than the last-level cache, as the 30M
// model's), row-major against packed panels, one goroutine.
func BenchmarkDecodeGEMM(b *testing.B) {
	const m, k, n, mats = 32, 512, 3072, 16
	r := rand.New(rand.NewPCG(1, 2))
	a, c := make([]float32, m*k), make([]float32, m*n)
	for i := range a {
		a[i] = r.Float32()
	}
	ws, ps := make([][]float32, mats), make([]packedB, mats)
	for i := range ws {
		ws[i] = make([]float32, k*n)
		for j := range ws[i] {
			ws[i][j] = r.Float32()
		}
		ps[i] = packB(ws[i], k, n)
	}
	flops := float64(2 * m * k * n * mats)
	b.Run("rowmajor", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for _, w := range ws {
				gemmAdd(c, n, a, k, w, n, m, k, n)
			}
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	b.Run("packed", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for _, p := range ps {
				matmulAddPackedN(1, c, a, m, p)
			}
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}

// TestGemmRowDoesNotDependOnItsTile checks that a row of C comes out bit for bit the same whether
// gemmAdd computes it in a 6×64, 2×64 or 1×64 tile (a batch row's logits must not depend on how
// many rows the decoder steps at once).
func TestGemmRowDoesNotDependOnItsTile(t *testing.T) {
	const m, k, n = 13, 300, 200
	r := rand.New(rand.NewPCG(5, 6))
	a, b := make([]float32, m*k), make([]float32, k*n)
	for i := range a {
		a[i] = r.Float32()*2 - 1
	}
	for i := range b {
		b[i] = r.Float32()*2 - 1
	}
	all := make([]float32, m*n)
	gemmAdd(all, n, a, k, b, n, m, k, n)
	for i := 0; i < m; i++ {
		one := make([]float32, n)
		gemmAdd(one, n, a[i*k:], k, b, n, 1, k, n)
		if !slices.Equal(one, all[i*n:(i+1)*n]) {
			t.Fatalf("row %d differs between the %d-row product and the row alone (%s)", i, m, simdKernels())
		}
	}
}

// BenchmarkRefreshSmall30M is the decoder's per-weight-version cost (after every training step of
// an RL run): re-laying out the 30M model's weights for sampling.
func BenchmarkRefreshSmall30M(b *testing.B) {
	dec := NewDecoder(NewRandom(Small30MConfig(), 1), 1, 16)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dec.Refresh()
	}
}
