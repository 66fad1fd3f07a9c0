package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// LogRankResult is R's survdiff(Surv(time, status) ~ group, rho).
type LogRankResult struct {
	Chisq  float64     // (O − E)' V⁻ (O − E)
	DF     float64     // groups with expected > 0, minus one
	P      float64     // upper-tail χ² p-value
	Groups []string    // "group=level", sorted
	N      []int       // subjects per group
	Obs    []float64   // observed events (weighted by S(t−)^rho)
	Exp    []float64   // expected events
	Var    [][]float64 // variance–covariance of O − E
}

// LogRank compares survival across groups: rho = 0 is the log-rank test, rho = 1 the Peto–Peto
// modification (weights are the pooled Kaplan–Meier S(t−)^rho).
func LogRank(time []float64, status []int, group []string, groupName string, rho float64) (LogRankResult, error) {
	if err := checkSurv(time, status); err != nil {
		return LogRankResult{}, err
	}
	if len(group) != len(time) {
		return LogRankResult{}, fmt.Errorf("survdiff: %d group labels for %d observations", len(group), len(time))
	}
	levels := sortLevels(group)
	if len(levels) < 2 {
		return LogRankResult{}, fmt.Errorf("survdiff: there is only 1 group")
	}
	k := len(levels)
	gi := map[string]int{}
	for i, lv := range levels {
		gi[lv] = i
	}
	res := LogRankResult{N: make([]int, k), Obs: make([]float64, k), Exp: make([]float64, k), Var: grid(k, k)}
	for _, lv := range levels {
		res.Groups = append(res.Groups, groupName+"="+lv)
	}
	risk := make([]float64, k)
	for _, g := range group {
		risk[gi[g]]++
		res.N[gi[g]]++
	}
	idx := sortedIdx(time)
	km := 1.0
	for i := 0; i < len(idx); {
		t := time[idx[i]]
		dg := make([]float64, k)
		leave := make([]float64, k)
		d := 0.0
		j := i
		for ; j < len(idx) && time[idx[j]] == t; j++ {
			g := gi[group[idx[j]]]
			leave[g]++
			if status[idx[j]] == 1 {
				dg[g]++
				d++
			}
		}
		n := 0.0
		for _, r := range risk {
			n += r
		}
		if d > 0 {
			wt := 1.0
			if rho != 0 {
				wt = math.Pow(km, rho)
			}
			for a := 0; a < k; a++ {
				res.Obs[a] += wt * dg[a]
				res.Exp[a] += wt * d * risk[a] / n
			}
			if n > 1 {
				kk := wt * wt * d * (n - d) / (n - 1)
				for a := 0; a < k; a++ {
					for b := 0; b < k; b++ {
						delta := 0.0
						if a == b {
							delta = 1
						}
						res.Var[a][b] += kk * risk[a] / n * (delta - risk[b]/n)
					}
				}
			}
			km *= (n - d) / n
		}
		for a := range risk {
			risk[a] -= leave[a]
		}
		i = j
	}
	var use []int
	for a := 0; a < k; a++ {
		if res.Exp[a] > 0 {
			use = append(use, a)
		}
	}
	res.DF = float64(len(use) - 1)
	if len(use) < 2 {
		res.Chisq, res.P = math.NaN(), math.NaN()
		return res, nil
	}
	use = use[1:]
	m := len(use)
	V := mat.NewDense(m, m, nil)
	diff := mat.NewVecDense(m, nil)
	for a, ga := range use {
		diff.SetVec(a, res.Obs[ga]-res.Exp[ga])
		for b, gb := range use {
			V.Set(a, b, res.Var[ga][gb])
		}
	}
	var sol mat.VecDense
	if err := sol.SolveVec(V, diff); err != nil {
		return res, fmt.Errorf("survdiff: singular variance: %w", err)
	}
	res.Chisq = mat.Dot(&sol, diff)
	res.P = pchisqUpper(res.Chisq, res.DF)
	return res, nil
}
