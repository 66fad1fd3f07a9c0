//go:build goexperiment.simd && amd64

package train

import "simd/archsimd"

// Vector forms of the element-wise kernels' inner loops (AVX-512); ops_generic.go has the plain-Go
// forms, which also handle the tails.

// negInto sets dst[i] = −x[i].
func negInto(dst, x []float32) {
	n := 0
	if useAVX512 {
		n = len(dst) / 16 * 16
		x = x[:len(dst)]
		zero := archsimd.BroadcastFloat32x16(0)
		for i := 0; i < n; i += 16 {
			zero.Sub(archsimd.LoadFloat32x16Slice(x[i : i+16])).StoreSlice(dst[i : i+16])
		}
	}
	negIntoGo(dst[n:], x[n:])
}

// swiGLUBack sets dg, du from da, the gate g, the up projection u and e = e^−g:
// with s = 1/(1+e), dg = da·u·s·(1 + g·(1−s)) and du = da·g·s.
func swiGLUBack(dg, du, da, g, u, e []float32) {
	n := 0
	if useAVX512 {
		n = len(dg) / 16 * 16
		one := archsimd.BroadcastFloat32x16(1)
		for i := 0; i < n; i += 16 {
			gv := archsimd.LoadFloat32x16Slice(g[i : i+16])
			s := one.Div(archsimd.LoadFloat32x16Slice(e[i : i+16]).Add(one))
			a := archsimd.LoadFloat32x16Slice(da[i : i+16])
			as := a.Mul(s)
			uv := archsimd.LoadFloat32x16Slice(u[i : i+16])
			as.Mul(uv).Mul(gv.Mul(one.Sub(s)).Add(one)).StoreSlice(dg[i : i+16])
			as.Mul(gv).StoreSlice(du[i : i+16])
		}
	}
	swiGLUBackGo(dg[n:], du[n:], da[n:], g[n:], u[n:], e[n:])
}

// sumSquares returns Σ x[i]².
func sumSquares(x []float32) float32 {
	n, s := 0, float32(0)
	if useAVX512 && len(x) >= 16 {
		n = len(x) / 16 * 16
		acc := archsimd.BroadcastFloat32x16(0)
		for i := 0; i < n; i += 16 {
			v := archsimd.LoadFloat32x16Slice(x[i : i+16])
			acc = v.MulAdd(v, acc)
		}
		var tmp [16]float32
		acc.Store(&tmp)
		for _, v := range tmp {
			s += v
		}
	}
	return s + sumSquaresGo(x[n:])
}

// scaleMul sets h[i] = x[i]·r·w[i].
func scaleMul(h, x, w []float32, r float32) {
	n := 0
	if useAVX512 {
		n = len(h) / 16 * 16
		rv := archsimd.BroadcastFloat32x16(r)
		for i := 0; i < n; i += 16 {
			archsimd.LoadFloat32x16Slice(x[i : i+16]).Mul(rv).Mul(archsimd.LoadFloat32x16Slice(w[i : i+16])).StoreSlice(h[i : i+16])
		}
	}
	scaleMulGo(h[n:], x[n:], w[n:], r)
}
