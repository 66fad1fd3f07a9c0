package algo

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/core/graph"
)

// FlowRL (Zhu et al., arXiv 2509.15207; official compute_flowrl_objective, spec §5). Instead of
// maximising reward it matches π_θ to π* ∝ exp(β·r̂)·π_ref by regressing a length-normalised
// trajectory-balance residual to zero, with a learned log partition log Z(x) (LossInputs.LogZ):
//
//	δ_b = log Z_b + mean_t logp − β·mean_t Â − mean_t ref
//	w_b = sg(exp(Σ_t (logp − old)·m))      (official code: unclipped; paper: clip(w, 1−ε, 1+ε))
//	L   = Σ_b w_b·δ_b² / N_seqs
//
// Unified view: π_ref = π_θ (∇log π), no mask, and a per-sequence learned-baseline advantage
// Â_b = −2·w_b·δ_b/|y_b| — the π_ref term replaces a KL loss. Â here is verl's GRPO advantage (r̂).
// Ascent guard: the log of w is clamped to ±20 before exp (only matters for degenerate batches).

func init() { RegisterLoss("flowrl", NewFlowRL) }

// FlowRL is the trajectory-balance loss.
type FlowRL struct {
	// Beta scales the reward (official code: 15).
	Beta float64
	// ISClip is the paper's IS-weight clip ε; 0 keeps the official code's unclipped weight.
	ISClip float64
}

// NewFlowRL builds FlowRL from cfg.FlowBeta and FlowISClip.
func NewFlowRL(cfg LossConfig) (Loss, error) {
	if !(cfg.FlowBeta > 0) {
		return nil, fmt.Errorf("flow_beta %v: want > 0 (official code 15)", cfg.FlowBeta)
	}
	if cfg.FlowISClip < 0 || cfg.FlowISClip >= 1 {
		return nil, fmt.Errorf("flow_is_clip %v: want 0 (official, unclipped) or in (0, 1) (paper 0.2)", cfg.FlowISClip)
	}
	return FlowRL{Beta: cfg.FlowBeta, ISClip: cfg.FlowISClip}, nil
}

// Name implements Loss.
func (FlowRL) Name() string { return "flowrl" }

// Requirements implements Loss.
func (FlowRL) Requirements() Requirements { return Requirements{Ref: true, LogZ: true} }

// rowMean is the masked mean over t: [B, T] → [B].
func rowMean(x, mask *Node) *Node {
	return Div(ReduceSum(Mul(x, mask), 1), AddScalar(ReduceSum(mask, 1), maskEps))
}

// Terms returns δ [B], the unclipped weight [B] and the weight actually used [B] (clipped when ISClip > 0).
func (l FlowRL) Terms(in LossInputs) (delta, wRaw, w *Node) {
	delta = Sub(Sub(Add(in.LogZ, rowMean(in.LogProb, in.Mask)), MulScalar(rowMean(in.Advantages, in.Mask), l.Beta)),
		rowMean(in.RefLogProb, in.Mask))
	lw := ClipScalar(ReduceSum(Mul(Sub(in.LogProb, in.OldLogProb), in.Mask), 1), -20, 20)
	wRaw = StopGradient(Exp(lw))
	w = wRaw
	if l.ISClip > 0 {
		w = ClipScalar(wRaw, 1-l.ISClip, 1+l.ISClip)
	}
	return delta, wRaw, w
}

// Build implements Loss: actor/pg_loss, actor/ppo_kl and the actor/flowrl_* metrics.
func (l FlowRL) Build(in LossInputs) LossOutput {
	mustCheck(in, l.Requirements(), "OldLogProb", "Advantages")
	delta, _, w := l.Terms(in)
	c := countsOf(in)
	valid := rowValid(in.Mask)
	seqMean := func(x *Node) *Node { return Div(ReduceAllSum(Mul(x, valid)), c.seqs(in.Mask)) }
	loss := seqMean(Mul(w, Square(delta)))
	return LossOutput{Loss: loss, Metrics: map[string]*Node{
		MetricPGLoss:       loss,
		MetricPPOKL:        tokenMetric(Sub(in.OldLogProb, in.LogProb), in.Mask, c),
		MetricFlowLogZ:     seqMean(in.LogZ),
		MetricFlowISWeight: seqMean(w),
		MetricFlowResidual: seqMean(Square(delta)),
	}}
}

// TermsRef is the plain-Go reference of Terms.
func (l FlowRL) TermsRef(b BatchRef) (delta, wRaw, w []float64, err error) {
	nb, _, err := checkBatch(b, "old_log_prob", "ref_log_prob", "advantages", "log_z")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("flowrl: %w", err)
	}
	delta, wRaw, w = make([]float64, nb), make([]float64, nb), make([]float64, nb)
	for i := 0; i < nb; i++ {
		var n, lp, ref, adv, lr float64
		for j := range b.Mask[i] {
			m := b.Mask[i][j]
			n += m
			lp += b.LogProb[i][j] * m
			ref += b.RefLogProb[i][j] * m
			adv += b.Advantages[i][j] * m
			lr += (b.LogProb[i][j] - b.OldLogProb[i][j]) * m
		}
		n += maskEps
		delta[i] = b.LogZ[i] + lp/n - l.Beta*adv/n - ref/n
		wRaw[i] = math.Exp(clamp(lr, -20, 20))
		w[i] = wRaw[i]
		if l.ISClip > 0 {
			w[i] = clamp(w[i], 1-l.ISClip, 1+l.ISClip)
		}
	}
	return delta, wRaw, w, nil
}

// Reference implements Reference.
func (l FlowRL) Reference(b BatchRef) (RefResult, error) {
	delta, _, w, err := l.TermsRef(b)
	if err != nil {
		return RefResult{}, err
	}
	var loss, logZ, ws, res, seqs float64
	for i := range delta {
		valid := false
		for _, m := range b.Mask[i] {
			valid = valid || m > 0
		}
		if !valid {
			continue
		}
		seqs++
		loss += w[i] * delta[i] * delta[i]
		logZ += b.LogZ[i]
		ws += w[i]
		res += delta[i] * delta[i]
	}
	kl := newMatrix(len(b.LogProb), len(b.LogProb[0]))
	for i := range kl {
		for j := range kl[i] {
			kl[i][j] = b.OldLogProb[i][j] - b.LogProb[i][j]
		}
	}
	loss /= seqs
	return RefResult{Loss: loss, Metrics: map[string]float64{MetricPGLoss: loss, MetricPPOKL: maskedMeanRef(kl, b.Mask),
		MetricFlowLogZ: logZ / seqs, MetricFlowISWeight: ws / seqs, MetricFlowResidual: res / seqs}}, nil
}
