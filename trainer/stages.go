package trainer

import (
	"fmt"
	"strings"

	"github.com/ascent-rl/ascent/metric"
)

// stageAt is the 1-based stage that RL step step (1-based) falls in, and the stage; 0 without
// stages.
func (c Config) stageAt(step int) (int, StageConfig) {
	end := 0
	for i, st := range c.Stages {
		end += st.Steps
		if step <= end {
			return i + 1, st
		}
	}
	return 0, StageConfig{}
}

// enterStage sets the group size and response length of step's stage (a no-op without stages).
// The run's config.yaml keeps the stages; a resumed run derives its stage from the step alone.
func (t *Trainer) enterStage(step int, m metrics) {
	n, st := t.cfg.stageAt(step)
	if n == 0 {
		return
	}
	t.cfg.Algo.Batch.Rollouts, t.cfg.Algo.Batch.MaxResponseLen = st.Rollouts, st.MaxResponseLen
	m[metric.TrainingStage] = float64(n)
}

// stagesLine is the banner's description of the stages ("" without).
func (c Config) stagesLine() string {
	if len(c.Stages) == 0 {
		return ""
	}
	parts := make([]string, len(c.Stages))
	first := 1
	for i, st := range c.Stages {
		parts[i] = fmt.Sprintf("%d: steps %d-%d, %d rollouts, ≤ %d tokens", i+1, first, first+st.Steps-1, st.Rollouts, st.MaxResponseLen)
		first += st.Steps
	}
	return strings.Join(parts, "; ")
}
