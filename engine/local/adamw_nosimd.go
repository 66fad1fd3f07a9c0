//go:build !(goexperiment.simd && amd64)

package local

// apply is applyGo (built without GOEXPERIMENT=simd).
func (u adamWStep) apply(p, g, m, v []float32) { u.applyGo(p, g, m, v) }
