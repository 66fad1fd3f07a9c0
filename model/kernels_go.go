package model

// Plain-Go kernels: the whole implementation without GOEXPERIMENT=simd or AVX-512, and the tails
// of the SIMD kernels.

// gemmAddGo computes C[i, j] += Σ_p A[i, p]·B[p, j], streaming rows of B (axpy form, which the
// compiler keeps in cache-friendly unit stride).
func gemmAddGo(c []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, k, n int) {
	for i := 0; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		ai := a[i*lda : i*lda+k]
		for p, av := range ai {
			if av == 0 {
				continue
			}
			axpyGo(ci, av, b[p*ldb:p*ldb+n])
		}
	}
}

// dotGo returns Σ a[i]·b[i] over len(a), in four independent partial sums.
func dotGo(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpyGo computes y[i] += alpha·x[i] over len(y).
func axpyGo(y []float32, alpha float32, x []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += alpha * x[i]
	}
}

// expInPlaceGo sets x[i] = e^x[i].
func expInPlaceGo(x []float32) {
	for i, v := range x {
		x[i] = expf(v)
	}
}

// siluMulGo sets dst[i] = silu(g[i])·u[i] = g[i]/(1+e^-g[i])·u[i].
func siluMulGo(dst, g, u []float32) {
	g, u = g[:len(dst)], u[:len(dst)]
	for i, v := range g {
		dst[i] = v / (1 + expf(-v)) * u[i]
	}
}
