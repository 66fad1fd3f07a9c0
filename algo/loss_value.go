package algo

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/core/graph"
)

// ValueLoss is PPO's clipped critic loss (verl compute_value_loss, spec §1.2):
//
//	V_clip  = clamp(V, V_old − c, V_old + c)
//	vf_loss = 0.5 · agg(max((V − R)², (V_clip − R)²))
//
// It reads LossInputs.Values (gradient flows), OldValues and Returns. Metrics critic/vf_loss and
// critic/vf_clipfrac (fraction of tokens where the clipped error is larger).
type ValueLoss struct {
	// ClipRange is c (verl cliprange_value, 0.5).
	ClipRange float64
	// Agg aggregates the per-token loss.
	Agg Aggregation
}

// NewValueLoss validates the configuration.
func NewValueLoss(clipRange float64, agg Aggregation) (ValueLoss, error) {
	if clipRange <= 0 || math.IsNaN(clipRange) {
		return ValueLoss{}, fmt.Errorf("value loss: cliprange_value %v: want > 0", clipRange)
	}
	if err := agg.Validate(); err != nil {
		return ValueLoss{}, fmt.Errorf("value loss: %w", err)
	}
	return ValueLoss{ClipRange: clipRange, Agg: agg}, nil
}

// Name implements Loss.
func (v ValueLoss) Name() string { return "value" }

// Requirements implements Loss.
func (v ValueLoss) Requirements() Requirements { return Requirements{Values: true} }

// Build implements Loss. LogProb is only used for its shape.
func (v ValueLoss) Build(in LossInputs) LossOutput {
	mustCheck(in, v.Requirements())
	// Min/Max rather than Clip: GoMLX v0.28.8's Clamp (behind Clip) has no gradient.
	clipped := Min(Max(in.Values, AddScalar(in.OldValues, -v.ClipRange)), AddScalar(in.OldValues, v.ClipRange))
	e1 := Square(Sub(in.Values, in.Returns))
	e2 := Square(Sub(clipped, in.Returns))
	loss := MulScalar(Aggregate(Max(e1, e2), in.Mask, v.Agg, countsOf(in)), 0.5)
	frac := tokenMetric(ConvertDType(GreaterThan(e2, e1), e1.DType()), in.Mask, countsOf(in))
	return LossOutput{Loss: loss, Metrics: map[string]*Node{MetricVFLoss: loss, MetricVFClipFrac: frac}}
}

// Reference implements Reference.
func (v ValueLoss) Reference(b BatchRef) (RefResult, error) {
	nb, nt, err := checkBatch(b, "values", "old_values", "returns")
	if err != nil {
		return RefResult{}, fmt.Errorf("value loss: %w", err)
	}
	per, frac := newMatrix(nb, nt), newMatrix(nb, nt)
	for i := range per {
		for j := range per[i] {
			vc := clamp(b.Values[i][j], b.OldValues[i][j]-v.ClipRange, b.OldValues[i][j]+v.ClipRange)
			e1 := math.Pow(b.Values[i][j]-b.Returns[i][j], 2)
			e2 := math.Pow(vc-b.Returns[i][j], 2)
			per[i][j] = math.Max(e1, e2)
			if e2 > e1 {
				frac[i][j] = 1
			}
		}
	}
	l, err := AggregateRef(per, b.Mask, v.Agg)
	if err != nil {
		return RefResult{}, err
	}
	l *= 0.5
	return RefResult{Loss: l, Metrics: map[string]float64{MetricVFLoss: l, MetricVFClipFrac: maskedMeanRef(frac, b.Mask)}}, nil
}
