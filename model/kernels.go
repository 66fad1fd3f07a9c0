package model

import "sync"

// The decoder's numeric kernels. gemmAdd, dot and axpy have two implementations: kernels_simd.go
// (GOEXPERIMENT=simd on amd64: AVX-512 register-tiled micro-kernels via simd/archsimd, and on
// CPUs without AVX-512 the AVX2+FMA ones of kernels_avx2.go) and kernels_generic.go (plain Go). gemmAddRef below is the obviously correct version both are tested
// against.

// parallelMinWork is the multiply-add count (about 100 µs of one core) above which
// matmulAddPackedN splits a product across goroutines. Below it the hand-off costs more than it
// saves on a shared machine: waking a second thread while other processes hold the other core
// made the tiny decoder 15–20% slower at a 2¹⁷ threshold.
const parallelMinWork = 1 << 22

// attendMinWork is the attention work (multiply-adds) above which a step's rows attend in
// parallel: a sixteenth of parallelMinWork, because attention's short axpys run at a fraction of
// the matrix multiply's rate (at 2²² the 30M decoder attended serially until position 128 and
// attention was a quarter of a step on one core; at 2¹⁸ it sampled ~12% faster on two idle cores).
const attendMinWork = 1 << 18

// gemmAddRef is the reference kernel: C[i, j] += Σ_p A[i, p]·B[p, j] for i < m, j < n, with leading
// dimensions (row strides) ldc, lda, ldb.
func gemmAddRef(c []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, k, n int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := c[i*ldc+j]
			for p := 0; p < k; p++ {
				s += a[i*lda+p] * b[p*ldb+j]
			}
			c[i*ldc+j] = s
		}
	}
}

// parallelForN runs f over [0, n) split into at most workers contiguous parts when n ≥ minN.
func parallelForN(workers, n, minN int, f func(lo, hi int)) {
	if workers < 2 || n < minN {
		f(0, n)
		return
	}
	workers = min(workers, n)
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	f(0, n/workers)
	wg.Wait()
}
