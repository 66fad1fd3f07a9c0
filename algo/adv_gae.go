package algo

import "fmt"

// GAE, generalised advantage estimation for PPO (verl compute_gae_advantage_return, spec §1.2).
// Backward over t with a padding-aware carry:
//
//	δ_t = r_t + γ·V_next − V_t;   g_t = δ_t + γλ·g_next
//	(V_next, g_next) ← mask_t ? (V_t, g_t) : (V_next, g_next);   A_raw[t] = g_next
//	Returns = A_raw + V (not whitened);   Advantages = masked_whiten(A_raw)
//
// Whitened advantages are non-zero on padding; consumers multiply by the mask. Registered as "gae".

func init() {
	Register("gae", func(c AdvantageConfig) (AdvantageEstimator, error) { return newGAE(c.Gamma, c.Lambda) })
}

// GAE is the critic-based estimator.
type GAE struct {
	// Gamma is the discount γ (verl 1.0).
	Gamma float64
	// Lambda is the GAE λ (verl 1.0).
	Lambda float64
}

// newGAE validates γ and λ.
func newGAE(gamma, lambda float64) (GAE, error) {
	if gamma < 0 || gamma > 1 || lambda < 0 || lambda > 1 {
		return GAE{}, fmt.Errorf("gamma %v / lambda %v: want both in [0, 1]", gamma, lambda)
	}
	return GAE{Gamma: gamma, Lambda: lambda}, nil
}

// Name implements AdvantageEstimator.
func (GAE) Name() string { return "gae" }

// Compute implements AdvantageEstimator.
func (e GAE) Compute(in AdvantageInputs) (AdvantageOutput, error) {
	b, t, err := checkAdvInputs(in, false, true)
	if err != nil {
		return AdvantageOutput{}, fmt.Errorf("gae advantage: %w", err)
	}
	raw, ret := newMatrix(b, t), newMatrix(b, t)
	for i := 0; i < b; i++ {
		vNext, gNext := 0.0, 0.0
		for j := t - 1; j >= 0; j-- {
			m := in.Mask[i][j]
			delta := in.TokenRewards[i][j] + e.Gamma*vNext - in.Values[i][j]
			g := delta + e.Gamma*e.Lambda*gNext
			vNext = in.Values[i][j]*m + (1-m)*vNext
			gNext = g*m + (1-m)*gNext
			raw[i][j] = gNext
		}
		for j := 0; j < t; j++ {
			ret[i][j] = raw[i][j] + in.Values[i][j]
		}
	}
	adv, err := maskedWhiten(raw, in.Mask)
	if err != nil {
		return AdvantageOutput{}, fmt.Errorf("gae advantage: %w", err)
	}
	return AdvantageOutput{Advantages: adv, Returns: ret, Raw: raw}, nil
}
