package trainer

import (
	"github.com/ascent-rl/ascent/metric"
)

// applyMasked weights each rollout row's advantages by its masked importance weight (async.mis) or
// AReaL's decoupled behaviour weight π_prox/π_behav (async.decoupled), π_prox being the learner's
// recomputed old log-probs and π_behav the sampler's, and logs the weights
// (training/rollout_is_mean, _max, _masked_frac). Like applyTIS it leaves demonstration rows
// alone; at most one of the three corrections is on (validateAsync).
func (t *Trainer) applyMasked(b *batch, m metrics) {
	a := t.cfg.Async
	if !a.MIS.Enabled() && !a.Decoupled.Enabled() {
		return
	}
	seqLevel := a.MIS.Enabled() && a.MIS.Level == "sequence"
	var sum, mx float64
	n, masked, units := 0, 0, 0
	for i := range b.rows {
		r := &b.rows[i]
		if b.sampler[i] == nil || r.Demo {
			continue
		}
		var w []float64
		var k int
		if a.MIS.Enabled() {
			w, k = a.MIS.MISWeights(r.OldLogProbs, b.sampler[i], r.Trained)
		} else {
			w, k = a.Decoupled.Weights(r.OldLogProbs, b.sampler[i], r.Trained)
		}
		masked += k
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
	m[metric.RolloutISMasked] = float64(masked) / float64(max(units, 1))
}
