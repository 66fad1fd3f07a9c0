package trainer

import (
	. "github.com/gomlx/gomlx/core/graph"

	"github.com/ascent-rl/ascent/algo"
)

// newLoss builds the preset's training loss: the actor loss, plus PPO's clipped value loss on the
// value head when the preset has a critic (one optimiser updates both; verl uses two).
func newLoss(a algo.Config) (algo.Loss, error) {
	actor, err := a.NewActorLoss()
	if err != nil {
		return nil, err
	}
	if a.Critic == nil {
		return actor, nil
	}
	v, err := a.NewValueLoss()
	if err != nil {
		return nil, err
	}
	return sumLoss{parts: []algo.Loss{actor, v}}, nil
}

// sumLoss adds several losses and merges their metrics.
type sumLoss struct{ parts []algo.Loss }

// Name joins the parts' names.
func (s sumLoss) Name() string {
	n := ""
	for i, p := range s.parts {
		if i > 0 {
			n += "+"
		}
		n += p.Name()
	}
	return n
}

// Requirements is the union of the parts' requirements.
func (s sumLoss) Requirements() algo.Requirements {
	var r algo.Requirements
	for _, p := range s.parts {
		q := p.Requirements()
		r.Ref = r.Ref || q.Ref
		r.Entropy = r.Entropy || q.Entropy
		r.LogZ = r.LogZ || q.LogZ
		r.Values = r.Values || q.Values
		r.Demo = r.Demo || q.Demo
		r.Noise = r.Noise || q.Noise
	}
	return r
}

// Build sums the parts' losses.
func (s sumLoss) Build(in algo.LossInputs) algo.LossOutput {
	out := algo.LossOutput{Metrics: map[string]*Node{}}
	for _, p := range s.parts {
		o := p.Build(in)
		if out.Loss == nil {
			out.Loss = o.Loss
		} else {
			out.Loss = Add(out.Loss, o.Loss)
		}
		for k, v := range o.Metrics {
			out.Metrics[k] = v
		}
	}
	return out
}
