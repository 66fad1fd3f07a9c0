//go:build !(goexperiment.simd && amd64)

package train

// Kernels names the micro-kernels in use, for benchmarks.
func Kernels() string { return "plain Go (built without GOEXPERIMENT=simd)" }

// microKernels computes C[m, n] += P·B[kb, n] for the packed A block P.
func microKernels(c []float32, ldc int, pk []float32, m, kb int, b []float32, ldb int, n int) {
	microGo(c, ldc, pk, m, kb, b, ldb, n)
}
