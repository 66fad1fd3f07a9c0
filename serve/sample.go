package serve

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/model"
)

// picker chooses tokens from logits exactly as the local engine's sampler does (engine/local
// sample.go), so a seeded request gives the engine's samples, and reports the log-probs of the
// distribution it sampled from: logits/temperature, top-k then top-p filtered, renormalised;
// greedy (temperature 0) reports the untempered log-softmax. It holds scratch buffers and is
// used by the scheduler goroutine only.
type picker struct {
	probs []float64
	order []int
}

func newPicker(vocab int) *picker {
	return &picker{probs: make([]float64, vocab), order: make([]int, vocab)}
}

// pick returns the chosen token, its log-prob and, when top > 0, the top most likely tokens of
// the same distribution, most likely first (fewer when top-k/top-p keep fewer tokens).
func (s *picker) pick(logits []float32, p engine.SamplingParams, rng *rand.Rand, top int) (int, float32, []model.TokenLogProb) {
	if p.Temperature == 0 || p.TopK == 1 {
		best := 0
		for i, x := range logits {
			if x > logits[best] {
				best = i
			}
		}
		if p.Temperature == 0 {
			mx, ls := model.LogSoftmaxStats(logits)
			return best, float32(float64(logits[best]) - mx - ls), model.TopLogProbs(logits, top)
		}
		var alts []model.TokenLogProb
		if top > 0 {
			alts = []model.TokenLogProb{{ID: best, LogProb: 0}}
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
		for _, t := range model.TopLogProbs(tmp, top) {
			ids = append(ids, t.ID)
		}
	}
	alts := make([]model.TokenLogProb, len(ids))
	for i, id := range ids {
		alts[i] = model.TokenLogProb{ID: id, LogProb: float32(math.Log(s.probs[id] / total))}
	}
	return choice, lp, alts
}

// sortOrder sorts order by probability, ties by token id, so the kept set is deterministic.
func (s *picker) sortOrder() {
	sort.Slice(s.order, func(a, b int) bool {
		pa, pb := s.probs[s.order[a]], s.probs[s.order[b]]
		if pa != pb {
			return pa > pb
		}
		return s.order[a] < s.order[b]
	})
}
