package algo

import "fmt"

// REINFORCE without a baseline (Williams 1992): every token of a row gets the row's outcome score,
//
//	A_i = s_i
//
// With {0, 1} rewards this is rejection-sampling fine-tuning (RAFT, ReST, STaR): SFT on the
// policy's own correct samples, with no push-down on wrong ones. High variance in general, but
// stable on small models whose errors are confident. Registered as "reinforce".

func init() {
	Register("reinforce", func(AdvantageConfig) (AdvantageEstimator, error) { return Reinforce{}, nil })
}

// Reinforce is the baseline-free REINFORCE estimator.
type Reinforce struct{}

// Name implements AdvantageEstimator.
func (Reinforce) Name() string { return "reinforce" }

// Compute implements AdvantageEstimator.
func (Reinforce) Compute(in AdvantageInputs) (AdvantageOutput, error) {
	if _, _, err := checkAdvInputs(in, false, false); err != nil {
		return AdvantageOutput{}, fmt.Errorf("reinforce advantage: %w", err)
	}
	scores := sequenceScores(in.TokenRewards)
	a := broadcastRows(scores, in.Mask)
	return AdvantageOutput{Advantages: a, Returns: a, PerSequence: scores}, nil
}
