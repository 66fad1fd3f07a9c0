//go:build goexperiment.simd && amd64

package model

import (
	"math"
	"simd/archsimd"
)

// AVX2+FMA kernels (256-bit), for amd64 machines without AVX-512. gemmAddAVX2 runs 6×16
// register tiles written in assembly (kernels_avx2_amd64.s) over 16-column strips of B copied to
// a contiguous buffer; exp builds 2^k in the exponent bits (VSCALEFPS is AVX-512 only).

// useAVX2 selects these kernels when AVX-512 is absent.
var useAVX2 = archsimd.X86.AVX2() && archsimd.X86.FMA()

// tile6x16asm computes C[r, j] += Σ_p A[r, p]·B[p, j] for r < 6, j < 16, p < k ≥ 1 (rows of A,
// B and C at strides lda, ldb, ldc).
//
//go:noescape
func tile6x16asm(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)

// tile4x16asm and tile2x16asm are tile6x16asm for 4 and 2 rows (the last m mod 6 rows).
//
//go:noescape
func tile4x16asm(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func tile2x16asm(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)

// tile1x16asm computes c[j] += Σ_p a[p]·B[p, j] for j < 16, p < k ≥ 1 (rows of B at stride ldb),
// summing each element in tile6x16asm's order.
//
//go:noescape
func tile1x16asm(k int, a *float32, b *float32, ldb int, c *float32)

// packMinRows is the row count from which gemmAddAVX2 copies each strip of B before the tiles
// pass over it; fewer rows (the decoder's batch) read B in place.
const packMinRows = 64

// gemmAddAVX2 computes C[i, j] += Σ_p A[i, p]·B[p, j] for i < m, j < n. Blocks of kBlock rows
// of B are cut into 16-column strips, each copied to a contiguous [kb, 16] buffer (B's own row
// stride, often a multiple of 4 KiB, would map a strip onto a few cache sets), and every group of
// 6 rows of A passes over the strip in a 6×16 tile; the last m mod 6 rows take 4-, 2- and 1-row
// tiles, the last n mod 16 columns 8-wide vectors and then scalars. Every element is summed over
// p in order with one fused multiply-add per term, whatever tile it falls in, so a row's result
// does not depend on m or on its place in the batch.
func gemmAddAVX2(c []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, k, n int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	n16, n8 := n/16*16, n/8*8
	m6 := m / 6 * 6
	_, _, _ = c[(m-1)*ldc+n-1], a[(m-1)*lda+k-1], b[(k-1)*ldb+n-1] // every tile below is inside these
	var bp [kBlock * 16]float32                                    // [kb, 16] strip of B
	for k0 := 0; k0 < k; k0 += kBlock {
		kb := min(kBlock, k-k0)
		ak, bk := a[k0:], b[k0*ldb:]
		for j := 0; j < n16; j += 16 {
			strip, lds := bk[j:], ldb
			if m >= packMinRows {
				for p := range kb { // two vector copies (copy's call costs more than the 64 bytes)
					src, dst := bk[p*ldb+j:p*ldb+j+16], bp[p*16:(p+1)*16]
					archsimd.LoadFloat32x8Slice(src[:8]).StoreSlice(dst[:8])
					archsimd.LoadFloat32x8Slice(src[8:]).StoreSlice(dst[8:])
				}
				strip, lds = bp[:], 16
			}
			for i := 0; i < m6; i += 6 {
				tile6x16asm(kb, &ak[i*lda], lda, &strip[0], lds, &c[i*ldc+j], ldc)
			}
			i := m6
			if i+4 <= m {
				tile4x16asm(kb, &ak[i*lda], lda, &strip[0], lds, &c[i*ldc+j], ldc)
				i += 4
			}
			if i+2 <= m {
				tile2x16asm(kb, &ak[i*lda], lda, &strip[0], lds, &c[i*ldc+j], ldc)
				i += 2
			}
			if i < m {
				tile1x16asm(kb, &ak[i*lda], &strip[0], lds, &c[i*ldc+j])
			}
		}
		for j := n16; j < n8; j += 8 {
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

// dotAVX2 returns Σ a[i]·b[i] over len(a) in 8 lanes (b at least as long).
func dotAVX2(a, b []float32) float32 {
	n := len(a) / 8 * 8
	b = b[:len(a)]
	acc := archsimd.BroadcastFloat32x8(0)
	for i := 0; i < n; i += 8 {
		acc = archsimd.LoadFloat32x8Slice(a[i:i+8]).MulAdd(archsimd.LoadFloat32x8Slice(b[i:i+8]), acc)
	}
	var t [8]float32
	acc.Store(&t)
	s := ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]))
	return s + dotGo(a[n:], b[n:])
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

// expInPlaceAVX2 sets x[i] = e^x[i] over 8 lanes at a time (the tail through a partial load).
func expInPlaceAVX2(x []float32) {
	n := len(x) / 8 * 8
	for i := 0; i < n; i += 8 {
		exp8(archsimd.LoadFloat32x8Slice(x[i : i+8])).StoreSlice(x[i : i+8])
	}
	if n < len(x) {
		exp8(archsimd.LoadFloat32x8SlicePart(x[n:])).StoreSlicePart(x[n:])
	}
}

// siluMulAVX2 sets dst[i] = silu(g[i])·u[i] = g[i]/(1+e^-g[i])·u[i].
func siluMulAVX2(dst, g, u []float32) {
	n := len(dst) / 8 * 8
	g, u = g[:len(dst)], u[:len(dst)]
	one := archsimd.BroadcastFloat32x8(1)
	zero := archsimd.BroadcastFloat32x8(0)
	for i := 0; i < n; i += 8 {
		gv := archsimd.LoadFloat32x8Slice(g[i : i+8])
		den := exp8(zero.Sub(gv)).Add(one)
		gv.Div(den).Mul(archsimd.LoadFloat32x8Slice(u[i : i+8])).StoreSlice(dst[i : i+8])
	}
	siluMulGo(dst[n:], g[n:], u[n:])
}

// exp8 is expf on 8 lanes, as the scalar expf computes it: k = round(x·log2 e), r = x − k·ln2
// (two-part ln2), e^r by its degree-7 Taylor polynomial, times 2^h·2^(k−h) with h = ⌊k/2⌋, each
// built in the exponent bits (2^k alone overflows them at k = 128). Like expf, inputs below −87.33
// give 0, above ln(FLT_MAX) +Inf, and NaN stays NaN.
func exp8(x archsimd.Float32x8) archsimd.Float32x8 {
	lo, hi := archsimd.BroadcastFloat32x8(-87.33), archsimd.BroadcastFloat32x8(88.72284)
	xc := x.Max(lo).Min(hi)
	k := xc.Mul(archsimd.BroadcastFloat32x8(1.442695041)).RoundToEven()
	r := k.MulAdd(archsimd.BroadcastFloat32x8(-0.693145752), xc)
	r = k.MulAdd(archsimd.BroadcastFloat32x8(-1.42860677e-6), r)
	p := archsimd.BroadcastFloat32x8(1.0 / 5040)
	for _, c := range [...]float32{1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1, 1} {
		p = p.MulAdd(r, archsimd.BroadcastFloat32x8(c))
	}
	ki, bias := k.ConvertToInt32(), archsimd.BroadcastInt32x8(127)
	h := ki.ShiftAllRight(1)
	s1 := h.Add(bias).ShiftAllLeft(23).AsFloat32x8()
	s2 := ki.Sub(h).Add(bias).ShiftAllLeft(23).AsFloat32x8()
	e := p.Mul(s1).Mul(s2).Masked(x.GreaterEqual(lo))                               // below the range (and NaN): 0
	e = e.Merge(archsimd.BroadcastFloat32x8(float32(math.Inf(1))), x.LessEqual(hi)) // above (and NaN): +Inf
	return e.Merge(x, x.Equal(x))                                                   // NaN stays NaN
}
