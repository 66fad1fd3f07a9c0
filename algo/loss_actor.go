package algo

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/core/graph"
)

// Actor is the total actor loss of spec §1.5, composed around a policy loss:
//
//	actor_loss = pg_loss − EntropyCoef · agg(entropy) + KLCoef · agg(kl(logp, ref))
//
// The entropy and KL terms use Agg (verl uses the actor's loss_agg_mode; HPT's entropy is a token
// mean while its RL term is not). Metrics: the policy loss's, plus actor/entropy whenever Entropy is
// given, actor/kl_loss and actor/kl_coef when the KL term is on, and actor/loss (the total).
type Actor struct {
	// PG is the policy loss (vanilla, clip_cov, flowrl, ...).
	PG Loss
	// EntropyCoef is the entropy bonus coefficient (0 = off; HPT 0.001).
	EntropyCoef float64
	// KLCoef is the KL loss coefficient (0 = off; GRPO paper 0.04, TTRL 0.001).
	KLCoef float64
	// KLType is the KL estimator of the KL loss (verl default k3 = low_var_kl).
	KLType KLType
	// Agg aggregates the entropy and KL terms.
	Agg Aggregation
}

// NewActor validates the composition.
func NewActor(pg Loss, entropyCoef, klCoef float64, klType KLType, agg Aggregation) (Actor, error) {
	if pg == nil {
		return Actor{}, fmt.Errorf("actor loss: policy loss is nil")
	}
	if math.IsNaN(entropyCoef) || math.IsNaN(klCoef) || klCoef < 0 {
		return Actor{}, fmt.Errorf("actor loss: entropy_coef %v / kl_coef %v: want numbers, kl_coef ≥ 0", entropyCoef, klCoef)
	}
	if klCoef > 0 {
		if _, err := ParseKLType(string(klType)); err != nil {
			return Actor{}, fmt.Errorf("actor loss: %w", err)
		}
	}
	if err := agg.Validate(); err != nil {
		return Actor{}, fmt.Errorf("actor loss: %w", err)
	}
	return Actor{PG: pg, EntropyCoef: entropyCoef, KLCoef: klCoef, KLType: klType, Agg: agg}, nil
}

// Name implements Loss: the policy loss's name.
func (a Actor) Name() string { return a.PG.Name() }

// Requirements implements Loss: the policy loss's plus Entropy / Ref when their terms are on.
func (a Actor) Requirements() Requirements {
	r := a.PG.Requirements()
	r.Entropy = r.Entropy || a.EntropyCoef != 0
	r.Ref = r.Ref || a.KLCoef != 0
	return r
}

// Build implements Loss.
func (a Actor) Build(in LossInputs) LossOutput {
	mustCheck(in, a.Requirements())
	out := a.PG.Build(in)
	metrics := make(map[string]*Node, len(out.Metrics)+4)
	for k, v := range out.Metrics {
		metrics[k] = v
	}
	total := out.Loss
	c := countsOf(in)
	if in.Entropy != nil {
		ent := Aggregate(in.Entropy, in.Mask, a.Agg, c)
		metrics[MetricEntropy] = ent
		if a.EntropyCoef != 0 {
			total = Sub(total, MulScalar(ent, a.EntropyCoef))
		}
	}
	if a.KLCoef != 0 {
		kl := Aggregate(KLPenalty(a.KLType, in.LogProb, in.RefLogProb), in.Mask, a.Agg, c)
		metrics[MetricKLLoss] = kl
		metrics[MetricKLCoef] = MulScalar(tokenMetric(OnesLike(in.Mask), in.Mask, c), a.KLCoef)
		total = Add(total, MulScalar(kl, a.KLCoef))
	}
	metrics[MetricTotalLoss] = total
	return LossOutput{Loss: total, Metrics: metrics}
}

// Reference implements Reference (the policy loss must implement Reference too).
func (a Actor) Reference(b BatchRef) (RefResult, error) {
	ref, ok := a.PG.(Reference)
	if !ok {
		return RefResult{}, fmt.Errorf("actor loss: policy loss %q has no plain-Go reference", a.PG.Name())
	}
	r, err := ref.Reference(b)
	if err != nil {
		return RefResult{}, err
	}
	metrics := make(map[string]float64, len(r.Metrics)+4)
	for k, v := range r.Metrics {
		metrics[k] = v
	}
	total := r.Loss
	if b.Entropy != nil {
		ent, err := AggregateRef(b.Entropy, b.Mask, a.Agg)
		if err != nil {
			return RefResult{}, fmt.Errorf("actor loss: entropy: %w", err)
		}
		metrics[MetricEntropy] = ent
		total -= a.EntropyCoef * ent
	} else if a.EntropyCoef != 0 {
		return RefResult{}, fmt.Errorf("actor loss: entropy is nil but entropy_coef is %v", a.EntropyCoef)
	}
	if a.KLCoef != 0 {
		kl, err := KLPenaltyRef(a.KLType, b.LogProb, b.RefLogProb)
		if err != nil {
			return RefResult{}, fmt.Errorf("actor loss: kl: %w", err)
		}
		v, err := AggregateRef(kl, b.Mask, a.Agg)
		if err != nil {
			return RefResult{}, err
		}
		metrics[MetricKLLoss] = v
		metrics[MetricKLCoef] = a.KLCoef * (1 - maskEps/(sumMatrix(b.Mask)+maskEps))
		total += a.KLCoef * v
	}
	metrics[MetricTotalLoss] = total
	return RefResult{Loss: total, Metrics: metrics}, nil
}

// sumMatrix is Σ x.
func sumMatrix(x [][]float64) float64 {
	s := 0.0
	for _, row := range x {
		for _, v := range row {
			s += v
		}
	}
	return s
}

// ZeroAdvantageRowsInert reports whether a row whose every advantage is 0 adds nothing to this loss
// or its gradient except through the normalisers (TokenCount, SeqCount, which count every row), so
// that an engine may leave such rows out of the forward/backward pass and pass the mini-batch totals
// instead (engine.UpdateOptions.Totals). True for the kernel losses (vanilla, GSPO, CISPO,
// REINFORCE: every token term is −Â·w) without entropy or KL terms; false for losses with batch
// statistics (Clip-Cov, KL-Cov) or per-row terms that do not vanish with Â (FlowRL, HPT, LUFFY).
// Only the token metrics actor/ppo_kl and actor/pg_clipfrac* then cover the computed rows alone.
func (a Actor) ZeroAdvantageRowsInert() bool {
	_, kernel := a.PG.(KernelLoss)
	return kernel && a.EntropyCoef == 0 && a.KLCoef == 0
}
