package train

// Plain-Go forms of the element-wise inner loops (the whole implementation without
// GOEXPERIMENT=simd, and the tails of ops_simd.go).

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
