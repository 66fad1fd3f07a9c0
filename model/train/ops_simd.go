//go:build goexperiment.simd && amd64

package train

import "simd/archsimd"

// The element-wise kernels' inner loops, chosen by CPU feature: AVX-512 where this file has a form
// for it, else AVX2+FMA (ops_avx2.go; also what AVX-512 CPUs run for the kernels without an
// AVX-512 form), else plain Go (ops_generic.go, which also handles the tails).

// negInto sets dst[i] = −x[i].
func negInto(dst, x []float32) {
	if !useAVX512 {
		if useAVX2 {
			negIntoAVX2(dst, x)
			return
		}
		negIntoGo(dst, x)
		return
	}
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
	if !useAVX512 {
		if useAVX2 {
			swiGLUBackAVX2(dg, du, da, g, u, e)
			return
		}
		swiGLUBackGo(dg, du, da, g, u, e)
		return
	}
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
	if !useAVX512 {
		if useAVX2 {
			return sumSquaresAVX2(x)
		}
		return sumSquaresGo(x)
	}
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
	if !useAVX512 {
		if useAVX2 {
			scaleMulAVX2(h, x, w, r)
			return
		}
		scaleMulGo(h, x, w, r)
		return
	}
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

// scaleMax sets x[i] *= s and returns max x[i] (−Inf for none).
func scaleMax(x []float32, s float32) float32 {
	if useAVX2 {
		return scaleMaxAVX2(x, s)
	}
	return scaleMaxGo(x, s)
}

// addScalar sets x[i] += c.
func addScalar(x []float32, c float32) {
	if useAVX2 {
		addScalarAVX2(x, c)
		return
	}
	addScalarGo(x, c)
}

// sumOf returns Σ x[i].
func sumOf(x []float32) float32 {
	if useAVX2 {
		return sumOfAVX2(x)
	}
	return sumOfGo(x)
}

// scaleRow sets x[i] *= s.
func scaleRow(x []float32, s float32) {
	if useAVX2 {
		scaleRowAVX2(x, s)
		return
	}
	scaleRowGo(x, s)
}

// dot3 returns Σ a[i]·b[i]·c[i].
func dot3(a, b, c []float32) float32 {
	if useAVX2 {
		return dot3AVX2(a, b, c)
	}
	return dot3Go(a, b, c)
}

// rmsBackRow sets dx[i] += r·dy[i]·w[i] − x[i]·c (one row of RMSNorm's input gradient).
func rmsBackRow(dx, dy, w, x []float32, r, c float32) {
	if useAVX2 {
		rmsBackRowAVX2(dx, dy, w, x, r, c)
		return
	}
	rmsBackRowGo(dx, dy, w, x, r, c)
}

// mulAcc sets y[i] += a[i]·b[i]·r, rounding as the plain-Go form does (no fused multiply-add), so
// that a split of y over goroutines at any boundary gives the same bits.
func mulAcc(y, a, b []float32, r float32) {
	if useAVX2 {
		mulAccAVX2(y, a, b, r)
		return
	}
	mulAccGo(y, a, b, r)
}

// addTo sets y[i] += x[i].
func addTo(y, x []float32) {
	if useAVX2 {
		addToAVX2(y, x)
		return
	}
	addToGo(y, x)
}

// softmaxBackRow turns d = dP into dS = P⊙(dP − Σ P⊙dP)·scale for one row of probabilities p.
func softmaxBackRow(p, d []float32, scale float32) {
	if useAVX2 {
		softmaxBackRowAVX2(p, d, scale)
		return
	}
	softmaxBackRowGo(p, d, scale)
}
