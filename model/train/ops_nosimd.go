//go:build !(goexperiment.simd && amd64)

package train

func negInto(dst, x []float32)                 { negIntoGo(dst, x) }
func swiGLUBack(dg, du, da, g, u, e []float32) { swiGLUBackGo(dg, du, da, g, u, e) }
func sumSquares(x []float32) float32           { return sumSquaresGo(x) }
func scaleMul(h, x, w []float32, r float32)    { scaleMulGo(h, x, w, r) }
