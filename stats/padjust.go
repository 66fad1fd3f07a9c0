package stats

import (
	"fmt"
	"math"
	"sort"
)

// AdjustMethods lists the p-value adjustments [PAdjust] knows, as R's p.adjust names them.
var AdjustMethods = []string{"BH", "BY", "holm", "hochberg", "bonferroni"}

// PAdjust adjusts p-values for multiple comparisons as R's p.adjust(p, method): "BH"
// (Benjamini–Hochberg), "BY" (Benjamini–Yekutieli), "holm", "hochberg" or "bonferroni". NaN entries stay NaN
// and do not count towards the number of tests. The result is in input order.
func PAdjust(p []float64, method string) ([]float64, error) {
	out := make([]float64, len(p))
	var idx []int
	for i, v := range p {
		out[i] = math.NaN()
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	n := float64(len(idx))
	if len(idx) == 0 {
		return out, nil
	}
	// order by p; stable so that ties keep input order, as R's order() does.
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	switch method {
	case "bonferroni":
		for _, i := range idx {
			out[i] = math.Min(1, n*p[i])
		}
	case "holm":
		run := 0.0
		for k, i := range idx {
			run = math.Max(run, (n-float64(k))*p[i])
			out[i] = math.Min(1, run)
		}
	case "hochberg":
		run := math.Inf(1)
		for k := len(idx) - 1; k >= 0; k-- {
			i := idx[k]
			run = math.Min(run, (n-float64(k))*p[i])
			out[i] = math.Min(1, run)
		}
	case "BH", "BY":
		q := 1.0
		if method == "BY" {
			q = 0
			for k := 1; k <= len(idx); k++ {
				q += 1 / float64(k)
			}
		}
		run := math.Inf(1)
		for k := len(idx) - 1; k >= 0; k-- {
			i := idx[k]
			run = math.Min(run, q*n/float64(k+1)*p[i])
			out[i] = math.Min(1, run)
		}
	default:
		return nil, fmt.Errorf("stats: p-value adjustment %q unknown; known: %v", method, AdjustMethods)
	}
	return out, nil
}

// BH is PAdjust(p, "BH").
func BH(p []float64) []float64 {
	q, _ := PAdjust(p, "BH")
	return q
}
