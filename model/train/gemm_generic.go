//go:build !(goexperiment.simd && amd64)

package train

// Kernels names the micro-kernels in use, for benchmarks.
func Kernels() string { return "plain Go (built without GOEXPERIMENT=simd)" }

// microKernels computes C[m, n] += A[m, kb]·B[kb, n].
func microKernels(c []float32, ldc int, a []float32, lda int, m, kb int, b []float32, ldb int, n int, _ []float32) {
	microGo(c, ldc, a, lda, m, kb, b, ldb, n)
}
