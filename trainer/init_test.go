package trainer

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/engine/openai"
	"github.com/ascent-rl/ascent/track"
)

// A run started from another run's SFT checkpoint (model.init, no warm-up of its own) continues
// that checkpoint's AdamW state when sft.keep_optimizer is set, as the default recipe's RL phase
// does after its own warm-up; otherwise its optimizer starts fresh.
func TestModelInitCheckpointContinuesItsOptimizerState(t *testing.T) {
	const sftSteps = 5
	warm := smallConfig(t, "justrl", "run.name=sft", "run.steps=0", "sft.steps=5")
	sum, err := Run(context.Background(), warm, "", nil, local.NewLearner, openai.Dial)
	if err != nil {
		t.Fatal(err)
	}
	ckpt := filepath.Join(sum.RunDir, "checkpoints", "step_000000", "engine")
	cases := []struct {
		name     string
		keep     string
		wantStep int
	}{
		{"keep_optimizer continues the warm-up's AdamW", "true", sftSteps},
		{"without keep_optimizer AdamW starts fresh", "false", 0},
	}
	const peak = 1e-4 // the tiny recipe's RL learning rate
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// A cosine schedule shows where the RL phase's schedule starts: at its peak, not
			// sftSteps into itself.
			cfg := smallConfig(t, "justrl", "model.init="+ckpt, "sft.steps=0", "sft.keep_optimizer="+c.keep,
				"algo.optim.schedule=cosine", "run.steps=2", fmt.Sprint("algo.optim.lr=", peak))
			tr, err := open(cfg, "", io.Discard, learnerFunc(local.NewLearner), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.run.Finish(track.StatusCompleted)
			if got := tr.policy.(*local.Engine).Step(); got != c.wantStep {
				t.Errorf("optimizer step %d at the start of RL, want %d", got, c.wantStep)
			}
			if got := tr.policy.(*local.Engine).NextLR(); got != peak {
				t.Errorf("first RL learning rate %g, want the cosine schedule's peak %g", got, peak)
			}
		})
	}
}
