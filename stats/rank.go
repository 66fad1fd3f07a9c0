package stats

import (
	"math"
	"sort"
)

// midranks returns the ranks of x (1-based) with ties given their average rank, as R's rank(),
// and the tie sizes of every group of equal values (only groups larger than one).
func midranks(x []float64) (ranks []float64, ties []int) {
	n := len(x)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	ranks = make([]float64, n)
	for i := 0; i < n; {
		j := i
		for j+1 < n && x[idx[j+1]] == x[idx[i]] {
			j++
		}
		r := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			ranks[idx[k]] = r
		}
		if j > i {
			ties = append(ties, j-i+1)
		}
		i = j + 1
	}
	return ranks, ties
}

// tieSum is Σ (t³ − t) over tie groups.
func tieSum(ties []int) float64 {
	s := 0.0
	for _, t := range ties {
		ft := float64(t)
		s += ft*ft*ft - ft
	}
	return s
}

// hasNaN reports whether any value is NaN.
func hasNaN(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) {
			return true
		}
	}
	return false
}
