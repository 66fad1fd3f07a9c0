package algo

import (
	"fmt"
	"math"
)

// GRPO outcome advantage (verl compute_grpo_outcome_advantage, spec §1.1):
//
//	A_i = (s_i − mean_G) / (std_G + ε)   (NormByStd; std unbiased; ε = 1e-6)
//	A_i =  s_i − mean_G                  (Dr.GRPO, and HPT's grpo_use_std = false)
//
// A group of one row uses mean 0 and std 1 (so A = s). All-equal groups give exactly 0.
// Registered as "grpo" (NormByStd from the config), "drgrpo" (never divides) and "hpt" (mean only,
// demonstration rows excluded from the statistics and given advantage 0).

func init() {
	Register("grpo", func(c AdvantageConfig) (AdvantageEstimator, error) { return newGRPO("grpo", c.Epsilon, c.NormByStd) })
	Register("drgrpo", func(c AdvantageConfig) (AdvantageEstimator, error) { return newGRPO("drgrpo", c.Epsilon, false) })
	Register("hpt", func(c AdvantageConfig) (AdvantageEstimator, error) { return newGRPO("hpt", c.Epsilon, false) })
}

// GRPO is the group-relative outcome estimator.
type GRPO struct {
	name string
	// Epsilon is added to the std in the denominator.
	Epsilon float64
	// NormByStd divides by the group std.
	NormByStd bool
}

// newGRPO validates ε.
func newGRPO(name string, eps float64, norm bool) (GRPO, error) {
	if eps < 0 || math.IsNaN(eps) {
		return GRPO{}, fmt.Errorf("epsilon %v: want ≥ 0 (verl 1e-6)", eps)
	}
	if norm && eps == 0 {
		return GRPO{}, fmt.Errorf("epsilon 0 with std normalisation divides all-equal groups by zero; use 1e-6")
	}
	return GRPO{name: name, Epsilon: eps, NormByStd: norm}, nil
}

// Name implements AdvantageEstimator.
func (e GRPO) Name() string { return e.name }

// Compute implements AdvantageEstimator.
func (e GRPO) Compute(in AdvantageInputs) (AdvantageOutput, error) {
	if _, _, err := checkAdvInputs(in, true, false); err != nil {
		return AdvantageOutput{}, fmt.Errorf("%s advantage: %w", e.name, err)
	}
	scores := sequenceScores(in.TokenRewards)
	isDemo := func(i int) bool { return in.Demo != nil && in.Demo[i] }
	order, rows := groupRows(in.Group, isDemo)
	adv := make([]float64, len(scores))
	for _, g := range order {
		idx := rows[g]
		mean, std := 0.0, 1.0
		if len(idx) > 1 {
			for _, i := range idx {
				mean += scores[i]
			}
			mean /= float64(len(idx))
			v := 0.0
			for _, i := range idx {
				v += (scores[i] - mean) * (scores[i] - mean)
			}
			std = math.Sqrt(v / float64(len(idx)-1))
		}
		for _, i := range idx {
			adv[i] = scores[i] - mean
			if e.NormByStd {
				adv[i] /= std + e.Epsilon
			}
		}
	}
	a := broadcastRows(adv, in.Mask)
	return AdvantageOutput{Advantages: a, Returns: a, PerSequence: adv}, nil
}
