package algo

import (
	"fmt"
	"math"
)

// TISConfig is truncated importance sampling (TIS; Yao et al. 2025, "Your efficient RL framework
// secretly brings you off-policy RL training"; P1 §1.2): the sampler (vLLM, SGLang, the plain-Go
// decoder) and the trainer compute slightly different probabilities for the same tokens, so each
// sample's policy-gradient term is weighted by w = min(π_train/π_rollout, C), π_train being the
// trainer's recomputed π_θold and π_rollout the sampler's own log-probs that rollouts carry.
//
// The trainer applies w by scaling the advantages: every policy loss here is linear in Â with a
// non-negative factor (w·max(−Â·r, −Â·clip(r)) = max(−(wÂ)·r, −(wÂ)·clip(r)), likewise for the dual
// clip, GSPO's sequence ratio and CISPO's clipped weight), so this equals verl's
// pg_losses · tis_imp_ratio while leaving the entropy and KL terms unweighted, as verl does.
type TISConfig struct {
	// Cap is C (0: off; verl's tis_imp_ratio_cap default is 2).
	Cap float64 `json:"cap,omitempty" yaml:"cap,omitempty"`
	// Level is "token" (each token's own ratio, verl's) or "sequence" (one weight per sample from
	// the sample's ratio π_train(y)/π_rollout(y) = exp Σ_t (log π_train − log π_rollout), P1's
	// description; "" means token.
	Level string `json:"level,omitempty" yaml:"level,omitempty"`
}

// Enabled reports whether TIS is on.
func (c TISConfig) Enabled() bool { return c.Cap > 0 }

func (c TISConfig) validate() error {
	if c.Cap < 0 || math.IsNaN(c.Cap) {
		return fmt.Errorf("tis.cap %v: want ≥ 0 (0 turns TIS off)", c.Cap)
	}
	if c.Cap > 0 && c.Cap < 1 {
		return fmt.Errorf("tis.cap %v: want ≥ 1 (a cap under 1 shrinks every on-policy sample)", c.Cap)
	}
	switch c.Level {
	case "", "token", "sequence":
	default:
		return fmt.Errorf("tis.level %q: known: token, sequence", c.Level)
	}
	return nil
}

// TISWeights returns one sample's weights [len(train)]: w_t = min(exp(train_t − rollout_t), C)
// per token, or, at sequence level, one w = min(exp(Σ_t (train_t − rollout_t)), C) over the
// trained tokens for all of them. trained(t) says which tokens the loss trains on (the others get
// weight 1 and do not enter the sequence ratio); capped counts the weights the cap cut.
func (c TISConfig) TISWeights(train, rollout []float32, trained func(t int) bool) (w []float64, capped int) {
	w = make([]float64, len(train))
	if c.Level == "sequence" {
		var s float64
		for t := range train {
			if trained(t) {
				s += float64(train[t]) - float64(rollout[t])
			}
		}
		v := math.Exp(s)
		if v > c.Cap {
			v, capped = c.Cap, 1
		}
		for t := range w {
			w[t] = 1
			if trained(t) {
				w[t] = v
			}
		}
		return w, capped
	}
	for t := range train {
		w[t] = 1
		if !trained(t) {
			continue
		}
		v := math.Exp(float64(train[t]) - float64(rollout[t]))
		if v > c.Cap {
			v = c.Cap
			capped++
		}
		w[t] = v
	}
	return w, capped
}
