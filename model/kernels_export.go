package model

// ExpInPlace sets x[i] = e^x[i] with the decoder's vector kernel (AVX-512 under GOEXPERIMENT=simd,
// about 2 ulp; inputs below −104 give 0). It is exported for the training kernels in model/train.
func ExpInPlace(x []float32) { expInPlace(x) }
