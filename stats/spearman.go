package stats

import (
	"errors"
	"math"
)

// SpearmanResult is R's cor.test(x, y, method = "spearman").
type SpearmanResult struct {
	Rho      float64  // Spearman's ρ: the Pearson correlation of the mid-ranks
	S        float64  // S = (n³ − n)(1 − ρ)/6
	P        float64  // two-sided p-value
	Method   string   // R's method string
	Warnings []string // R's warnings (ties with exact requested, a constant variable)
}

// Spearman runs cor.test(x, y, method = "spearman", exact). With exact and no ties the p-value
// comes from algorithm AS 89 as R runs it (exact enumeration for n ≤ 9, an Edgeworth series
// above); otherwise from the t approximation on n − 2 degrees of freedom.
func Spearman(x, y []float64, exact bool) (SpearmanResult, error) {
	if len(x) != len(y) {
		return SpearmanResult{}, errors.New("'x' and 'y' must have the same length")
	}
	n := len(x)
	if n < 2 {
		return SpearmanResult{}, errors.New("not enough finite observations")
	}
	rx, tx := midranks(x)
	ry, ty := midranks(y)
	res := SpearmanResult{Method: "Spearman's rank correlation rho"}
	rho := pearson(rx, ry)
	fn := float64(n)
	if math.IsNaN(rho) {
		res.Rho, res.S, res.P = math.NaN(), math.NaN(), math.NaN()
		res.Warnings = []string{warnSDZero}
		return res, nil
	}
	q := (fn*fn*fn - fn) * (1 - rho) / 6
	res.Rho, res.S = rho, q
	if exact && (len(tx) > 0 || len(ty) > 0) {
		res.Warnings = append(res.Warnings, "Cannot compute exact p-value with ties")
		exact = false
	}
	ps := func(q float64, lower bool) float64 {
		if exact && n <= 1290 {
			l := 0.0
			if lower {
				l = 2
			}
			return prho(n, math.Round(q)+l, lower)
		}
		den := fn * (fn*fn - 1) / 6
		r := 1 - q/den
		return pt(r/math.Sqrt((1-r*r)/(fn-2)), fn-2, lower)
	}
	var p float64
	if q > (fn*fn*fn-fn)/6 {
		p = ps(q, false)
	} else {
		p = ps(q, true)
	}
	res.P = math.Min(2*p, 1)
	return res, nil
}

// prho is algorithm AS 89 (Best & Roberts 1975) as in R's prho.c: P[S >= is] (or P[S < is] when
// lower) for Spearman's S with n observations and no ties; exact by enumerating the n!
// permutations for n ≤ 9, else an Edgeworth series.
func prho(n int, is float64, lower bool) float64 {
	pv := 1.0
	if lower {
		pv = 0
	}
	if n <= 1 || is <= 0 {
		return pv
	}
	fn := float64(n)
	n3 := fn * (fn*fn - 1) / 3
	if is > n3 {
		return 1 - pv
	}
	if n <= 9 {
		perm := make([]int, n)
		for i := range perm {
			perm[i] = i
		}
		var nfac, ifr float64
		permute(perm, 0, func(p []int) {
			nfac++
			s := 0
			for i, v := range p {
				d := i - v
				s += d * d
			}
			if is <= float64(s) {
				ifr++
			}
		})
		if lower {
			return (nfac - ifr) / nfac
		}
		return ifr / nfac
	}
	const (
		c1, c2, c3, c4, c5, c6    = 0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932
		c7, c8, c9, c10, c11, c12 = 0.0879, 0.0151, 0.0072, 0.0831, 0.0131, 4.6e-4
	)
	b := 1 / fn
	x := (6*(is-1)*b/(fn*fn-1) - 1) * math.Sqrt(1/b-1)
	y := x * x
	u := x * b * (c1 + b*(c2+c3*b) + y*(-c4+b*(c5+c6*b)-y*b*(c7+c8*b-y*(c9-c10*b+y*b*(c11-c12*y)))))
	y = u / math.Exp(y/2)
	if lower {
		pv = -y + pnorm(x, false)
	} else {
		pv = y + pnorm(x, true)
	}
	return math.Max(0, math.Min(1, pv))
}

// permute calls f with every permutation of p[k:] (p[:k] fixed).
func permute(p []int, k int, f func([]int)) {
	if k == len(p) {
		f(p)
		return
	}
	for i := k; i < len(p); i++ {
		p[k], p[i] = p[i], p[k]
		permute(p, k+1, f)
		p[k], p[i] = p[i], p[k]
	}
}
