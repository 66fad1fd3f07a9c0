package train

import "runtime"

// The matrix multiply every projection, attention product and weight gradient goes through:
// C += op(A)·B with op(A) = A or Aᵀ, all row-major with leading dimensions. A is packed per block
// of kBlock columns into row pairs (pk[2p+r] = A[i+r, k0+p]), so the transposed case costs the
// same as the plain one and weight gradients (dW = dYᵀ·X) need no materialised transpose. The
// micro-kernels (gemm_simd.go, gemm_generic.go) then run 2×64 register tiles over the packed pairs.

// kBlock is the depth of one pass: a 64-column strip of kBlock rows of B is 32 KiB (L1).
const kBlock = 128

// parMinWork is the multiply-add count below which a product runs on one goroutine.
const parMinWork = 1 << 18

// gemm computes C[m, n] += op(A)·B[k, n]: op(A) is A [m, k] (row stride lda), or when at is
// set the transpose of A stored as [k, m] (row stride lda). Large products are split over
// GOMAXPROCS goroutines by column strips (or row ranges when n is narrow); every output element is
// summed by one goroutine in the same order whatever the split, so results do not depend on it.
func gemm(at bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	workers := runtime.GOMAXPROCS(0)
	if workers < 2 || m*n*k < parMinWork {
		gemmSeq(at, m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	if strips := n / 64; strips >= workers {
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

// gemmSeq is gemm on the calling goroutine.
func gemmSeq(at bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	pk := make([]float32, ((m+1)/2*2)*min(k, kBlock))
	for k0 := 0; k0 < k; k0 += kBlock {
		kb := min(kBlock, k-k0)
		packA(pk, at, m, kb, a, lda, k0)
		microKernels(c, ldc, pk, m, kb, b[k0*ldb:], ldb, n)
	}
}

// packA copies columns k0..k0+kb of op(A) into pk: row pairs interleaved (pk[i*kb + 2p + r] =
// op(A)[i+r, k0+p] for even i), an odd last row contiguous after them.
func packA(pk []float32, at bool, m, kb int, a []float32, lda, k0 int) {
	for i := 0; i < m; i += 2 {
		dst := pk[i*kb:]
		if i+1 < m {
			dst = dst[:2*kb]
			if at {
				for p := 0; p < kb; p++ {
					row := a[(k0+p)*lda+i:]
					dst[2*p], dst[2*p+1] = row[0], row[1]
				}
			} else {
				r0, r1 := a[i*lda+k0:i*lda+k0+kb], a[(i+1)*lda+k0:(i+1)*lda+k0+kb]
				for p := range kb {
					dst[2*p], dst[2*p+1] = r0[p], r1[p]
				}
			}
			continue
		}
		dst = dst[:kb]
		for p := range kb {
			if at {
				dst[p] = a[(k0+p)*lda+i]
			} else {
				dst[p] = a[i*lda+k0+p]
			}
		}
	}
}

// microGo computes C[m, n] += P·B[kb, n] for packed P, in plain Go (the generic build, and the
// column tail of the SIMD one).
func microGo(c []float32, ldc int, pk []float32, m, kb int, b []float32, ldb int, n int) {
	for i := 0; i < m; i += 2 {
		if i+1 < m {
			c0, c1 := c[i*ldc:i*ldc+n], c[(i+1)*ldc:(i+1)*ldc+n]
			pp := pk[i*kb : i*kb+2*kb]
			for p := range kb {
				a0, a1 := pp[2*p], pp[2*p+1]
				row := b[p*ldb : p*ldb+n]
				for j, bv := range row {
					c0[j] += a0 * bv
					c1[j] += a1 * bv
				}
			}
			continue
		}
		c0 := c[i*ldc : i*ldc+n]
		pp := pk[i*kb : i*kb+kb]
		for p, av := range pp {
			row := b[p*ldb : p*ldb+n]
			for j, bv := range row {
				c0[j] += av * bv
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
