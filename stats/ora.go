package stats

import (
	"errors"
	"math"
	"sort"
)

// ORAResult is one hypergeometric over-representation test.
type ORAResult struct {
	P               float64 // upper tail P[X >= k] (R: phyper(k − 1, K, N − K, n, lower.tail = FALSE))
	PLower          float64 // lower tail P[X <= k]
	ExpectedOverlap float64 // n·K/N
	FoldEnrichment  float64 // k / expected overlap
}

// Hypergeometric tests whether k of the n selected items falling in a set of K among a universe of
// N is more than chance.
func Hypergeometric(N, K, n, k int) (ORAResult, error) {
	if N < 0 || K < 0 || n < 0 || k < 0 || K > N || n > N || k > K || k > n {
		return ORAResult{}, errors.New("hypergeometric: need 0 <= k <= min(K, n) and K, n <= N")
	}
	lo := max(0, n-(N-K))
	hi := min(n, K)
	pmf := func(x int) float64 {
		return math.Exp(lchoose(float64(K), float64(x)) + lchoose(float64(N-K), float64(n-x)) - lchoose(float64(N), float64(n)))
	}
	var up, low float64
	for x := hi; x >= max(k, lo); x-- {
		up += pmf(x)
	}
	for x := lo; x <= min(k, hi); x++ {
		low += pmf(x)
	}
	e := float64(n) * float64(K) / float64(N)
	return ORAResult{P: math.Min(1, up), PLower: math.Min(1, low), ExpectedOverlap: e, FoldEnrichment: float64(k) / e}, nil
}

// SetResult is one gene set's over-representation within [GeneSetORA].
type SetResult struct {
	Name string  // the set's name
	K    int     // set members in the universe
	Hits int     // selected members of the set
	P    float64 // upper-tail hypergeometric p-value
	Q    float64 // BH-adjusted across the sets
}

// GeneSetORA intersects each set and the selection with the universe, tests every set for
// over-representation and BH-adjusts across sets. Sets come back sorted by name.
func GeneSetORA(universe, selected []string, sets map[string][]string) (N, n int, out []SetResult, err error) {
	uni := map[string]bool{}
	for _, g := range universe {
		uni[g] = true
	}
	sel := map[string]bool{}
	for _, g := range selected {
		if uni[g] {
			sel[g] = true
		}
	}
	N, n = len(uni), len(sel)
	names := make([]string, 0, len(sets))
	for s := range sets {
		names = append(names, s)
	}
	sort.Strings(names)
	var ps []float64
	for _, name := range names {
		seen := map[string]bool{}
		K, k := 0, 0
		for _, g := range sets[name] {
			if uni[g] && !seen[g] {
				seen[g] = true
				K++
				if sel[g] {
					k++
				}
			}
		}
		r, err := Hypergeometric(N, K, n, k)
		if err != nil {
			return 0, 0, nil, err
		}
		out = append(out, SetResult{Name: name, K: K, Hits: k, P: r.P})
		ps = append(ps, r.P)
	}
	for i, q := range BH(ps) {
		out[i].Q = q
	}
	return N, n, out, nil
}
