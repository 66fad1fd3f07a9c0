package trainer

import (
	"context"
	"testing"

	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/engine/openai"
)

// The p1 preset (GSPO + sequence-level TIS) trains and logs its weights; the local sampler and the
// trainer compute nearly the same probabilities, so the weights sit near 1 and the cap rarely cuts.
func TestP1PresetLogsTruncatedISWeights(t *testing.T) {
	cfg := smallConfig(t, "p1", "run.steps=2", "run.save_every=0")
	sum, err := Run(context.Background(), cfg, "", nil, local.NewLearner, openai.Dial)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range readMetrics(t, sum.RunDir) {
		mean, ok := m["training/rollout_is_mean"]
		if !ok || mean < 0.9 || mean > 1.1 || m["training/rollout_is_max"] > 2 || m["training/rollout_is_capped_frac"] > 0.5 {
			t.Errorf("step %d: TIS metrics %v", i+1, pick(m, "training/rollout_is"))
		}
	}
}
