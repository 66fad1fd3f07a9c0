package stats

import (
	"errors"
	"math"
)

// ChisqResult is R's chisq.test(table, correct) for an r × c contingency table.
type ChisqResult struct {
	Statistic float64     // Pearson's X² (Yates-corrected for a 2 × 2 table when asked)
	DF        float64     // (r − 1)(c − 1)
	P         float64     // upper-tail χ² p-value
	Method    string      // R's method string
	Expected  [][]float64 // expected counts rowsum·colsum/total
	Residuals [][]float64 // Pearson residuals (O − E)/√E
	StdRes    [][]float64 // standardised residuals
	Warnings  []string    // "Chi-squared approximation may be incorrect" when an expected count < 5
}

// ChisqTest runs Pearson's χ² test of independence on table (rows of counts). correct applies
// Yates' continuity correction, min(0.5, |O − E|) over all cells, to a 2 × 2 table only.
func ChisqTest(table [][]float64, correct bool) (ChisqResult, error) {
	nr := len(table)
	if nr < 2 {
		return ChisqResult{}, errors.New("'x' must at least have 2 rows and columns")
	}
	nc := len(table[0])
	for _, row := range table {
		if len(row) != nc {
			return ChisqResult{}, errors.New("table rows differ in length")
		}
		for _, v := range row {
			if v < 0 || math.IsNaN(v) {
				return ChisqResult{}, errors.New("all entries of 'x' must be nonnegative and finite")
			}
		}
	}
	if nc < 2 {
		return ChisqResult{}, errors.New("'x' must at least have 2 rows and columns")
	}
	rs, cs := make([]float64, nr), make([]float64, nc)
	total := 0.0
	for i, row := range table {
		for j, v := range row {
			rs[i] += v
			cs[j] += v
			total += v
		}
	}
	if total == 0 {
		return ChisqResult{}, errors.New("at least one entry of 'x' must be positive")
	}
	res := ChisqResult{Method: "Pearson's Chi-squared test", DF: float64((nr - 1) * (nc - 1))}
	res.Expected = grid(nr, nc)
	res.Residuals = grid(nr, nc)
	res.StdRes = grid(nr, nc)
	small := false
	for i := range table {
		for j := range table[i] {
			e := rs[i] * cs[j] / total
			res.Expected[i][j] = e
			if e < 5 {
				small = true
			}
		}
	}
	yates := 0.0
	if correct && nr == 2 && nc == 2 {
		yates = 0.5
		for i := range table {
			for j, o := range table[i] {
				yates = math.Min(yates, math.Abs(o-res.Expected[i][j]))
			}
		}
		if yates > 0 {
			res.Method += " with Yates' continuity correction"
		}
	}
	for i, row := range table {
		for j, o := range row {
			e := res.Expected[i][j]
			d := math.Abs(o-e) - yates
			res.Statistic += d * d / e
			res.Residuals[i][j] = (o - e) / math.Sqrt(e)
			res.StdRes[i][j] = (o - e) / math.Sqrt(e*(1-rs[i]/total)*(1-cs[j]/total))
		}
	}
	res.P = pchisqUpper(res.Statistic, res.DF)
	if small {
		res.Warnings = []string{"Chi-squared approximation may be incorrect"}
	}
	return res, nil
}

// grid allocates an r × c matrix of zeros.
func grid(r, c int) [][]float64 {
	g := make([][]float64, r)
	for i := range g {
		g[i] = make([]float64, c)
	}
	return g
}
