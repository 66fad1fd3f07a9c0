package trainer

import (
	"github.com/ascent-rl/ascent/metric"
)

// isWeights computes a rollout row's per-token importance weights from the learner's and the
// sampler's log-probs, and how many units (tokens, or the sequence) it capped or masked:
// algo.TISConfig.TISWeights, algo.MISConfig.MISWeights and algo.DecoupledConfig.Weights.
type isWeights func(train, rollout []float32, trained func(t int) bool) (w []float64, count int)

// applyTIS weights each rollout row's advantages by its truncated importance weight
// min(π_train/π_rollout, C) (algo.TISConfig; the losses are linear in Â, so this is verl's
// pg_losses · tis_imp_ratio) and logs the weights. Demonstration rows, which have no sampler
// log-probs, are left alone.
func (t *Trainer) applyTIS(b *batch, m metrics) {
	cfg := t.cfg.Algo.TIS
	if !cfg.Enabled() {
		return
	}
	weightAdvantages(b, m, cfg.Level == "sequence", cfg.TISWeights, metric.RolloutISCapped)
}

// weightAdvantages multiplies each rollout row's trained advantages by its importance weights
// and logs their mean and max over trained tokens, and under countMetric the share of units
// (tokens, or sequences when seqLevel) that weights capped or masked. Demonstration rows and rows
// without sampler log-probs are left alone; nothing is logged when no token was weighted.
func weightAdvantages(b *batch, m metrics, seqLevel bool, weights isWeights, countMetric string) {
	var sum, mx float64
	n, counted, units := 0, 0, 0
	for i := range b.rows {
		r := &b.rows[i]
		if b.sampler[i] == nil || r.Demo || r.OldLogProbs == nil { // nil: not scored, inert (prepare)
			continue
		}
		w, c := weights(r.OldLogProbs, b.sampler[i], r.Trained)
		counted += c
		if seqLevel {
			units++
		}
		for j := range r.Advantages {
			if !r.Trained(j) {
				continue
			}
			r.Advantages[j] *= float32(w[j])
			sum += w[j]
			mx = max(mx, w[j])
			n++
			if !seqLevel {
				units++
			}
		}
	}
	if n == 0 {
		return
	}
	m[metric.RolloutISMean] = sum / float64(n)
	m[metric.RolloutISMax] = mx
	m[countMetric] = float64(counted) / float64(max(units, 1))
}
