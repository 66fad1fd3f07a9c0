package stats

import "math"

// uniroot finds a root of f in [lo, hi] exactly as R's uniroot does by default (Brent's zeroin,
// tol = .Machine$double.eps^0.25, at most 1000 iterations), so results that R reports only to
// uniroot's tolerance (Fisher's conditional MLE and its interval) come out the same here.
func uniroot(f func(float64) float64, lo, hi float64) float64 {
	return zeroin(lo, hi, f(lo), f(hi), f, math.Pow(epsilon, 0.25), 1000)
}

// zeroin is R's R_zeroin2 (netlib's Brent root finder).
func zeroin(ax, bx, fa, fb float64, f func(float64) float64, tol float64, maxit int) float64 {
	a, b := ax, bx
	c, fc := a, fa
	if fa == 0 {
		return a
	}
	if fb == 0 {
		return b
	}
	for it := maxit + 1; it > 0; it-- {
		prev := b - a
		if math.Abs(fc) < math.Abs(fb) {
			a, b, c = b, c, b
			fa, fb, fc = fb, fc, fb
		}
		tolAct := 2*epsilon*math.Abs(b) + tol/2
		step := (c - b) / 2
		if math.Abs(step) <= tolAct || fb == 0 {
			return b
		}
		if math.Abs(prev) >= tolAct && math.Abs(fa) > math.Abs(fb) {
			var p, q float64
			cb := c - b
			if a == c {
				t1 := fb / fa
				p = cb * t1
				q = 1 - t1
			} else {
				qq := fa / fc
				t1 := fb / fc
				t2 := fb / fa
				p = t2 * (cb*qq*(qq-t1) - (b-a)*(t1-1))
				q = (qq - 1) * (t1 - 1) * (t2 - 1)
			}
			if p > 0 {
				q = -q
			} else {
				p = -p
			}
			if p < 0.75*cb*q-math.Abs(tolAct*q)/2 && p < math.Abs(prev*q/2) {
				step = p / q
			}
		}
		if math.Abs(step) < tolAct {
			if step > 0 {
				step = tolAct
			} else {
				step = -tolAct
			}
		}
		a, fa = b, fb
		b += step
		fb = f(b)
		if (fb > 0 && fc > 0) || (fb < 0 && fc < 0) {
			c, fc = a, fa
		}
	}
	return b
}
