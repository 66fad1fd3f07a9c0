package algo

import "fmt"

// RLOO, REINFORCE leave-one-out (Ahmadian et al. 2024; verl compute_rloo_outcome_advantage): each
// row's baseline is the mean score of the other rows of its group,
//
//	A_i = s_i − mean_{j≠i} s_j = (s_i − mean_G) · n/(n−1)
//
// A group of one row keeps A = s. Registered as "rloo".

func init() {
	Register("rloo", func(AdvantageConfig) (AdvantageEstimator, error) { return RLOO{}, nil })
}

// RLOO is the leave-one-out estimator.
type RLOO struct{}

// Name implements AdvantageEstimator.
func (RLOO) Name() string { return "rloo" }

// Compute implements AdvantageEstimator.
func (RLOO) Compute(in AdvantageInputs) (AdvantageOutput, error) {
	if _, _, err := checkAdvInputs(in, true, false); err != nil {
		return AdvantageOutput{}, fmt.Errorf("rloo advantage: %w", err)
	}
	scores := sequenceScores(in.TokenRewards)
	order, rows := groupRows(in.Group, nil)
	adv := make([]float64, len(scores))
	for _, g := range order {
		idx := rows[g]
		n := float64(len(idx))
		if len(idx) == 1 {
			adv[idx[0]] = scores[idx[0]]
			continue
		}
		mean := 0.0
		for _, i := range idx {
			mean += scores[i]
		}
		mean /= n
		for _, i := range idx {
			adv[i] = (scores[i] - mean) * n / (n - 1)
		}
	}
	a := broadcastRows(adv, in.Mask)
	return AdvantageOutput{Advantages: a, Returns: a, PerSequence: adv}, nil
}
