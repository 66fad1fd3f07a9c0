package algo

import "fmt"

// KernelLoss is a policy loss that is exactly the unified Kernel followed by an Aggregation:
// vanilla (PPO/GRPO/DAPO/JustRL), GSPO, CISPO and REINFORCE are all values of it.
type KernelLoss struct {
	name string
	// Kernel is the token-level estimator.
	Kernel Kernel
	// Agg aggregates the per-token loss.
	Agg Aggregation
}

// newKernelLoss validates k and a.
func newKernelLoss(name string, k Kernel, a Aggregation) (KernelLoss, error) {
	if err := k.Validate(); err != nil {
		return KernelLoss{}, err
	}
	if err := a.Validate(); err != nil {
		return KernelLoss{}, err
	}
	return KernelLoss{name: name, Kernel: k, Agg: a}, nil
}

// Name implements Loss.
func (l KernelLoss) Name() string { return l.name }

// Requirements implements Loss: only the always-present inputs.
func (l KernelLoss) Requirements() Requirements { return Requirements{} }

// Build implements Loss: metrics actor/pg_loss, actor/pg_clipfrac, actor/pg_clipfrac_lower, actor/ppo_kl.
func (l KernelLoss) Build(in LossInputs) LossOutput {
	need := []string{"Advantages"}
	if l.Kernel.Ref == RefOld || l.Kernel.Ref == RefSequence {
		need = append(need, "OldLogProb")
	}
	mustCheck(in, l.Requirements(), need...)
	t := l.Kernel.Build(in.LogProb, in.OldLogProb, in.Advantages, in.Mask)
	pg := Aggregate(t.Loss, in.Mask, l.Agg, countsOf(in))
	return LossOutput{Loss: pg, Metrics: policyMetrics(pg, t, in)}
}

// Reference implements Reference.
func (l KernelLoss) Reference(b BatchRef) (RefResult, error) {
	need := []string{"advantages"}
	if l.Kernel.Ref == RefOld || l.Kernel.Ref == RefSequence {
		need = append(need, "old_log_prob")
	}
	if _, _, err := checkBatch(b, need...); err != nil {
		return RefResult{}, fmt.Errorf("%s: %w", l.name, err)
	}
	t, err := l.Kernel.Forward(b.LogProb, b.OldLogProb, b.Advantages, b.Mask)
	if err != nil {
		return RefResult{}, err
	}
	pg, err := AggregateRef(t.Loss, b.Mask, l.Agg)
	if err != nil {
		return RefResult{}, err
	}
	return RefResult{Loss: pg, Metrics: policyMetricsRef(pg, t, b.Mask)}, nil
}
