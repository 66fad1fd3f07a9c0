package answer

import (
	"math"
	"math/cmplx"
)

// The one numeric rule of sampled comparisons: at a sample point, values a and b agree when
//
//	|a − b| ≤ tol·max(|a|, |b|) + 1e-12·max(mag(a), mag(b))
//
// where mag is the size of the largest term the value was computed from (the sum of the
// absolute values of the terms of every sum). The second term forgives rounding noise left by
// cancellation (sin²x + cos²x − 1 evaluates to 1e-17, not 0) and nothing else: it scales with
// the terms, so 2.88e-19 and 2.89e-19 (or 10^{-13}x and 2·10^{-13}x) never agree because
// both are small.

// cancelNoise is the relative rounding noise forgiven at the scale of the largest term.
const cancelNoise = 1e-12

// agreeAt applies the numeric rule to two values and their magnitudes.
func agreeAt(va, vb complex128, ma, mb, tol float64) bool {
	diff := cmplx.Abs(va - vb)
	return diff <= tol*math.Max(cmplx.Abs(va), cmplx.Abs(vb))+cancelNoise*math.Max(ma, mb)
}

// magnitude is the size of the largest term of n at the point e: sums add the magnitudes of
// their terms, products multiply them, and any other node is as large as its value (trig
// functions at least 1, since their rounding noise is of that order).
func magnitude(n *node, e env, bud *budget) float64 {
	bud.step(1)
	switch n.k {
	case kAdd:
		s := 0.0
		for _, k := range n.kids {
			s += magnitude(k, e, bud)
		}
		return s
	case kMul:
		p := 1.0
		for _, k := range n.kids {
			p *= magnitude(k, e, bud)
		}
		return p
	case kNeg, kPercent:
		return magnitude(n.kids[0], e, bud)
	case kDiv:
		d, ok := numeric(n.kids[1], e, bud)
		if !ok || d == 0 {
			return 0
		}
		return magnitude(n.kids[0], e, bud) / cmplx.Abs(d)
	case kFunc:
		v, ok := numeric(n, e, bud)
		if !ok {
			return 0
		}
		m := cmplx.Abs(v)
		switch n.name {
		case "sin", "cos", "tan", "sec", "csc", "cot":
			m = math.Max(m, 1)
		case "sqrt":
			m = math.Max(m, math.Sqrt(magnitude(n.kids[0], e, bud)))
		}
		return m
	}
	v, ok := numeric(n, e, bud)
	if !ok {
		return 0
	}
	return cmplx.Abs(v)
}

// scaleFactors are the factors applied to one variable at a time for the extra sample points.
var scaleFactors = []float64{1e-6, 1e6}

// samplePoints are the evaluation points of a sampled comparison: the six point sets, then, one
// variable at a time (up to 8 variables), the first set with that variable scaled by 1e-6 and by
// 1e6, so that a term that is negligible at the ordinary points (x beside 10^{-12} under a root,
// 10^{-8}x inside a sine) dominates at some point. scaled marks the extra points, at which an
// undefined or non-finite value is skipped rather than decisive.
func samplePoints(names []string) (envs []env, scaled []bool) {
	for _, pt := range points {
		envs = append(envs, pointEnv(names, pt))
		scaled = append(scaled, false)
	}
	if len(names) > 8 {
		return envs, scaled
	}
	for _, n := range names {
		for _, f := range scaleFactors {
			e := pointEnv(names, points[0])
			e[n] *= complex(f, 0)
			envs = append(envs, e)
			scaled = append(scaled, true)
		}
	}
	return envs, scaled
}
