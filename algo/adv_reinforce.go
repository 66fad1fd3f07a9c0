package algo

import "fmt"

// REINFORCE++ (Hu 2025; verl compute_reinforce_plus_plus_outcome_advantage and
// compute_reinforce_plus_plus_baseline_outcome_advantage). Registered as:
//
//   - "reinforce_pp": discounted return-to-go G_t = r_t + γ·G_{t+1} (reset after padding), then
//     whitened over all valid tokens of the batch (global, not per group).
//   - "reinforce_pp_baseline": the group mean score is subtracted first (a group of one keeps its
//     score), the result broadcast over tokens and whitened over the batch.
//
// Both return Returns = the un-whitened quantity that was whitened for "reinforce_pp" (verl returns
// the discounted returns) and the whitened advantages for the baseline variant (as verl does).

func init() {
	Register("reinforce_pp", func(c AdvantageConfig) (AdvantageEstimator, error) { return newReinforcePP(c.Gamma, false) })
	Register("reinforce_pp_baseline", func(c AdvantageConfig) (AdvantageEstimator, error) { return newReinforcePP(c.Gamma, true) })
}

// ReinforcePP is REINFORCE++ with or without the group-mean baseline.
type ReinforcePP struct {
	// Gamma is the discount of the return-to-go (no-baseline variant).
	Gamma float64
	// Baseline subtracts the group mean score (the "_baseline" variant).
	Baseline bool
}

// newReinforcePP validates γ.
func newReinforcePP(gamma float64, baseline bool) (ReinforcePP, error) {
	if gamma < 0 || gamma > 1 {
		return ReinforcePP{}, fmt.Errorf("gamma %v: want in [0, 1]", gamma)
	}
	return ReinforcePP{Gamma: gamma, Baseline: baseline}, nil
}

// Name implements AdvantageEstimator.
func (e ReinforcePP) Name() string {
	if e.Baseline {
		return "reinforce_pp_baseline"
	}
	return "reinforce_pp"
}

// Compute implements AdvantageEstimator.
func (e ReinforcePP) Compute(in AdvantageInputs) (AdvantageOutput, error) {
	b, t, err := checkAdvInputs(in, e.Baseline, false)
	if err != nil {
		return AdvantageOutput{}, fmt.Errorf("%s advantage: %w", e.Name(), err)
	}
	var raw [][]float64
	if e.Baseline {
		scores := sequenceScores(in.TokenRewards)
		order, rows := groupRows(in.Group, nil)
		for _, g := range order {
			if idx := rows[g]; len(idx) > 1 {
				mean := 0.0
				for _, i := range idx {
					mean += scores[i]
				}
				mean /= float64(len(idx))
				for _, i := range idx {
					scores[i] -= mean
				}
			}
		}
		raw = broadcastRows(scores, in.Mask)
	} else {
		raw = newMatrix(b, t)
		for i := 0; i < b; i++ {
			g := 0.0
			for j := t - 1; j >= 0; j-- {
				g = in.TokenRewards[i][j] + e.Gamma*g
				raw[i][j] = g
				g *= in.Mask[i][j]
			}
		}
	}
	w, err := maskedWhiten(raw, in.Mask)
	if err != nil {
		return AdvantageOutput{}, fmt.Errorf("%s advantage: %w", e.Name(), err)
	}
	adv := newMatrix(b, t)
	for i := range adv {
		for j := range adv[i] {
			adv[i][j] = w[i][j] * in.Mask[i][j]
		}
	}
	ret := raw
	if e.Baseline {
		ret = adv
	}
	return AdvantageOutput{Advantages: adv, Returns: ret, Raw: raw}, nil
}
