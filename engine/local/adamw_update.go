package local

import "math"

// adamWStep holds one optimizer step's constants for one tensor: the moment decays, the
// bias-corrected step size lr/(1−β₁ᵗ), 1/√(1−β₂ᵗ), ε and the decoupled decay lr·wd (0 for none).
type adamWStep struct {
	b1, b2, stepSize, invBC2, eps, wd float32
}

// applyGo is the plain-Go update of p with gradient g and moments m, v (all the same length):
// m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², p −= wd·p + stepSize·m/(√v·invBC2 + ε). It is the
// reference the vector form (adamw_simd.go) matches bit for bit.
func (u adamWStep) applyGo(p, g, m, v []float32) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for j, gj := range g {
		m[j] = u.b1*m[j] + (1-u.b1)*gj
		v[j] = u.b2*v[j] + (1-u.b2)*gj*gj
		denom := float32(math.Sqrt(float64(v[j])))*u.invBC2 + u.eps
		p[j] -= u.wd*p[j] + u.stepSize*m[j]/denom
	}
}
