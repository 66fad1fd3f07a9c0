//go:build goexperiment.simd && amd64

package train

import (
	"simd/archsimd"

	"github.com/ascent-rl/ascent/model"
)

// useAVX512 selects the AVX-512 micro-kernels; without it model.GemmAdd runs (the decoder's
// AVX2+FMA kernels where the CPU has them, else plain Go).
var useAVX512 = archsimd.X86.AVX512()

// useAVX2 says whether the CPU has AVX2+FMA: without AVX-512, model.GemmAdd then runs its
// assembly tiles and the element-wise kernels their 8-lane forms (ops_avx2.go).
var useAVX2 = archsimd.X86.AVX2() && archsimd.X86.FMA()

// Kernels names the micro-kernels in use, for benchmarks.
func Kernels() string {
	if useAVX512 {
		return "avx512 (simd/archsimd)"
	}
	if useAVX2 {
		return "avx2+fma (model.GemmAdd 6×16 assembly tiles; element-wise simd/archsimd)"
	}
	return "plain Go (no AVX-512 or AVX2)"
}

// microKernels computes C[m, n] += A[m, kb]·B[kb, n]: 64-column strips of B, each copied into
// the contiguous buffer bp [kb, 64] (B's own row stride would alias in L1), multiplied by the
// decoder's gemmAdd (model.GemmAdd: 6×64 assembly register tiles of 24 accumulators, the last
// rows in 2×64 and 1×64 ones), then 16-column strips, then a plain-Go tail.
func microKernels(c []float32, ldc int, a []float32, lda int, m, kb int, b []float32, ldb int, n int, bp []float32) {
	if !useAVX512 {
		model.GemmAdd(c, ldc, a, lda, b, ldb, m, kb, n)
		return
	}
	n64, n16 := n/64*64, n/16*16
	bp = bp[:kb*64]
	for j := 0; j < n64; j += 64 {
		for p := range kb {
			copy(bp[p*64:(p+1)*64], b[p*ldb+j:p*ldb+j+64])
		}
		model.GemmAdd(c[j:], ldc, a, lda, bp, 64, m, kb, 64) // 6×64 assembly tiles, then 2×64 and 1×64
	}
	j32 := n64
	if n16-n64 >= 32 { // a 32-column strip (head-width products): 4×32 tiles
		j32 = n64 + 32
		for i := 0; i < m; i += 4 {
			if i+4 <= m {
				quad32(c[i*ldc+n64:], ldc, a[i*lda:], lda, b[n64:], ldb, kb)
				continue
			}
			for r := i; r < m; r++ {
				row16(c[r*ldc+n64:r*ldc+n64+16], a[r*lda:r*lda+kb], b[n64:], ldb)
				row16(c[r*ldc+n64+16:r*ldc+n64+32], a[r*lda:r*lda+kb], b[n64+16:], ldb)
			}
		}
	}
	for j := j32; j < n16; j += 16 {
		for i := 0; i < m; i += 2 {
			if i+1 < m {
				pair16(c[i*ldc+j:], ldc, a[i*lda:i*lda+kb], a[(i+1)*lda:(i+1)*lda+kb], b[j:], ldb)
			} else {
				row16(c[i*ldc+j:i*ldc+j+16], a[i*lda:i*lda+kb], b[j:], ldb)
			}
		}
	}
	if n16 < n {
		microGo(c[n16:], ldc, a, lda, m, kb, b[n16:], ldb, n-n16)
	}
}

// pair16 computes c[r*ldc + j] += Σ_p a_r[p]·b[p*ldb + j] for rows a_0, a_1 and j < 16.
func pair16(c []float32, ldc int, a0, a1, b []float32, ldb int) {
	s0 := archsimd.LoadFloat32x16Slice(c[0:16])
	s1 := archsimd.LoadFloat32x16Slice(c[ldc : ldc+16])
	a1 = a1[:len(a0)]
	for p, x := range a0 {
		v := archsimd.LoadFloat32x16Slice(b[p*ldb : p*ldb+16])
		s0 = v.MulAdd(archsimd.BroadcastFloat32x16(x), s0)
		s1 = v.MulAdd(archsimd.BroadcastFloat32x16(a1[p]), s1)
	}
	s0.StoreSlice(c[0:16])
	s1.StoreSlice(c[ldc : ldc+16])
}

// row16 computes c[j] += Σ_p pr[p]·b[p*ldb + j] for j < 16.
func row16(c, pr, b []float32, ldb int) {
	s := archsimd.LoadFloat32x16Slice(c[0:16])
	for p, av := range pr {
		s = archsimd.LoadFloat32x16Slice(b[p*ldb:p*ldb+16]).MulAdd(archsimd.BroadcastFloat32x16(av), s)
	}
	s.StoreSlice(c[0:16])
}

// quad32 computes c[r*ldc + j] += Σ_p a[r*lda + p]·b[p*ldb + j] for r < 4, j < 32.
func quad32(c []float32, ldc int, a []float32, lda int, b []float32, ldb, k int) {
	a0, a1, a2, a3 := a[:k], a[lda:lda+k], a[2*lda:2*lda+k], a[3*lda:3*lda+k]
	s00, s01 := archsimd.LoadFloat32x16Slice(c[0:16]), archsimd.LoadFloat32x16Slice(c[16:32])
	s10, s11 := archsimd.LoadFloat32x16Slice(c[ldc:ldc+16]), archsimd.LoadFloat32x16Slice(c[ldc+16:ldc+32])
	s20, s21 := archsimd.LoadFloat32x16Slice(c[2*ldc:2*ldc+16]), archsimd.LoadFloat32x16Slice(c[2*ldc+16:2*ldc+32])
	s30, s31 := archsimd.LoadFloat32x16Slice(c[3*ldc:3*ldc+16]), archsimd.LoadFloat32x16Slice(c[3*ldc+16:3*ldc+32])
	for p, x := range a0 {
		row := b[p*ldb : p*ldb+32]
		v0, v1 := archsimd.LoadFloat32x16Slice(row[0:16]), archsimd.LoadFloat32x16Slice(row[16:32])
		u := archsimd.BroadcastFloat32x16(x)
		s00, s01 = v0.MulAdd(u, s00), v1.MulAdd(u, s01)
		u = archsimd.BroadcastFloat32x16(a1[p])
		s10, s11 = v0.MulAdd(u, s10), v1.MulAdd(u, s11)
		u = archsimd.BroadcastFloat32x16(a2[p])
		s20, s21 = v0.MulAdd(u, s20), v1.MulAdd(u, s21)
		u = archsimd.BroadcastFloat32x16(a3[p])
		s30, s31 = v0.MulAdd(u, s30), v1.MulAdd(u, s31)
	}
	s00.StoreSlice(c[0:16])
	s01.StoreSlice(c[16:32])
	s10.StoreSlice(c[ldc : ldc+16])
	s11.StoreSlice(c[ldc+16 : ldc+32])
	s20.StoreSlice(c[2*ldc : 2*ldc+16])
	s21.StoreSlice(c[2*ldc+16 : 2*ldc+32])
	s30.StoreSlice(c[3*ldc : 3*ldc+16])
	s31.StoreSlice(c[3*ldc+16 : 3*ldc+32])
}
