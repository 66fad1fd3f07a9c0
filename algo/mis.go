package algo

import (
	"fmt"
	"math"
)

// MISConfig is masked importance sampling (MIS; Yao et al. 2025, "Your efficient RL framework
// secretly brings you off-policy RL training", and verl's rollout_rs): like truncated IS (TISConfig)
// each sample's policy-gradient term is weighted by its ratio ρ = π_train/π_rollout, but a ratio
// outside the band [Low, High] is not truncated: its token (or, at sequence level, the whole sample)
// is dropped from the policy gradient (weight 0). Truncation keeps a biased, bounded contribution
// from samples the trainer's policy would rarely draw; masking removes them, which is what
// asynchronous training needs when a stale rollout has drifted far from the learner.
//
// Like TIS it is applied through the advantages (every policy loss here is linear in Â with a
// non-negative factor: see TISConfig), so entropy and KL terms are left unweighted.
type MISConfig struct {
	// Low is the smallest ratio kept (0 keeps every ratio below High).
	Low float64 `json:"low" yaml:"low"`
	// High is the largest ratio kept (verl's rollout_rs_threshold; 0 turns MIS off).
	High float64 `json:"high" yaml:"high"`
	// Level is "token" (each token's own ratio) or "sequence" (one ratio per sample,
	// exp Σ_t (log π_train − log π_rollout) over its trained tokens); "" means token.
	Level string `json:"level" yaml:"level"`
}

// Enabled reports whether MIS is on.
func (c MISConfig) Enabled() bool { return c.High > 0 }

// Validate reports a band that cannot work: negative or NaN bounds, Low > High, an unknown level.
func (c MISConfig) Validate() error {
	switch {
	case math.IsNaN(c.Low) || math.IsNaN(c.High) || c.Low < 0 || c.High < 0:
		return fmt.Errorf("mis band [%v, %v]: bounds must be ≥ 0 (high 0 turns MIS off)", c.Low, c.High)
	case c.Enabled() && c.Low > c.High:
		return fmt.Errorf("mis band [%v, %v]: low > high masks every sample; want low ≤ high", c.Low, c.High)
	case c.Enabled() && c.High < 1:
		return fmt.Errorf("mis band [%v, %v]: high < 1 masks every on-policy sample (ratio 1); want high ≥ 1", c.Low, c.High)
	case c.Enabled() && c.Low > 1:
		return fmt.Errorf("mis band [%v, %v]: low > 1 masks every on-policy sample (ratio 1); want low ≤ 1", c.Low, c.High)
	}
	switch c.Level {
	case "", "token", "sequence":
	default:
		return fmt.Errorf("mis level %q: known: token, sequence", c.Level)
	}
	return nil
}

// MISWeights returns one sample's weights [len(train)]: w_t = ρ_t when Low ≤ ρ_t ≤ High, else 0,
// with ρ_t = exp(train_t − rollout_t), or at sequence level one ρ = exp(Σ_t (train_t − rollout_t))
// over the trained tokens for all of them. Untrained tokens get weight 1 and do not enter the
// sequence ratio. masked counts the tokens (samples, at sequence level) that left the band.
func (c MISConfig) MISWeights(train, rollout []float32, trained func(t int) bool) (w []float64, masked int) {
	w = make([]float64, len(train))
	keep := func(r float64) float64 {
		if r < c.Low || r > c.High || math.IsNaN(r) {
			masked++
			return 0
		}
		return r
	}
	if c.Level == "sequence" {
		var s float64
		for t := range train {
			if trained(t) {
				s += float64(train[t]) - float64(rollout[t])
			}
		}
		v := keep(math.Exp(s))
		for t := range w {
			w[t] = 1
			if trained(t) {
				w[t] = v
			}
		}
		return w, masked
	}
	for t := range train {
		w[t] = 1
		if trained(t) {
			w[t] = keep(math.Exp(float64(train[t]) - float64(rollout[t])))
		}
	}
	return w, masked
}
