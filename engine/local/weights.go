package local

import (
	"fmt"
	"slices"

	"github.com/ascent-rl/ascent/model"
)

// SetWeights copies p's weights (same architecture) into the engine, as Load does with a
// checkpoint's, and leaves the optimizer state and heads alone. An asynchronous trainer's sampler
// copy takes each weight version the learner publishes this way (trainer/async.go).
func (e *Engine) SetWeights(p *model.Params) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !sameArchitecture(p.Config, e.params.Config) {
		return fmt.Errorf("set weights: architecture %+v differs from the engine's %+v", p.Config, e.params.Config)
	}
	src := p.Named()
	dst := e.params.Named()
	for name, d := range dst { // check everything before changing anything
		s, ok := src[name]
		if !ok || !slices.Equal(s.Shape, d.Shape) {
			return fmt.Errorf("set weights: tensor %s missing or misshapen in the new weights", name)
		}
	}
	for name, d := range dst {
		copy(d.Data, src[name].Data)
	}
	e.invalidate()
	return nil
}
