package stats

import (
	"math"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// pt is the Student t distribution function with df degrees of freedom: P[T <= t], or P[T > t]
// when upper. Tails go through the regularised incomplete beta so tiny p-values keep their
// relative precision.
func pt(t, df float64, upper bool) float64 {
	if math.IsNaN(t) || math.IsNaN(df) {
		return math.NaN()
	}
	if math.IsInf(t, 0) {
		if (t > 0) == upper {
			return 0
		}
		return 1
	}
	if math.IsInf(df, 1) {
		return pnorm(t, upper)
	}
	tail := 0.5 * mathext.RegIncBeta(df/2, 0.5, df/(df+t*t)) // P[T > |t|]
	if (t > 0) == upper {
		return tail
	}
	return 1 - tail
}

// qt is the Student t quantile function.
func qt(p, df float64) float64 {
	if math.IsInf(df, 1) {
		return distuv.UnitNormal.Quantile(p)
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(p)
}

// pnorm is the standard normal distribution function, P[Z <= z] or P[Z > z] when upper.
func pnorm(z float64, upper bool) float64 {
	if upper {
		z = -z
	}
	return 0.5 * math.Erfc(-z/math.Sqrt2)
}

// qnorm is the standard normal quantile function.
func qnorm(p float64) float64 { return distuv.UnitNormal.Quantile(p) }

// pchisqUpper is P[X > x] for a χ² variable with df degrees of freedom.
func pchisqUpper(x, df float64) float64 {
	if math.IsNaN(x) || math.IsNaN(df) {
		return math.NaN()
	}
	if x <= 0 {
		return 1
	}
	if math.IsInf(x, 1) {
		return 0
	}
	return mathext.GammaIncRegComp(df/2, x/2)
}

// lchoose is log(n choose k).
func lchoose(n, k float64) float64 {
	a, _ := math.Lgamma(n + 1)
	b, _ := math.Lgamma(k + 1)
	c, _ := math.Lgamma(n - k + 1)
	return a - b - c
}

// mean returns the arithmetic mean of x.
func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// variance returns the sample variance of x (n − 1 denominator), computed in two passes as R does.
func variance(x []float64) float64 {
	m := mean(x)
	s := 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return s / float64(len(x)-1)
}

// fUpper is P[F > f] for the F distribution with d1 and d2 degrees of freedom.
func fUpper(f, d1, d2 float64) float64 {
	if math.IsNaN(f) {
		return math.NaN()
	}
	if f <= 0 {
		return 1
	}
	return mathext.RegIncBeta(d2/2, d1/2, d2/(d2+d1*f))
}
