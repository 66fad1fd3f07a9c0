package model

// ExpInPlace sets x[i] = e^x[i] with the decoder's vector kernel (AVX-512 or AVX2 under
// GOEXPERIMENT=simd, about 2 ulp; inputs below −104 (AVX-512) or −87.33 (AVX2, plain Go) give 0). It is exported for the training kernels in model/train.
func ExpInPlace(x []float32) { expInPlace(x) }

// SiLUMul sets dst[i] = silu(g[i])·u[i] = g[i]/(1+e^−g[i])·u[i] with the decoder's vector kernel
// (SwiGLU's activation; exported for model/train).
func SiLUMul(dst, g, u []float32) { siluMul(dst, g, u) }

// GemmAdd computes C[i, j] += Σ_p A[i, p]·B[p, j] for i < m, j < n on one core, with the decoder's
// best kernel for this CPU (AVX-512, else AVX2+FMA, else plain Go). It is exported for model/train,
// whose own micro-kernels are AVX-512 only.
func GemmAdd(c []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, k, n int) {
	gemmAdd(c, ldc, a, lda, b, ldb, m, k, n)
}
