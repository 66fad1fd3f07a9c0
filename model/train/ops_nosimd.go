//go:build !(goexperiment.simd && amd64)

package train

func negInto(dst, x []float32)                        { negIntoGo(dst, x) }
func swiGLUBack(dg, du, da, g, u, e []float32)        { swiGLUBackGo(dg, du, da, g, u, e) }
func sumSquares(x []float32) float32                  { return sumSquaresGo(x) }
func scaleMul(h, x, w []float32, r float32)           { scaleMulGo(h, x, w, r) }
func scaleMax(x []float32, s float32) float32         { return scaleMaxGo(x, s) }
func addScalar(x []float32, c float32)                { addScalarGo(x, c) }
func sumOf(x []float32) float32                       { return sumOfGo(x) }
func scaleRow(x []float32, s float32)                 { scaleRowGo(x, s) }
func dot3(a, b, c []float32) float32                  { return dot3Go(a, b, c) }
func rmsBackRow(dx, dy, w, x []float32, r, c float32) { rmsBackRowGo(dx, dy, w, x, r, c) }
func mulAcc(y, a, b []float32, r float32)             { mulAccGo(y, a, b, r) }
func addTo(y, x []float32)                            { addToGo(y, x) }
func softmaxBackRow(p, d []float32, scale float32)    { softmaxBackRowGo(p, d, scale) }
