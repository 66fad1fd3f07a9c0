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
	switch {
	case a.MIS.Enabled():
		weightAdvantages(b, m, a.MIS.Level == "sequence", a.MIS.MISWeights, metric.RolloutISMasked)
	case a.Decoupled.Enabled():
		weightAdvantages(b, m, false, a.Decoupled.Weights, metric.RolloutISMasked)
	}
}
