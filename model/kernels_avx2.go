//go:build goexperiment.simd && amd64

package model

import "simd/archsimd"

// AVX2+FMA kernels (256-bit), for amd64 machines without AVX-512. Same loop structure as the
// AVX-512 gemmAdd with 2×32 tiles (measured ≈ 31–41 GFLOP/s on one core here, against ≈ 4 for
// plain Go); exp and silu stay scalar (VSCALEFPS is AVX-512 only).

// useAVX2 selects these kernels when AVX-512 is absent.
var useAVX2 = archsimd.X86.AVX2() && archsimd.X86.FMA()

// gemmAddAVX2 computes C[i, j] += Σ_p A[i, p]·B[p, j] for i < m, j < n.
func gemmAddAVX2(c []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, k, n int) {
	n32, n8 := n/32*32, n/8*8
	m2 := m / 2 * 2
	for k0 := 0; k0 < k; k0 += kBlock {
		kb := min(kBlock, k-k0)
		ak, bk := a[k0:], b[k0*ldb:]
		for j := 0; j < n32; j += 32 {
			for i := 0; i < m2; i += 2 {
				tile2x32avx2(c[i*ldc+j:], ldc, ak[i*lda:], lda, bk[j:], ldb, kb)
			}
			if m2 < m {
				tile1x32avx2(c[m2*ldc+j:], ldc, ak[m2*lda:], lda, bk[j:], ldb, kb)
			}
		}
		for j := n32; j < n8; j += 8 {
			for i := 0; i < m; i++ {
				tile1x8avx2(c[i*ldc+j:], ak[i*lda:], bk[j:], ldb, kb)
			}
		}
	}
	if n8 < n {
		gemmAddGo(c[n8:], ldc, a, lda, b[n8:], ldb, m, k, n-n8)
	}
}

// tile1x8avx2 computes c[0:8] += Σ_p a[p]·b[p*ldb : p*ldb+8].
func tile1x8avx2(c, a, b []float32, ldb, k int) {
	acc := archsimd.LoadFloat32x8Slice(c[:8])
	a = a[:k]
	for p, av := range a {
		acc = archsimd.LoadFloat32x8Slice(b[p*ldb:p*ldb+8]).MulAdd(archsimd.BroadcastFloat32x8(av), acc)
	}
	acc.StoreSlice(c[:8])
}

// axpyAVX2 computes y[i] += alpha·x[i] over len(y).
func axpyAVX2(y []float32, alpha float32, x []float32) {
	n := len(y) / 8 * 8
	x = x[:len(y)]
	va := archsimd.BroadcastFloat32x8(alpha)
	for i := 0; i < n; i += 8 {
		archsimd.LoadFloat32x8Slice(x[i:i+8]).MulAdd(va, archsimd.LoadFloat32x8Slice(y[i:i+8])).StoreSlice(y[i : i+8])
	}
	axpyGo(y[n:], alpha, x[n:])
}

// The tiles below are generated (one accumulator per row and 8-column vector, fully unrolled).

// tile2x32avx2 computes c[r*ldc + j] += Σ_p a[r*lda + p]·b[p*ldb + j] for r < 2, j < 32,
// in 8 AVX2 accumulators.
func tile2x32avx2(c []float32, ldc int, a []float32, lda int, b []float32, ldb int, k int) {
	c0 := c[0*ldc : 0*ldc+32]
	acc00 := archsimd.LoadFloat32x8Slice(c0[0:8])
	acc01 := archsimd.LoadFloat32x8Slice(c0[8:16])
	acc02 := archsimd.LoadFloat32x8Slice(c0[16:24])
	acc03 := archsimd.LoadFloat32x8Slice(c0[24:32])
	c1 := c[1*ldc : 1*ldc+32]
	acc10 := archsimd.LoadFloat32x8Slice(c1[0:8])
	acc11 := archsimd.LoadFloat32x8Slice(c1[8:16])
	acc12 := archsimd.LoadFloat32x8Slice(c1[16:24])
	acc13 := archsimd.LoadFloat32x8Slice(c1[24:32])
	a0 := a[0*lda : 0*lda+k]
	a1 := a[1*lda : 1*lda+k]
	for p := 0; p < k; p++ {
		bp := b[p*ldb : p*ldb+32]
		b0 := archsimd.LoadFloat32x8Slice(bp[0:8])
		b1 := archsimd.LoadFloat32x8Slice(bp[8:16])
		b2 := archsimd.LoadFloat32x8Slice(bp[16:24])
		b3 := archsimd.LoadFloat32x8Slice(bp[24:32])
		x0 := archsimd.BroadcastFloat32x8(a0[p])
		acc00 = b0.MulAdd(x0, acc00)
		acc01 = b1.MulAdd(x0, acc01)
		acc02 = b2.MulAdd(x0, acc02)
		acc03 = b3.MulAdd(x0, acc03)
		x1 := archsimd.BroadcastFloat32x8(a1[p])
		acc10 = b0.MulAdd(x1, acc10)
		acc11 = b1.MulAdd(x1, acc11)
		acc12 = b2.MulAdd(x1, acc12)
		acc13 = b3.MulAdd(x1, acc13)
	}
	acc00.StoreSlice(c0[0:8])
	acc01.StoreSlice(c0[8:16])
	acc02.StoreSlice(c0[16:24])
	acc03.StoreSlice(c0[24:32])
	acc10.StoreSlice(c1[0:8])
	acc11.StoreSlice(c1[8:16])
	acc12.StoreSlice(c1[16:24])
	acc13.StoreSlice(c1[24:32])
}

// tile1x32avx2 computes c[r*ldc + j] += Σ_p a[r*lda + p]·b[p*ldb + j] for r < 1, j < 32,
// in 4 AVX2 accumulators.
func tile1x32avx2(c []float32, ldc int, a []float32, lda int, b []float32, ldb int, k int) {
	c0 := c[0*ldc : 0*ldc+32]
	acc00 := archsimd.LoadFloat32x8Slice(c0[0:8])
	acc01 := archsimd.LoadFloat32x8Slice(c0[8:16])
	acc02 := archsimd.LoadFloat32x8Slice(c0[16:24])
	acc03 := archsimd.LoadFloat32x8Slice(c0[24:32])
	a0 := a[0*lda : 0*lda+k]
	for p := 0; p < k; p++ {
		bp := b[p*ldb : p*ldb+32]
		b0 := archsimd.LoadFloat32x8Slice(bp[0:8])
		b1 := archsimd.LoadFloat32x8Slice(bp[8:16])
		b2 := archsimd.LoadFloat32x8Slice(bp[16:24])
		b3 := archsimd.LoadFloat32x8Slice(bp[24:32])
		x0 := archsimd.BroadcastFloat32x8(a0[p])
		acc00 = b0.MulAdd(x0, acc00)
		acc01 = b1.MulAdd(x0, acc01)
		acc02 = b2.MulAdd(x0, acc02)
		acc03 = b3.MulAdd(x0, acc03)
	}
	acc00.StoreSlice(c0[0:8])
	acc01.StoreSlice(c0[8:16])
	acc02.StoreSlice(c0[16:24])
	acc03.StoreSlice(c0[24:32])
}
