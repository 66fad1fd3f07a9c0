package rollout

import (
	"math"

	"github.com/ascent-rl/ascent/metric"
)

// ProbsDiff compares the sampler's per-token log-probs with the trainer's recomputed ones
// (both [rows][tokens], same temperature) and returns verl's mismatch metrics
// training/rollout_probs_diff_mean and training/rollout_probs_diff_max: the mean and max of
// |exp(sampler) − exp(trainer)| over all tokens. Rows of unequal lengths are compared on their
// common prefix.
func ProbsDiff(sampler, trainer [][]float32) map[string]float64 {
	var sum, mx float64
	n := 0
	for i := range min(len(sampler), len(trainer)) {
		for j := range min(len(sampler[i]), len(trainer[i])) {
			d := math.Abs(math.Exp(float64(sampler[i][j])) - math.Exp(float64(trainer[i][j])))
			sum += d
			mx = math.Max(mx, d)
			n++
		}
	}
	mean := 0.0
	if n > 0 {
		mean = sum / float64(n)
	}
	return map[string]float64{metric.RolloutProbsDiff: mean, metric.RolloutProbsDiffMx: mx}
}
