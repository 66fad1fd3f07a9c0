package model

// ExpInPlace sets x[i] = e^x[i] with the decoder's vector kernel (AVX-512 under GOEXPERIMENT=simd,
// about 2 ulp; inputs below −104 give 0). It is exported for the training kernels in model/train.
func ExpInPlace(x []float32) { expInPlace(x) }

// SiLUMul sets dst[i] = silu(g[i])·u[i] = g[i]/(1+e^−g[i])·u[i] with the decoder's vector kernel
// (SwiGLU's activation; exported for model/train).
func SiLUMul(dst, g, u []float32) { siluMul(dst, g, u) }
