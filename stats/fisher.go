package stats

import (
	"errors"
	"math"
)

// FisherResult is R's fisher.test on a 2 × 2 table.
type FisherResult struct {
	P         float64    // two-sided p-value (tables at most as probable as the observed, relErr 1e-7)
	PLess     float64    // one-sided p-value, odds ratio < 1
	PGreater  float64    // one-sided p-value, odds ratio > 1
	OddsRatio float64    // conditional maximum-likelihood estimate (0 or +Inf at the support's ends)
	CI        [2]float64 // 95% conditional interval of the odds ratio
}

// FisherTest runs Fisher's exact test of independence on a 2 × 2 table given as rows.
func FisherTest(table [][]float64) (FisherResult, error) {
	if len(table) != 2 || len(table[0]) != 2 || len(table[1]) != 2 {
		return FisherResult{}, errors.New("fisher test: only 2 x 2 tables are supported")
	}
	for _, row := range table {
		for _, v := range row {
			if v < 0 || v != math.Trunc(v) {
				return FisherResult{}, errors.New("all entries of 'x' must be nonnegative integers")
			}
		}
	}
	m := table[0][0] + table[1][0] // column 1 total
	n := table[0][1] + table[1][1] // column 2 total
	k := table[0][0] + table[0][1] // row 1 total
	x := table[0][0]
	h := newNCHyper(m, n, k)
	res := FisherResult{
		PLess:    h.cdf(x, 1, false),
		PGreater: h.cdf(x, 1, true),
	}
	d := h.pmf(1)
	obs := d[int(x-h.lo)] * (1 + 1e-7)
	for _, v := range d {
		if v <= obs {
			res.P += v
		}
	}
	res.OddsRatio = h.mle(x)
	res.CI = [2]float64{h.ncpLower(x, 0.025), h.ncpUpper(x, 0.025)}
	return res, nil
}

// ncHyper is the noncentral hypergeometric distribution of the top-left cell given the margins,
// as fisher.test builds it.
type ncHyper struct {
	lo, hi  float64
	support []float64
	logdc   []float64
	m, n, k float64
}

func newNCHyper(m, n, k float64) *ncHyper {
	h := &ncHyper{lo: math.Max(0, k-n), hi: math.Min(k, m), m: m, n: n, k: k}
	for s := h.lo; s <= h.hi; s++ {
		h.support = append(h.support, s)
		h.logdc = append(h.logdc, lchoose(m, s)+lchoose(n, k-s)-lchoose(m+n, k))
	}
	return h
}

// pmf is the distribution over the support at odds ratio ncp.
func (h *ncHyper) pmf(ncp float64) []float64 {
	d := make([]float64, len(h.support))
	mx := math.Inf(-1)
	for i, s := range h.support {
		d[i] = h.logdc[i] + math.Log(ncp)*s
		if d[i] > mx {
			mx = d[i]
		}
	}
	sum := 0.0
	for i := range d {
		d[i] = math.Exp(d[i] - mx)
		sum += d[i]
	}
	for i := range d {
		d[i] /= sum
	}
	return d
}

// mean is the expectation at odds ratio ncp.
func (h *ncHyper) mean(ncp float64) float64 {
	if ncp == 0 {
		return h.lo
	}
	if math.IsInf(ncp, 1) {
		return h.hi
	}
	s := 0.0
	for i, v := range h.pmf(ncp) {
		s += h.support[i] * v
	}
	return s
}

// cdf is P[X <= q] (or P[X >= q] when upper) at odds ratio ncp.
func (h *ncHyper) cdf(q, ncp float64, upper bool) float64 {
	if ncp == 1 {
		d := make([]float64, len(h.support))
		for i := range d {
			d[i] = math.Exp(h.logdc[i])
		}
		return tailSum(h.support, d, q, upper)
	}
	if ncp == 0 {
		return b2f(upper && q <= h.lo || !upper && q >= h.lo)
	}
	if math.IsInf(ncp, 1) {
		return b2f(upper && q <= h.hi || !upper && q >= h.hi)
	}
	return tailSum(h.support, h.pmf(ncp), q, upper)
}

func tailSum(support, d []float64, q float64, upper bool) float64 {
	s := 0.0
	for i, v := range support {
		if (upper && v >= q) || (!upper && v <= q) {
			s += d[i]
		}
	}
	return s
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// mle is the conditional maximum-likelihood odds ratio.
func (h *ncHyper) mle(x float64) float64 {
	if x == h.lo {
		return 0
	}
	if x == h.hi {
		return math.Inf(1)
	}
	mu := h.mean(1)
	switch {
	case mu > x:
		return uniroot(func(t float64) float64 { return h.mean(t) - x }, 0, 1)
	case mu < x:
		return 1 / uniroot(func(t float64) float64 { return h.mean(1/t) - x }, epsilon, 1)
	}
	return 1
}

// ncpUpper is the upper confidence limit at level alpha.
func (h *ncHyper) ncpUpper(x, alpha float64) float64 {
	if x == h.hi {
		return math.Inf(1)
	}
	p := h.cdf(x, 1, false)
	switch {
	case p < alpha:
		return uniroot(func(t float64) float64 { return h.cdf(x, t, false) - alpha }, 0, 1)
	case p > alpha:
		return 1 / uniroot(func(t float64) float64 { return h.cdf(x, 1/t, false) - alpha }, epsilon, 1)
	}
	return 1
}

// ncpLower is the lower confidence limit at level alpha.
func (h *ncHyper) ncpLower(x, alpha float64) float64 {
	if x == h.lo {
		return 0
	}
	p := h.cdf(x, 1, true)
	switch {
	case p > alpha:
		return uniroot(func(t float64) float64 { return h.cdf(x, t, true) - alpha }, 0, 1)
	case p < alpha:
		return 1 / uniroot(func(t float64) float64 { return h.cdf(x, 1/t, true) - alpha }, epsilon, 1)
	}
	return 1
}
