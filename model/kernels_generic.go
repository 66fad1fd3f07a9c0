//go:build !(goexperiment.simd && amd64)

package model

// simdKernels names the kernels in use, for benchmarks and docs.
func simdKernels() string { return "plain Go (built without GOEXPERIMENT=simd)" }

// gemmAdd computes C[i, j] += Σ_p A[i, p]·B[p, j] for i < m, j < n (leading dimensions ldc, lda, ldb).
func gemmAdd(c []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, k, n int) {
	gemmAddGo(c, ldc, a, lda, b, ldb, m, k, n)
}

// dot returns Σ a[i]·b[i] over len(a).
func dot(a, b []float32) float32 { return dotGo(a, b) }

// axpy computes y[i] += alpha·x[i] over len(y).
func axpy(y []float32, alpha float32, x []float32) { axpyGo(y, alpha, x) }

// expInPlace sets x[i] = e^x[i].
func expInPlace(x []float32) { expInPlaceGo(x) }

// siluMul sets dst[i] = silu(g[i])·u[i].
func siluMul(dst, g, u []float32) { siluMulGo(dst, g, u) }
