package main

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/ascent-rl/ascent/stats"
)

// The verdict rule, the same for every claim: each claim has a per-seed test (stated in its row),
// and
//
//	no seed measured                  → "not run yet (0 seeds)"
//	fewer than 3 seeds measured       → "inconclusive (n seeds)"
//	the test passes on every seed     → "holds"
//	the test passes on no seed        → "does not hold at this scale"
//	otherwise                         → "inconclusive (k of n seeds)"
const verdictRule = "each claim's per-seed test, over ≥ 3 seeds: passes on every seed → holds; on none → does not hold at this scale; " +
	"otherwise, or with fewer than 3 seeds → inconclusive"

// minSeeds is the number of seeds a verdict other than "inconclusive" needs.
const minSeeds = 3

// verdict applies the rule to the per-seed test outcomes.
func verdict(pass []bool) string {
	n, k := len(pass), 0
	for _, p := range pass {
		if p {
			k++
		}
	}
	switch {
	case n == 0:
		return "not run yet (0 seeds)"
	case n < minSeeds:
		s := "s"
		if n == 1 {
			s = ""
		}
		return fmt.Sprintf("inconclusive (%d seed%s; %d passed)", n, s, k)
	case k == n:
		return "holds"
	case k == 0:
		return "does not hold at this scale"
	default:
		return fmt.Sprintf("inconclusive (%d of %d seeds)", k, n)
	}
}

// claimRow is one line of the table.
type claimRow struct {
	id       string // "3b"
	paper    string
	claim    string
	paperFig string // the paper's number
	measured string // mean ± sd over seeds, with per-seed values
	test     string // the per-seed test
	verdict  string
	cost     string // wall and CPU of the runs the row reads
}

// meanSD is the mean and the sample standard deviation (0 for one value).
func meanSD(xs []float64) (mean, sd float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)-1))
}

// spread formats values as "mean ± sd (v1, v2, v3)" with format f for each number.
func spread(f string, xs []float64) string {
	if len(xs) == 0 {
		return "—"
	}
	m, sd := meanSD(xs)
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf(f, x)
	}
	if len(xs) == 1 {
		return fmt.Sprintf(f+" (1 seed)", m)
	}
	return fmt.Sprintf(f+" ± "+f+" (%s)", m, sd, strings.Join(parts, ", "))
}

// pearson is the correlation of xs and ys (stats.Pearson's r, R's cor.test): NaN when either is
// constant, the lengths differ or there are fewer than 3 points.
func pearson(xs, ys []float64) float64 {
	c, err := stats.Pearson(xs, ys)
	if err != nil {
		return math.NaN()
	}
	return c.R
}

// sortedSeeds returns the keys of m in order.
func sortedSeeds[T any](m map[uint64]T) []uint64 {
	out := make([]uint64, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
