package model

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Picker chooses tokens from logits, for the local engine's sampler and `ascent serve` alike (so a
// seeded request to the server gives the engine's samples), and reports the log-probs of the
// distribution it sampled from: logits/temperature, top-k then top-p filtered, renormalised;
// greedy (temperature 0) reports the untempered log-softmax. It holds scratch buffers: one
// goroutine at a time.
type Picker struct {
	probs []float64
	order []int
}

// NewPicker returns a Picker for a vocabulary of vocab tokens.
func NewPicker(vocab int) *Picker {
	return &Picker{probs: make([]float64, vocab), order: make([]int, vocab)}
}

// SamplingParams are the settings Pick reads.
type SamplingParams struct {
	Temperature float64 // 0: greedy
	TopK        int     // 0: off
	TopP        float64 // 0 or 1: off
}

// Pick returns the chosen token of logits [V], its log-prob and, when top > 0, the top most
// likely tokens of the same distribution, most likely first (fewer when top-k/top-p keep fewer).
// It draws one rng.Float64() when it samples and none when it is greedy.
func (s *Picker) Pick(logits []float32, p SamplingParams, rng *rand.Rand, top int) (int, float32, []TokenLogProb) {
	if p.Temperature == 0 || p.TopK == 1 {
		best := 0
		for i, x := range logits {
			if x > logits[best] {
				best = i
			}
		}
		if p.Temperature == 0 {
			mx, ls := LogSoftmaxStats(logits)
			return best, float32(float64(logits[best]) - mx - ls), TopLogProbs(logits, top)
		}
		var alts []TokenLogProb
		if top > 0 {
			alts = []TokenLogProb{{ID: best, LogProb: 0}}
		}
		return best, 0, alts // top-k 1: the filtered distribution is a point mass
	}
	inv := 1 / p.Temperature
	mx := math.Inf(-1)
	for _, x := range logits {
		mx = math.Max(mx, float64(x)*inv)
	}
	V := len(logits)
	for i, x := range logits {
		s.probs[i] = math.Exp(float64(x)*inv - mx)
		s.order[i] = i
	}
	kept, sorted := V, false
	if (p.TopK > 0 && p.TopK < V) || (p.TopP > 0 && p.TopP < 1) {
		s.sortOrder()
		sorted = true
		if p.TopK > 0 && p.TopK < V {
			kept = p.TopK
		}
		if p.TopP > 0 && p.TopP < 1 {
			var total float64
			for _, i := range s.order[:kept] {
				total += s.probs[i]
			}
			var cum float64
			for k, i := range s.order[:kept] {
				cum += s.probs[i]
				if cum >= p.TopP*total {
					kept = k + 1
					break
				}
			}
		}
	}
	var total float64
	for _, i := range s.order[:kept] {
		total += s.probs[i]
	}
	u := rng.Float64() * total
	choice := s.order[kept-1]
	var cum float64
	for _, i := range s.order[:kept] {
		cum += s.probs[i]
		if u < cum {
			choice = i
			break
		}
	}
	lp := float32(math.Log(s.probs[choice] / total))
	if top <= 0 {
		return choice, lp, nil
	}
	var ids []int
	if sorted {
		ids = s.order[:min(top, kept)]
	} else {
		tmp := make([]float32, V) // the tempered logits rank as the probabilities do
		for i := range tmp {
			tmp[i] = float32(s.probs[i])
		}
		for _, t := range TopLogProbs(tmp, top) {
			ids = append(ids, t.ID)
		}
	}
	alts := make([]TokenLogProb, len(ids))
	for i, id := range ids {
		alts[i] = TokenLogProb{ID: id, LogProb: float32(math.Log(s.probs[id] / total))}
	}
	return choice, lp, alts
}

// sortOrder sorts order by probability, ties by token id, so the kept set is deterministic.
func (s *Picker) sortOrder() {
	sort.Slice(s.order, func(a, b int) bool {
		pa, pb := s.probs[s.order[a]], s.probs[s.order[b]]
		if pa != pb {
			return pa > pb
		}
		return s.order[a] < s.order[b]
	})
}
