//go:build goexperiment.simd && amd64

package train

import "simd/archsimd"

// AVX2+FMA forms of the element-wise inner loops (8 lanes); the tails go through ops_generic.go.
// Element-wise kernels whose callers split one vector over goroutines at arbitrary boundaries
// (mulAcc, addTo) round exactly as their plain-Go tails do, so the split cannot change a bit.

func negIntoAVX2(dst, x []float32) {
	n := len(dst) / 8 * 8
	x = x[:len(dst)]
	zero := archsimd.BroadcastFloat32x8(0)
	for i := 0; i < n; i += 8 {
		zero.Sub(archsimd.LoadFloat32x8Slice(x[i : i+8])).StoreSlice(dst[i : i+8])
	}
	negIntoGo(dst[n:], x[n:])
}

func swiGLUBackAVX2(dg, du, da, g, u, e []float32) {
	n := len(dg) / 8 * 8
	du, da, g, u, e = du[:len(dg)], da[:len(dg)], g[:len(dg)], u[:len(dg)], e[:len(dg)]
	one := archsimd.BroadcastFloat32x8(1)
	for i := 0; i < n; i += 8 {
		gv := archsimd.LoadFloat32x8Slice(g[i : i+8])
		s := one.Div(archsimd.LoadFloat32x8Slice(e[i : i+8]).Add(one))
		as := archsimd.LoadFloat32x8Slice(da[i : i+8]).Mul(s)
		uv := archsimd.LoadFloat32x8Slice(u[i : i+8])
		as.Mul(uv).Mul(gv.Mul(one.Sub(s)).Add(one)).StoreSlice(dg[i : i+8])
		as.Mul(gv).StoreSlice(du[i : i+8])
	}
	swiGLUBackGo(dg[n:], du[n:], da[n:], g[n:], u[n:], e[n:])
}

// hsum returns the sum of v's lanes.
func hsum(v archsimd.Float32x8) float32 {
	var t [8]float32
	v.Store(&t)
	return ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]))
}

func sumSquaresAVX2(x []float32) float32 {
	n := len(x) / 8 * 8
	acc := archsimd.BroadcastFloat32x8(0)
	for i := 0; i < n; i += 8 {
		v := archsimd.LoadFloat32x8Slice(x[i : i+8])
		acc = v.MulAdd(v, acc)
	}
	return hsum(acc) + sumSquaresGo(x[n:])
}

func scaleMulAVX2(h, x, w []float32, r float32) {
	n := len(h) / 8 * 8
	x, w = x[:len(h)], w[:len(h)]
	rv := archsimd.BroadcastFloat32x8(r)
	for i := 0; i < n; i += 8 {
		archsimd.LoadFloat32x8Slice(x[i : i+8]).Mul(rv).Mul(archsimd.LoadFloat32x8Slice(w[i : i+8])).StoreSlice(h[i : i+8])
	}
	scaleMulGo(h[n:], x[n:], w[n:], r)
}

func scaleMaxAVX2(x []float32, s float32) float32 {
	n := len(x) / 8 * 8
	mx := scaleMaxGo(x[n:], s)
	if n == 0 {
		return mx
	}
	sv := archsimd.BroadcastFloat32x8(s)
	acc := archsimd.LoadFloat32x8Slice(x[:8]).Mul(sv)
	acc.StoreSlice(x[:8])
	for i := 8; i < n; i += 8 {
		v := archsimd.LoadFloat32x8Slice(x[i : i+8]).Mul(sv)
		v.StoreSlice(x[i : i+8])
		acc = acc.Max(v)
	}
	var t [8]float32
	acc.Store(&t)
	for _, v := range t {
		mx = max(mx, v)
	}
	return mx
}

func addScalarAVX2(x []float32, c float32) {
	n := len(x) / 8 * 8
	cv := archsimd.BroadcastFloat32x8(c)
	for i := 0; i < n; i += 8 {
		archsimd.LoadFloat32x8Slice(x[i : i+8]).Add(cv).StoreSlice(x[i : i+8])
	}
	addScalarGo(x[n:], c)
}

func sumOfAVX2(x []float32) float32 {
	n := len(x) / 8 * 8
	acc := archsimd.BroadcastFloat32x8(0)
	for i := 0; i < n; i += 8 {
		acc = acc.Add(archsimd.LoadFloat32x8Slice(x[i : i+8]))
	}
	return hsum(acc) + sumOfGo(x[n:])
}

func scaleRowAVX2(x []float32, s float32) {
	n := len(x) / 8 * 8
	sv := archsimd.BroadcastFloat32x8(s)
	for i := 0; i < n; i += 8 {
		archsimd.LoadFloat32x8Slice(x[i : i+8]).Mul(sv).StoreSlice(x[i : i+8])
	}
	scaleRowGo(x[n:], s)
}

func dot3AVX2(a, b, c []float32) float32 {
	n := len(a) / 8 * 8
	b, c = b[:len(a)], c[:len(a)]
	acc := archsimd.BroadcastFloat32x8(0)
	for i := 0; i < n; i += 8 {
		ab := archsimd.LoadFloat32x8Slice(a[i : i+8]).Mul(archsimd.LoadFloat32x8Slice(b[i : i+8]))
		acc = ab.MulAdd(archsimd.LoadFloat32x8Slice(c[i:i+8]), acc)
	}
	return hsum(acc) + dot3Go(a[n:], b[n:], c[n:])
}

func rmsBackRowAVX2(dx, dy, w, x []float32, r, c float32) {
	n := len(dx) / 8 * 8
	dy, w, x = dy[:len(dx)], w[:len(dx)], x[:len(dx)]
	rv, cv := archsimd.BroadcastFloat32x8(r), archsimd.BroadcastFloat32x8(c)
	for i := 0; i < n; i += 8 {
		g := archsimd.LoadFloat32x8Slice(dy[i : i+8]).Mul(rv).Mul(archsimd.LoadFloat32x8Slice(w[i : i+8]))
		xc := archsimd.LoadFloat32x8Slice(x[i : i+8]).Mul(cv)
		archsimd.LoadFloat32x8Slice(dx[i : i+8]).Add(g.Sub(xc)).StoreSlice(dx[i : i+8])
	}
	rmsBackRowGo(dx[n:], dy[n:], w[n:], x[n:], r, c)
}

func mulAccAVX2(y, a, b []float32, r float32) {
	n := len(y) / 8 * 8
	a, b = a[:len(y)], b[:len(y)]
	rv := archsimd.BroadcastFloat32x8(r)
	for i := 0; i < n; i += 8 {
		t := archsimd.LoadFloat32x8Slice(a[i : i+8]).Mul(archsimd.LoadFloat32x8Slice(b[i : i+8])).Mul(rv)
		archsimd.LoadFloat32x8Slice(y[i : i+8]).Add(t).StoreSlice(y[i : i+8])
	}
	mulAccGo(y[n:], a[n:], b[n:], r)
}

func addToAVX2(y, x []float32) {
	n := len(y) / 8 * 8
	x = x[:len(y)]
	for i := 0; i < n; i += 8 {
		archsimd.LoadFloat32x8Slice(y[i : i+8]).Add(archsimd.LoadFloat32x8Slice(x[i : i+8])).StoreSlice(y[i : i+8])
	}
	addToGo(y[n:], x[n:])
}

func softmaxBackRowAVX2(p, d []float32, scale float32) {
	n := len(p) / 8 * 8
	d = d[:len(p)]
	acc := archsimd.BroadcastFloat32x8(0)
	for i := 0; i < n; i += 8 {
		acc = archsimd.LoadFloat32x8Slice(p[i:i+8]).MulAdd(archsimd.LoadFloat32x8Slice(d[i:i+8]), acc)
	}
	s := hsum(acc)
	for i := n; i < len(p); i++ {
		s += p[i] * d[i]
	}
	sv, sc := archsimd.BroadcastFloat32x8(s), archsimd.BroadcastFloat32x8(scale)
	for i := 0; i < n; i += 8 {
		pv := archsimd.LoadFloat32x8Slice(p[i : i+8])
		pv.Mul(archsimd.LoadFloat32x8Slice(d[i : i+8]).Sub(sv)).Mul(sc).StoreSlice(d[i : i+8])
	}
	for i := n; i < len(p); i++ {
		d[i] = p[i] * (d[i] - s) * scale
	}
}
