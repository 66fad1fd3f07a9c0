package algo

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
)

// LUFFY, learning to reason under off-policy guidance (Yan et al., arXiv 2504.14945; HPT repo
// mix_core_alg.compute_token_on_off_policy_loss with off_policy_reshape = "p_div_p_0.1"). Rollout
// rows use the ordinary clipped surrogate; demonstration rows (Demo = 1), whose behaviour
// probability is unknown, use π_ref ≡ 1 with the policy-shaping f(π) = π/(π+γ), no clipping:
//
//	ℓ_t = −Â·f(π_θ(y_t))   on demonstration tokens,   clipped PPO on rollout tokens
//
// Â is group-normalised over rollouts ∪ demonstrations (estimator "grpo" over all rows). The
// shaping's derivative γ/(π+γ)² boosts low-probability demonstration tokens.

func init() { RegisterLoss("luffy", NewLUFFY) }

// LUFFY is the mixed on/off-policy loss.
type LUFFY struct {
	// OnPolicy is the rollout-row kernel (clipped surrogate).
	OnPolicy Kernel
	// OffPolicy is the demonstration-row kernel (π_ref ≡ 1, shaping γ).
	OffPolicy Kernel
	// Agg aggregates all tokens together.
	Agg Aggregation
}

// NewLUFFY builds LUFFY from cfg.ClipLow/ClipHigh, ShapeGamma and Agg.
func NewLUFFY(cfg LossConfig) (Loss, error) {
	if !(cfg.ShapeGamma > 0) {
		return nil, fmt.Errorf("shape_gamma %v: want > 0 (LUFFY 0.1)", cfg.ShapeGamma)
	}
	l := LUFFY{
		OnPolicy:  Kernel{Ref: RefOld, Stab: StabClip, ClipLow: cfg.ClipLow, ClipHigh: cfg.ClipHigh, LogRatioClamp: 20},
		OffPolicy: Kernel{Ref: RefOne, Stab: StabNone, Shape: cfg.ShapeGamma},
		Agg:       cfg.Agg,
	}
	if err := l.OnPolicy.Validate(); err != nil {
		return nil, err
	}
	if err := l.Agg.Validate(); err != nil {
		return nil, err
	}
	return l, nil
}

// Name implements Loss.
func (LUFFY) Name() string { return "luffy" }

// Requirements implements Loss.
func (LUFFY) Requirements() Requirements { return Requirements{Demo: true} }

// Build implements Loss: actor/pg_loss, actor/pg_clipfrac and actor/ppo_kl over rollout tokens.
func (l LUFFY) Build(in LossInputs) LossOutput {
	mustCheck(in, l.Requirements(), "OldLogProb", "Advantages")
	demo := GreaterThan(ExpandAxes(in.Demo, 1), ZerosLike(ExpandAxes(in.Demo, 1))) // [B, 1]
	demoBT := BroadcastToDims(demo, in.LogProb.Shape().Dimensions...)
	// Demonstration rows have no meaningful old log-prob: use the current one (ratio 1) so that a
	// garbage value cannot overflow the unused branch and poison gradients.
	old := Where(demoBT, StopGradient(in.LogProb), in.OldLogProb)
	on := l.OnPolicy.Build(in.LogProb, old, in.Advantages, in.Mask)
	off := l.OffPolicy.Build(in.LogProb, nil, in.Advantages, in.Mask)
	per := Where(demoBT, off.Loss, on.Loss)
	pg := Aggregate(per, in.Mask, l.Agg, countsOf(in))
	return LossOutput{Loss: pg, Metrics: policyMetrics(pg, on, in)}
}

// Reference implements Reference.
func (l LUFFY) Reference(b BatchRef) (RefResult, error) {
	nb, nt, err := checkBatch(b, "old_log_prob", "advantages", "demo")
	if err != nil {
		return RefResult{}, fmt.Errorf("luffy: %w", err)
	}
	old := newMatrix(nb, nt)
	for i := range old {
		for j := range old[i] {
			old[i][j] = b.OldLogProb[i][j]
			if b.Demo[i] > 0 {
				old[i][j] = b.LogProb[i][j]
			}
		}
	}
	on, err := l.OnPolicy.Forward(b.LogProb, old, b.Advantages, b.Mask)
	if err != nil {
		return RefResult{}, err
	}
	off, err := l.OffPolicy.Forward(b.LogProb, nil, b.Advantages, b.Mask)
	if err != nil {
		return RefResult{}, err
	}
	per := newMatrix(nb, nt)
	for i := range per {
		for j := range per[i] {
			per[i][j] = on.Loss[i][j]
			if b.Demo[i] > 0 {
				per[i][j] = off.Loss[i][j]
			}
		}
	}
	pg, err := AggregateRef(per, b.Mask, l.Agg)
	if err != nil {
		return RefResult{}, err
	}
	return RefResult{Loss: pg, Metrics: policyMetricsRef(pg, on, b.Mask)}, nil
}
