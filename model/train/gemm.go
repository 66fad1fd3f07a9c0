package train

import (
	"runtime"
	"sync"
)

// The matrix multiply every projection, attention product and weight gradient goes through:
// C += op(A)·B with op(A) = A or Aᵀ, all row-major with leading dimensions. For Aᵀ each block of
// kBlock columns of op(A) is transposed into a small buffer first (O(m·k) against the product's
// O(m·n·k)), so weight gradients (dW = dYᵀ·X) need no materialised transpose of the activations.
// The micro-kernels (gemm_simd.go, gemm_generic.go) run 2×64 register tiles over pairs of rows.

// kBlock is the depth of one pass: a 64-column strip of kBlock rows of B is 32 KiB (L1).
// mBlock is the row count of one packed block of A: mBlock·kBlock floats are 128 KiB (L2), reread
// from L2 for every column strip.
const (
	kBlock = 128
	mBlock = 256
)

// parMinWork is the multiply-add count below which a product runs on one goroutine.
const parMinWork = 1 << 18

// gemm computes C[m, n] += op(A)·B[k, n]: op(A) is A [m, k] (row stride lda), or when at is
// set the transpose of A stored as [k, m] (row stride lda). Large products are split over
// GOMAXPROCS goroutines by column strips, or by row ranges when n is narrow or A is transposed (each
// goroutine then transposes only its rows); every output element is summed by one goroutine in
// the same order whatever the split, so results do not depend on it.
func gemm(at bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	workers := runtime.GOMAXPROCS(0)
	if workers < 2 || m*n*k < parMinWork {
		gemmSeq(at, m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	if strips := n / 64; strips >= workers && (!at || m < 2*workers*16) {
		parallelFor(strips, 2, func(lo, hi int) {
			j0, j1 := lo*64, hi*64
			if hi == strips {
				j1 = n
			}
			gemmSeq(at, m, j1-j0, k, a, lda, b[j0:], ldb, c[j0:], ldc)
		})
		return
	}
	pairs := (m + 1) / 2
	parallelFor(pairs, 2, func(lo, hi int) {
		i0, i1 := 2*lo, min(2*hi, m)
		if at {
			gemmSeq(at, i1-i0, n, k, a[i0:], lda, b, ldb, c[i0*ldc:], ldc)
		} else {
			gemmSeq(at, i1-i0, n, k, a[i0*lda:], lda, b, ldb, c[i0*ldc:], ldc)
		}
	})
}

// gemmSeq is gemm on the calling goroutine. Each kBlock-deep block of op(A) is packed into a
// contiguous [m, kb] buffer first (a transpose when at is set): rows of A read at their own stride
// of 2 or 4 KiB would map onto a few cache sets and stream from memory once per column strip.
func gemmSeq(at bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	kb0, mb0 := min(k, kBlock), min(m, mBlock)
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	pk, bp := grow(&sc.pk, mb0*kb0), grow(&sc.bp, kb0*64)
	for k0 := 0; k0 < k; k0 += kBlock {
		kb := min(kBlock, k-k0)
		for i0 := 0; i0 < m; i0 += mBlock {
			mb := min(mBlock, m-i0)
			if at { // rows k0..k0+kb, columns i0..i0+mb of A [k, m] become the [mb, kb] block of op(A)
				transposeInto(pk, kb, 0, a[k0*lda+i0:], lda, kb, mb)
			} else {
				for i := range mb {
					copy(pk[i*kb:(i+1)*kb], a[(i0+i)*lda+k0:(i0+i)*lda+k0+kb])
				}
			}
			microKernels(c[i0*ldc:], ldc, pk, kb, mb, kb, b[k0*ldb:], ldb, n, bp)
		}
	}
}

// scratch holds one goroutine's packing buffers (and weightGrad's product); scratchPool recycles them across calls.
type scratch struct{ pk, bp, wg []float32 }

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// grow returns (*buf)[:n], reallocating when its capacity is smaller.
func grow(buf *[]float32, n int) []float32 {
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	return (*buf)[:n]
}

// microGo computes C[m, n] += A[m, kb]·B[kb, n] in plain Go (the generic build, and the column tail
// of the SIMD one).
func microGo(c []float32, ldc int, a []float32, lda int, m, kb int, b []float32, ldb int, n int) {
	for i := range m {
		ci := c[i*ldc : i*ldc+n]
		for p, av := range a[i*lda : i*lda+kb] {
			row := b[p*ldb : p*ldb+n]
			for j, bv := range row {
				ci[j] += av * bv
			}
		}
	}
}

// gemmRef is the obviously correct gemm, for tests.
func gemmRef(at bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	for i := range m {
		for j := range n {
			s := float64(c[i*ldc+j])
			for p := range k {
				var av float32
				if at {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				s += float64(av) * float64(b[p*ldb+j])
			}
			c[i*ldc+j] = float32(s)
		}
	}
}

// parallelFor runs f over [0, n) split into up to GOMAXPROCS contiguous parts when n ≥ minN,
// one goroutine per part (no shared pool: nested calls cannot deadlock).
func parallelFor(n, minN int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers < 2 || n < minN {
		f(0, n)
		return
	}
	done := make(chan struct{}, workers-1)
	for w := 1; w < workers; w++ {
		go func() {
			f(n*w/workers, n*(w+1)/workers)
			done <- struct{}{}
		}()
	}
	f(0, n/workers)
	for w := 1; w < workers; w++ {
		<-done
	}
}
