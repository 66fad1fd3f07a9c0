package stats

import (
	"errors"
	"math"
)

// KruskalResult is R's kruskal.test(x, g).
type KruskalResult struct {
	H  float64 // tie-corrected Kruskal–Wallis statistic (NaN when every value is tied)
	DF float64 // number of groups − 1
	P  float64 // upper-tail χ² p-value
}

// Kruskal runs the Kruskal–Wallis rank-sum test of x across the groups named by g.
func Kruskal(x []float64, g []string) (KruskalResult, error) {
	if len(x) != len(g) {
		return KruskalResult{}, errors.New("'x' and 'g' must have the same length")
	}
	if len(x) < 2 {
		return KruskalResult{}, errors.New("not enough observations")
	}
	r, ties := midranks(x)
	sums := map[string]float64{}
	counts := map[string]float64{}
	for i, lv := range g {
		sums[lv] += r[i]
		counts[lv]++
	}
	if len(sums) < 2 {
		return KruskalResult{}, errors.New("all observations are in the same group")
	}
	n := float64(len(x))
	s := 0.0
	for lv, v := range sums {
		s += v * v / counts[lv]
	}
	h := (12*s/(n*(n+1)) - 3*(n+1)) / (1 - tieSum(ties)/(n*n*n-n))
	df := float64(len(sums) - 1)
	if math.IsInf(h, 0) {
		h = math.NaN()
	}
	return KruskalResult{H: h, DF: df, P: pchisqUpper(h, df)}, nil
}
