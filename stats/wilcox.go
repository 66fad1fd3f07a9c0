package stats

import (
	"errors"
	"math"
)

// WilcoxonResult is R's wilcox.test(x, y) for two independent samples (the Mann–Whitney U test).
type WilcoxonResult struct {
	W        float64  // the U statistic of x: rank sum of x − nx(nx+1)/2
	P        float64  // two-sided p-value
	PLess    float64  // p-value for x stochastically smaller than y
	PGreater float64  // p-value for x stochastically larger than y
	Method   string   // R's method string (exact, with or without continuity correction)
	Warnings []string // R's warnings (the exact test falling back with ties)
}

// Wilcoxon runs the Wilcoxon rank-sum (Mann–Whitney U) test as R's wilcox.test(x, y, exact,
// correct). exact requests the exact null distribution, which R (and this) can only use without
// ties; with ties it falls back to the normal approximation with tie-corrected variance and a
// warning. correct applies the continuity correction to the normal approximation.
func Wilcoxon(x, y []float64, exact, correct bool) (WilcoxonResult, error) {
	if len(x) < 1 {
		return WilcoxonResult{}, errors.New("not enough (non-missing) 'x' observations")
	}
	if len(y) < 1 {
		return WilcoxonResult{}, errors.New("not enough 'y' observations")
	}
	all := append(append([]float64{}, x...), y...)
	r, ties := midranks(all)
	nx, ny := float64(len(x)), float64(len(y))
	sx := 0.0
	for i := range x {
		sx += r[i]
	}
	w := sx - nx*(nx+1)/2
	res := WilcoxonResult{W: w}
	if exact && len(ties) == 0 {
		res.Method = "Wilcoxon rank sum exact test"
		d := wilcoxDist(len(x), len(y))
		less := wilcoxCDF(d, w)
		greater := wilcoxUpper(d, w)
		var p float64
		if w > nx*ny/2 {
			p = greater
		} else {
			p = less
		}
		res.P, res.PLess, res.PGreater = math.Min(2*p, 1), less, greater
		return res, nil
	}
	if exact {
		res.Warnings = append(res.Warnings, "cannot compute exact p-value with ties")
	}
	res.Method = "Wilcoxon rank sum test"
	if correct {
		res.Method += " with continuity correction"
	}
	n := nx + ny
	sigma := math.Sqrt(nx * ny / 12 * ((n + 1) - tieSum(ties)/(n*(n-1))))
	z := w - nx*ny/2
	cc := func(c float64) float64 {
		if !correct {
			return 0
		}
		return c
	}
	z2 := (z - cc(0.5*sign(z))) / sigma
	res.P = 2 * math.Min(pnorm(z2, false), pnorm(z2, true))
	res.PLess = pnorm((z+cc(0.5))/sigma, false)
	res.PGreater = pnorm((z-cc(0.5))/sigma, true)
	return res, nil
}

// sign is R's sign(): −1, 0 or 1.
func sign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// wilcoxDist returns P[U = k] for k = 0..m·n under the null of the rank-sum statistic with sample
// sizes m and n (the distribution behind R's dwilcox), by the recurrence
// c(k; i, j) = c(k − j; i − 1, j) + c(k; i, j − 1).
func wilcoxDist(m, n int) []float64 {
	// prev[j] holds the counts for (i−1, j); cur[j] for (i, j).
	prev := make([][]float64, n+1)
	for j := range prev {
		prev[j] = []float64{1} // i = 0: U = 0 only
	}
	for i := 1; i <= m; i++ {
		cur := make([][]float64, n+1)
		cur[0] = []float64{1}
		for j := 1; j <= n; j++ {
			c := make([]float64, i*j+1)
			for k, v := range cur[j-1] {
				c[k] += v
			}
			for k, v := range prev[j] {
				c[k+j] += v
			}
			cur[j] = c
		}
		prev = cur
	}
	counts := prev[n]
	total := 0.0
	for _, v := range counts {
		total += v
	}
	out := make([]float64, len(counts))
	for k, v := range counts {
		out[k] = v / total
	}
	return out
}

// wilcoxCDF is P[U <= q] for the distribution d.
func wilcoxCDF(d []float64, q float64) float64 {
	q = math.Floor(q + 1e-7)
	if q < 0 {
		return 0
	}
	if int(q) >= len(d)-1 {
		return 1
	}
	s := 0.0
	for k := 0; k <= int(q); k++ {
		s += d[k]
	}
	return s
}

// wilcoxUpper is P[U >= q] for the distribution d, summed from the upper end so small tails keep
// their precision.
func wilcoxUpper(d []float64, q float64) float64 {
	q = math.Ceil(q - 1e-7)
	if q <= 0 {
		return 1
	}
	s := 0.0
	for k := len(d) - 1; k >= int(q); k-- {
		s += d[k]
	}
	return s
}
