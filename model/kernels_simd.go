//go:build goexperiment.simd && amd64

package model

import "simd/archsimd"

// kBlock is the depth of one pass of gemmAdd: a 64-column strip of kBlock rows of B is 32 KB.
const kBlock = 128

// useAVX512 selects the AVX-512 micro-kernels; without AVX-512 the AVX2 ones (kernels_avx2.go)
// or the plain-Go ones run.
var useAVX512 = archsimd.X86.AVX512()

// simdKernels names the kernels in use, for benchmarks and docs.
func simdKernels() string {
	switch {
	case useAVX512:
		return "avx512 (simd/archsimd)"
	case useAVX2:
		return "avx2+fma (6×16 assembly GEMM tiles, simd/archsimd)"
	}
	return "plain Go (no AVX2 or AVX-512)"
}

// gemmAdd computes C[i, j] += Σ_p A[i, p]·B[p, j] for i < m, j < n (leading dimensions ldc, lda,
// ldb): 6×64 register tiles of 24 AVX-512 accumulators in assembly (kernels_avx512_amd64.s: each
// k step loads 4 vectors of B and broadcasts 6 scalars of A for 24 fused multiply-adds), the
// last m mod 6 rows in archsimd 2×64 and 1×64 tiles, then 1×16 tiles, then scalars. In archsimd
// a tile cannot grow past 2×64: Go's register allocator uses at most 16 vector registers, and a
// 4×64 tile (16 accumulators) spills to the stack (measured 17 vs 88 GFLOP/s on one core).
func gemmAdd(c []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, k, n int) {
	if !useAVX512 || k == 0 {
		if useAVX2 && k > 0 {
			gemmAddAVX2(c, ldc, a, lda, b, ldb, m, k, n)
			return
		}
		gemmAddGo(c, ldc, a, lda, b, ldb, m, k, n)
		return
	}
	n64, n16 := n/64*64, n/16*16
	m6 := m / 6 * 6
	m2 := m6 + (m-m6)/2*2
	if n64 > 0 && m > 0 {
		_, _, _ = c[(m-1)*ldc+n64-1], a[(m-1)*lda+k-1], b[(k-1)*ldb+n64-1] // every 6×64 tile is inside these
	}
	// Loop order: k blocks of kBlock, then 64-column strips, then rows six at a time. A strip of one
	// k block of B (kBlock·256 bytes) stays in L1 while every row of A passes over it, instead of
	// all of B streaming through the cache once per row tile.
	for k0 := 0; k0 < k; k0 += kBlock {
		kb := min(kBlock, k-k0)
		ak, bk := a[k0:], b[k0*ldb:]
		for j := 0; j < n64; j += 64 {
			for i := 0; i < m6; i += 6 {
				tile6x64asm(kb, &ak[i*lda], lda, &bk[j], ldb, &c[i*ldc+j], ldc)
			}
			for i := m6; i < m2; i += 2 {
				tile2x64(c[i*ldc+j:], ldc, ak[i*lda:], lda, bk[j:], ldb, kb)
			}
			if m2 < m {
				tile1x64(c[m2*ldc+j:], ldc, ak[m2*lda:], lda, bk[j:], ldb, kb)
			}
		}
		for j := n64; j < n16; j += 16 {
			for i := 0; i < m; i++ {
				tile1x16(c[i*ldc+j:], ak[i*lda:], bk[j:], ldb, kb)
			}
		}
	}
	if n16 < n {
		gemmAddGo(c[n16:], ldc, a, lda, b[n16:], ldb, m, k, n-n16)
	}
}

// tile6x64asm computes C[r, j] += Σ_p A[r, p]·B[p, j] for r < 6, j < 64, p < k ≥ 1 (rows of A,
// B and C at strides lda, ldb, ldc floats), in kernels_avx512_amd64.s.
//
//go:noescape
func tile6x64asm(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)

// tile1x16 computes c[0:16] += Σ_p a[p]·b[p*ldb : p*ldb+16].
func tile1x16(c, a, b []float32, ldb, k int) {
	acc := archsimd.LoadFloat32x16Slice(c[:16])
	a = a[:k]
	for p, av := range a {
		acc = archsimd.LoadFloat32x16Slice(b[p*ldb:p*ldb+16]).MulAdd(archsimd.BroadcastFloat32x16(av), acc)
	}
	acc.StoreSlice(c[:16])
}

// dot returns Σ a[i]·b[i] over len(a) (b at least as long).
func dot(a, b []float32) float32 {
	if !useAVX512 || len(a) < 16 {
		if useAVX2 {
			return dotAVX2(a, b)
		}
		return dotGo(a, b)
	}
	n := len(a) / 16 * 16
	b = b[:len(a)]
	acc := archsimd.LoadFloat32x16Slice(a[:16]).Mul(archsimd.LoadFloat32x16Slice(b[:16]))
	for i := 16; i < n; i += 16 {
		acc = archsimd.LoadFloat32x16Slice(a[i:i+16]).MulAdd(archsimd.LoadFloat32x16Slice(b[i:i+16]), acc)
	}
	var tmp [16]float32
	acc.Store(&tmp)
	s := float32(0)
	for _, v := range tmp {
		s += v
	}
	for i := n; i < len(a); i++ {
		s += a[i] * b[i]
	}
	return s
}

// axpy computes y[i] += alpha·x[i] over len(y) (x at least as long).
func axpy(y []float32, alpha float32, x []float32) {
	if !useAVX512 || len(y) < 4 {
		if useAVX2 {
			axpyAVX2(y, alpha, x)
			return
		}
		axpyGo(y, alpha, x)
		return
	}
	n := len(y) / 16 * 16
	x = x[:len(y)]
	va := archsimd.BroadcastFloat32x16(alpha)
	for i := 0; i < n; i += 16 {
		archsimd.LoadFloat32x16Slice(x[i:i+16]).MulAdd(va, archsimd.LoadFloat32x16Slice(y[i:i+16])).StoreSlice(y[i : i+16])
	}
	if n < len(y) { // masked load/store of the tail
		archsimd.LoadFloat32x16SlicePart(x[n:]).MulAdd(va, archsimd.LoadFloat32x16SlicePart(y[n:])).StoreSlicePart(y[n:])
	}
}

// The tiles below are generated (one accumulator per row and 16-column vector, fully unrolled).

// tile2x64 computes c[r*ldc + j] += Σ_p a[r*lda + p]·b[p*ldb + j] for r < 2, j < 64,
// in 8 AVX-512 accumulators (Go allocates at most 16 vector registers).
func tile2x64(c []float32, ldc int, a []float32, lda int, b []float32, ldb int, k int) {
	c0 := c[0*ldc : 0*ldc+64]
	acc00 := archsimd.LoadFloat32x16Slice(c0[0:16])
	acc01 := archsimd.LoadFloat32x16Slice(c0[16:32])
	acc02 := archsimd.LoadFloat32x16Slice(c0[32:48])
	acc03 := archsimd.LoadFloat32x16Slice(c0[48:64])
	c1 := c[1*ldc : 1*ldc+64]
	acc10 := archsimd.LoadFloat32x16Slice(c1[0:16])
	acc11 := archsimd.LoadFloat32x16Slice(c1[16:32])
	acc12 := archsimd.LoadFloat32x16Slice(c1[32:48])
	acc13 := archsimd.LoadFloat32x16Slice(c1[48:64])
	a0 := a[0*lda : 0*lda+k]
	a1 := a[1*lda : 1*lda+k]
	for p := 0; p < k; p++ {
		bp := b[p*ldb : p*ldb+64]
		b0 := archsimd.LoadFloat32x16Slice(bp[0:16])
		b1 := archsimd.LoadFloat32x16Slice(bp[16:32])
		b2 := archsimd.LoadFloat32x16Slice(bp[32:48])
		b3 := archsimd.LoadFloat32x16Slice(bp[48:64])
		x0 := archsimd.BroadcastFloat32x16(a0[p])
		acc00 = b0.MulAdd(x0, acc00)
		acc01 = b1.MulAdd(x0, acc01)
		acc02 = b2.MulAdd(x0, acc02)
		acc03 = b3.MulAdd(x0, acc03)
		x1 := archsimd.BroadcastFloat32x16(a1[p])
		acc10 = b0.MulAdd(x1, acc10)
		acc11 = b1.MulAdd(x1, acc11)
		acc12 = b2.MulAdd(x1, acc12)
		acc13 = b3.MulAdd(x1, acc13)
	}
	acc00.StoreSlice(c0[0:16])
	acc01.StoreSlice(c0[16:32])
	acc02.StoreSlice(c0[32:48])
	acc03.StoreSlice(c0[48:64])
	acc10.StoreSlice(c1[0:16])
	acc11.StoreSlice(c1[16:32])
	acc12.StoreSlice(c1[32:48])
	acc13.StoreSlice(c1[48:64])
}

// tile1x64 computes c[r*ldc + j] += Σ_p a[r*lda + p]·b[p*ldb + j] for r < 1, j < 64,
// in 4 AVX-512 accumulators (Go allocates at most 16 vector registers).
func tile1x64(c []float32, ldc int, a []float32, lda int, b []float32, ldb int, k int) {
	c0 := c[0*ldc : 0*ldc+64]
	acc00 := archsimd.LoadFloat32x16Slice(c0[0:16])
	acc01 := archsimd.LoadFloat32x16Slice(c0[16:32])
	acc02 := archsimd.LoadFloat32x16Slice(c0[32:48])
	acc03 := archsimd.LoadFloat32x16Slice(c0[48:64])
	a0 := a[0*lda : 0*lda+k]
	for p := 0; p < k; p++ {
		bp := b[p*ldb : p*ldb+64]
		b0 := archsimd.LoadFloat32x16Slice(bp[0:16])
		b1 := archsimd.LoadFloat32x16Slice(bp[16:32])
		b2 := archsimd.LoadFloat32x16Slice(bp[32:48])
		b3 := archsimd.LoadFloat32x16Slice(bp[48:64])
		x0 := archsimd.BroadcastFloat32x16(a0[p])
		acc00 = b0.MulAdd(x0, acc00)
		acc01 = b1.MulAdd(x0, acc01)
		acc02 = b2.MulAdd(x0, acc02)
		acc03 = b3.MulAdd(x0, acc03)
	}
	acc00.StoreSlice(c0[0:16])
	acc01.StoreSlice(c0[16:32])
	acc02.StoreSlice(c0[32:48])
	acc03.StoreSlice(c0[48:64])
}

// expInPlace sets x[i] = e^x[i] (about 2 ulp; inputs below -104 give 0, above 88.7 +Inf).
func expInPlace(x []float32) {
	if !useAVX512 {
		if useAVX2 {
			expInPlaceAVX2(x)
			return
		}
		expInPlaceGo(x)
		return
	}
	n := len(x) / 16 * 16
	for i := 0; i < n; i += 16 {
		exp16(archsimd.LoadFloat32x16Slice(x[i : i+16])).StoreSlice(x[i : i+16])
	}
	if n < len(x) { // masked load/store of the tail
		exp16(archsimd.LoadFloat32x16SlicePart(x[n:])).StoreSlicePart(x[n:])
	}
}

// siluMul sets dst[i] = silu(g[i])·u[i] = g[i]/(1+e^-g[i])·u[i].
func siluMul(dst, g, u []float32) {
	if !useAVX512 {
		if useAVX2 {
			siluMulAVX2(dst, g, u)
			return
		}
		siluMulGo(dst, g, u)
		return
	}
	n := len(dst) / 16 * 16
	g, u = g[:len(dst)], u[:len(dst)]
	one := archsimd.BroadcastFloat32x16(1)
	zero := archsimd.BroadcastFloat32x16(0)
	for i := 0; i < n; i += 16 {
		gv := archsimd.LoadFloat32x16Slice(g[i : i+16])
		den := exp16(zero.Sub(gv)).Add(one)
		gv.Div(den).Mul(archsimd.LoadFloat32x16Slice(u[i : i+16])).StoreSlice(dst[i : i+16])
	}
	siluMulGo(dst[n:], g[n:], u[n:])
}

// exp16 is expf on 16 lanes: k = round(x·log2 e), r = x − k·ln2 (two-part ln2), e^r by its
// degree-7 Taylor polynomial, scaled by 2^k with VSCALEFPS (which saturates to 0 and +Inf).
func exp16(x archsimd.Float32x16) archsimd.Float32x16 {
	x = x.Max(archsimd.BroadcastFloat32x16(-104)).Min(archsimd.BroadcastFloat32x16(89))
	k := x.Mul(archsimd.BroadcastFloat32x16(1.442695041)).RoundToEvenScaled(0)
	r := k.MulAdd(archsimd.BroadcastFloat32x16(-0.693145752), x)
	r = k.MulAdd(archsimd.BroadcastFloat32x16(-1.42860677e-6), r)
	p := archsimd.BroadcastFloat32x16(1.0 / 5040)
	for _, c := range [...]float32{1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1, 1} {
		p = p.MulAdd(r, archsimd.BroadcastFloat32x16(c))
	}
	return p.Scale(k)
}
