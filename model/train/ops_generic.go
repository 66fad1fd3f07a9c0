package train

import "math"

// Plain-Go forms of the element-wise inner loops: the whole implementation without
// GOEXPERIMENT=simd, the tails of the vector forms (ops_simd.go, ops_avx2.go), and the references
// their parity tests compare against (ops_test.go).

func negIntoGo(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = -v
	}
}

func swiGLUBackGo(dg, du, da, g, u, e []float32) {
	for i := range dg {
		s := 1 / (1 + e[i])
		dg[i] = da[i] * u[i] * s * (1 + g[i]*(1-s))
		du[i] = da[i] * g[i] * s
	}
}

func sumSquaresGo(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += v * v
	}
	return s
}

func scaleMulGo(h, x, w []float32, r float32) {
	x, w = x[:len(h)], w[:len(h)]
	for i, v := range x {
		h[i] = v * r * w[i]
	}
}

func scaleMaxGo(x []float32, s float32) float32 {
	mx := float32(math.Inf(-1))
	for i, v := range x {
		x[i] = v * s
		mx = max(mx, x[i])
	}
	return mx
}

func addScalarGo(x []float32, c float32) {
	for i := range x {
		x[i] += c
	}
}

func sumOfGo(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += v
	}
	return s
}

func scaleRowGo(x []float32, s float32) {
	for i := range x {
		x[i] *= s
	}
}

func dot3Go(a, b, c []float32) float32 {
	b, c = b[:len(a)], c[:len(a)]
	var s float32
	for i, v := range a {
		s += v * b[i] * c[i]
	}
	return s
}

func rmsBackRowGo(dx, dy, w, x []float32, r, c float32) {
	dy, w, x = dy[:len(dx)], w[:len(dx)], x[:len(dx)]
	for i, v := range x {
		dx[i] += r*dy[i]*w[i] - v*c
	}
}

func mulAccGo(y, a, b []float32, r float32) {
	a, b = a[:len(y)], b[:len(y)]
	for i, v := range b {
		y[i] += a[i] * v * r
	}
}

func addToGo(y, x []float32) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += v
	}
}

func softmaxBackRowGo(p, d []float32, scale float32) {
	d = d[:len(p)]
	var s float32
	for j, pv := range p {
		s += pv * d[j]
	}
	for j, pv := range p {
		d[j] = pv * (d[j] - s) * scale
	}
}
