package eval

import (
	"math"
	"math/big"
	"math/rand/v2"
	"sort"
	"strconv"
)

// PassAtK is the unbiased pass@k estimator of Chen et al. (2021): with n samples of which c are
// correct, pass@k = 1 − C(n−c, k) / C(n, k). It is computed in the numerically stable product form
// 1 − ∏_{i=n−c+1}^{n} (1 − k/i), which never forms a binomial coefficient. k must satisfy 1 ≤ k ≤ n.
func PassAtK(n, c, k int) float64 {
	if n-c < k {
		return 1
	}
	prod := 1.0
	for i := n - c + 1; i <= n; i++ {
		prod *= 1 - float64(k)/float64(i)
	}
	return 1 - prod
}

// passAtKExact is the slow, obviously correct reference for PassAtK: exact binomials in big integers.
func passAtKExact(n, c, k int) float64 {
	if n-c < k {
		return 1
	}
	num := new(big.Int).Binomial(int64(n-c), int64(k))
	den := new(big.Int).Binomial(int64(n), int64(k))
	r := new(big.Rat).SetFrac(num, den)
	f, _ := new(big.Rat).Sub(big.NewRat(1, 1), r).Float64()
	return f
}

// MajorityVote returns the index of the sample whose answer wins a plurality vote over keys (normalised
// extracted answers). Empty keys (no answer extracted) do not vote. Ties go to the answer that occurs
// first. It returns −1 when no sample has an answer.
func MajorityVote(keys []string) int {
	count := map[string]int{}
	first := map[string]int{}
	for i, k := range keys {
		if k == "" {
			continue
		}
		if _, ok := first[k]; !ok {
			first[k] = i
		}
		count[k]++
	}
	best, bestCount := -1, 0
	for k, c := range count {
		i := first[k]
		if c > bestCount || (c == bestCount && i < best) {
			best, bestCount = i, c
		}
	}
	return best
}

// LengthStats summarises response lengths.
type LengthStats struct {
	Mean float64 `json:"mean"` // arithmetic mean
	P50  float64 `json:"p50"`  // median (nearest rank)
	P90  float64 `json:"p90"`  // 90th percentile (nearest rank)
	Max  float64 `json:"max"`  // longest
}

// lengthStats computes LengthStats of xs (zero value for an empty slice).
func lengthStats(xs []float64) LengthStats {
	if len(xs) == 0 {
		return LengthStats{}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	sum := 0.0
	for _, x := range s {
		sum += x
	}
	rank := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(s)))) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	return LengthStats{Mean: sum / float64(len(s)), P50: rank(0.5), P90: rank(0.9), Max: s[len(s)-1]}
}

// problemScore is what the metrics need from one problem's samples.
type problemScore struct {
	n, c    int     // samples, correct samples
	frac    float64 // c / n
	majOK   bool    // the majority-voted answer is correct
	hasVote bool    // at least one sample had an extracted answer
}

// scoreProblem computes per-problem statistics from samples sorted by sample index.
func scoreProblem(samples []Sample) problemScore {
	ps := problemScore{n: len(samples)}
	keys := make([]string, len(samples))
	for i, s := range samples {
		if s.Correct {
			ps.c++
		}
		keys[i] = s.VoteKey
	}
	if ps.n > 0 {
		ps.frac = float64(ps.c) / float64(ps.n)
	}
	if w := MajorityVote(keys); w >= 0 {
		ps.hasVote = true
		ps.majOK = samples[w].Correct
	}
	return ps
}

// passAtKTable returns pass@k for every k from 1 to kmax, averaged over problems, keyed by k.
func passAtKTable(scores []problemScore, kmax int) map[string]float64 {
	out := make(map[string]float64, kmax)
	for k := 1; k <= kmax; k++ {
		sum := 0.0
		for _, s := range scores {
			sum += PassAtK(s.n, s.c, k)
		}
		out[strconv.Itoa(k)] = sum / float64(len(scores))
	}
	return out
}

// bootstrap resamples problems with replacement iters times for each benchmark (in the given order,
// from one seeded stream) and returns the 95% percentile interval of each benchmark's mean and of the
// unweighted mean over benchmarks.
func bootstrap(perBench [][]float64, iters int, seed uint64) (each [][2]float64, avg [2]float64) {
	each = make([][2]float64, len(perBench))
	if iters <= 0 || len(perBench) == 0 {
		return each, avg
	}
	rng := rand.New(rand.NewPCG(seed, 0x6a7573746c72)) // "justrl"
	means := make([][]float64, len(perBench))
	for b, vals := range perBench {
		means[b] = make([]float64, iters)
		if len(vals) == 0 {
			continue
		}
		for it := range iters {
			sum := 0.0
			for range vals {
				sum += vals[rng.IntN(len(vals))]
			}
			means[b][it] = sum / float64(len(vals))
		}
	}
	avgs := make([]float64, iters)
	for it := range iters {
		for b := range perBench {
			avgs[it] += means[b][it] / float64(len(perBench))
		}
	}
	for b := range perBench {
		each[b] = percentileInterval(means[b])
	}
	return each, percentileInterval(avgs)
}

// percentileInterval returns the 2.5th and 97.5th percentiles (nearest rank) of xs.
func percentileInterval(xs []float64) [2]float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	lo := int(math.Floor(0.025 * float64(len(s))))
	hi := int(math.Ceil(0.975*float64(len(s)))) - 1
	return [2]float64{s[max(0, lo)], s[min(len(s)-1, max(0, hi))]}
}
