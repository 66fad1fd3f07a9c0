package algo

import (
	"fmt"
	"math"
)

// DecoupledConfig is AReaL's decoupled PPO objective (Fu et al. 2025, "AReaL: a large-scale
// asynchronous reinforcement learning system", §5): with rollouts sampled by a stale behaviour
// policy π_behav, PPO's trust region is taken around a proximal policy π_prox — the learner's own
// weights at the start of the step, whose log-probs the learner recomputes — and the gap between
// π_prox and π_behav is corrected by an importance weight:
//
//	J(θ) = E_{y ~ π_behav} [ Σ_t (π_prox/π_behav)_t · min(r_t Â_t, clip(r_t, 1−ε, 1+ε) Â_t) ],  r_t = π_θ/π_prox
//
// Ascent's trainer always recomputes the old log-probs with the learner, so the ratio r_t of every
// loss already is against π_prox; the decoupled objective is then that loss with each token's
// advantage multiplied by w_t = π_prox/π_behav. AReaL's behav_imp_weight_cap masks the tokens whose
// weight exceeds Cap (weight 0), rather than truncating them. This is MIS at token level with the
// band [0, Cap] (MISWeights), which is how it is computed.
type DecoupledConfig struct {
	// Cap masks tokens whose behaviour weight π_prox/π_behav exceeds it (AReaL's
	// behav_imp_weight_cap; 0 turns the decoupled weight off).
	Cap float64 `json:"cap" yaml:"cap"`
}

// Enabled reports whether the decoupled weight is on.
func (c DecoupledConfig) Enabled() bool { return c.Cap > 0 }

// Validate reports a cap that cannot work.
func (c DecoupledConfig) Validate() error {
	if math.IsNaN(c.Cap) || c.Cap < 0 || (c.Cap > 0 && c.Cap < 1) {
		return fmt.Errorf("decoupled cap %v: want 0 (off) or ≥ 1 (a cap under 1 masks every on-policy token)", c.Cap)
	}
	return nil
}

// Weights returns the behaviour weights of one sample [len(prox)]: π_prox/π_behav per trained
// token, 0 where that exceeds Cap (masked counts those), 1 at untrained tokens.
func (c DecoupledConfig) Weights(prox, behav []float32, trained func(t int) bool) (w []float64, masked int) {
	return MISConfig{Low: 0, High: c.Cap, Level: "token"}.MISWeights(prox, behav, trained)
}
