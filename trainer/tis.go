package trainer

import (
	"github.com/ascent-rl/ascent/metric"
)

// applyTIS weights each rollout row's advantages by its truncated importance weight
// min(π_train/π_rollout, C) (algo.TISConfig; the losses are linear in Â, so this is verl's
// pg_losses · tis_imp_ratio) and logs the weights. Demonstration rows, which have no sampler
// log-probs, are left alone.
func (t *Trainer) applyTIS(b *batch, m metrics) {
	cfg := t.cfg.Algo.TIS
	if !cfg.Enabled() {
		return
	}
	var sum, mx float64
	n, capped, units := 0, 0, 0
	for i := range b.rows {
		r := &b.rows[i]
		if b.sampler[i] == nil || r.Demo {
			continue
		}
		w, c := cfg.TISWeights(r.OldLogProbs, b.sampler[i], r.Trained)
		capped += c
		if cfg.Level == "sequence" {
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
			if cfg.Level != "sequence" {
				units++
			}
		}
	}
	if n == 0 {
		return
	}
	m[metric.RolloutISMean] = sum / float64(n)
	m[metric.RolloutISMax] = mx
	m[metric.RolloutISCapped] = float64(capped) / float64(max(units, 1))
}
