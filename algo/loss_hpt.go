package algo

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
)

// HPT, hybrid post-training (Lv et al., "Towards a Unified View of LLM Post-Training", arXiv
// 2509.04419; released mix_actor.py, offline_loss_type = "sft", spec §7.3). Rows are routed per
// prompt by HPTRoute: demonstration rows (LossInputs.Demo = 1) get SFT, rollout rows get an
// unclipped policy gradient with Dr.GRPO advantages (estimator "hpt") and a constant length
// normaliser:
//
//	L_SFT = Σ_{demo tokens} −logp / N_demo_tokens          (0 when there is no demonstration)
//	L_RL  = agg(−Â·ρ on rollout rows)   with agg = seq-mean-token-sum-norm, C = T_max
//	L     = SFTCoef·L_SFT + L_RL        (the entropy bonus, 0.001, is added by Actor)
//
// Unified view: SFT rows are π_ref = π_θ, Â = 1, no mask; RL rows are π_ref = π_θold, no mask.
// OldLogProb and Advantages may be nil only when every row is a demonstration.

func init() { RegisterLoss("hpt", NewHPT) }

// HPT is the mixed SFT + RL loss.
type HPT struct {
	// SFTCoef weighs the SFT term (1.0; 0.3 for Qwen2.5-Math-1.5B per the script comment).
	SFTCoef float64
	// Agg aggregates the RL term (seq-mean-token-sum-norm with ScaleFactor = max response length).
	Agg Aggregation
}

// NewHPT builds HPT from cfg.SFTCoef and Agg.
func NewHPT(cfg LossConfig) (Loss, error) {
	if cfg.SFTCoef < 0 {
		return nil, fmt.Errorf("sft_coef %v: want ≥ 0", cfg.SFTCoef)
	}
	if err := cfg.Agg.Validate(); err != nil {
		return nil, err
	}
	return HPT{SFTCoef: cfg.SFTCoef, Agg: cfg.Agg}, nil
}

// Name implements Loss.
func (HPT) Name() string { return "hpt" }

// Requirements implements Loss.
func (HPT) Requirements() Requirements { return Requirements{Demo: true} }

// Build implements Loss: actor/pg_loss, actor/sft_loss, actor/ppo_kl (rollout tokens).
func (l HPT) Build(in LossInputs) LossOutput {
	mustCheck(in, l.Requirements())
	demo := ExpandAxes(in.Demo, 1)         // [B, 1]
	demoMask := Mul(in.Mask, demo)         // [B, T]
	rlMask := Mul(in.Mask, OneMinus(demo)) // [B, T]
	nll := ReduceAllSum(Mul(Neg(in.LogProb), demoMask))
	var sft *Node
	if in.DemoTokenCount != nil {
		sft = Div(nll, AddScalar(in.DemoTokenCount, maskEps))
	} else {
		sft = Div(nll, AddScalar(ReduceAllSum(demoMask), maskEps))
		if in.MicroFraction != nil {
			sft = Mul(sft, in.MicroFraction)
		}
	}
	c := countsOf(in)
	pg := ScalarZero(in.LogProb.Graph(), in.LogProb.DType())
	kl := pg
	if in.OldLogProb != nil && in.Advantages != nil {
		// Demonstration rows have no meaningful old log-prob or advantage: neutralise them so that a
		// placeholder value cannot overflow exp() and turn 0·∞ into NaN.
		isDemo := BroadcastToDims(GreaterThan(demo, ZerosLike(demo)), in.LogProb.Shape().Dimensions...)
		old := Where(isDemo, StopGradient(in.LogProb), in.OldLogProb)
		adv := Where(isDemo, ZerosLike(in.Advantages), in.Advantages)
		t := Kernel{Ref: RefOld, Stab: StabNone}.Build(in.LogProb, old, adv, rlMask)
		pg = Aggregate(Mul(t.Loss, OneMinus(demo)), in.Mask, l.Agg, c)
		kl = tokenMetric(Mul(Neg(t.LogRatio), OneMinus(demo)), in.Mask, c)
	}
	loss := Add(MulScalar(sft, l.SFTCoef), pg)
	return LossOutput{Loss: loss, Metrics: map[string]*Node{MetricPGLoss: pg, MetricSFTLoss: sft, MetricPPOKL: kl}}
}

// Reference implements Reference.
func (l HPT) Reference(b BatchRef) (RefResult, error) {
	nb, nt, err := checkBatch(b, "demo")
	if err != nil {
		return RefResult{}, fmt.Errorf("hpt: %w", err)
	}
	var nll, nDemo float64
	allDemo := true
	for i := 0; i < nb; i++ {
		allDemo = allDemo && b.Demo[i] == 1
		for j := 0; j < nt; j++ {
			nll += -b.LogProb[i][j] * b.Mask[i][j] * b.Demo[i]
			nDemo += b.Mask[i][j] * b.Demo[i]
		}
	}
	sft := nll / (nDemo + maskEps)
	pg, kl := 0.0, 0.0
	if !allDemo || b.OldLogProb != nil {
		if _, _, err := checkBatch(b, "old_log_prob", "advantages"); err != nil {
			return RefResult{}, fmt.Errorf("hpt: rollout rows need them: %w", err)
		}
		old, adv := newMatrix(nb, nt), newMatrix(nb, nt)
		for i := range old {
			for j := range old[i] {
				old[i][j], adv[i][j] = b.OldLogProb[i][j], b.Advantages[i][j]
				if b.Demo[i] > 0 {
					old[i][j], adv[i][j] = b.LogProb[i][j], 0
				}
			}
		}
		t, err := Kernel{Ref: RefOld, Stab: StabNone}.Forward(b.LogProb, old, adv, b.Mask)
		if err != nil {
			return RefResult{}, err
		}
		neg := newMatrix(nb, nt)
		for i := range t.Loss {
			for j := range t.Loss[i] {
				t.Loss[i][j] *= 1 - b.Demo[i]
				neg[i][j] = -t.LogRatio[i][j] * (1 - b.Demo[i])
			}
		}
		if pg, err = AggregateRef(t.Loss, b.Mask, l.Agg); err != nil {
			return RefResult{}, err
		}
		kl = maskedMeanRef(neg, b.Mask)
	}
	loss := l.SFTCoef*sft + pg
	return RefResult{Loss: loss, Metrics: map[string]float64{MetricPGLoss: pg, MetricSFTLoss: sft, MetricPPOKL: kl}}, nil
}
