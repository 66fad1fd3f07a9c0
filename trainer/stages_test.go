package trainer

import (
	"context"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/engine/openai"
)

// Each step runs with its stage's group size and response length, and logs its stage; the
// evaluation keeps the configured length.
func TestStagesSetGroupSizeAndLengthPerStep(t *testing.T) {
	cfg := smallConfig(t, "grpo", "run.steps=3", "run.save_every=0",
		"stages=[{steps: 1, rollouts: 2, max_response_len: 8}, {steps: 2, rollouts: 4, max_response_len: 24}]")
	sum, err := Run(context.Background(), cfg, "", nil, local.NewLearner, openai.Dial)
	if err != nil {
		t.Fatal(err)
	}
	rows := readMetrics(t, sum.RunDir)
	wantStage := []float64{1, 2, 2}
	for i, m := range rows {
		if m["training/stage"] != wantStage[i] {
			t.Errorf("step %d: stage %v, want %v", i+1, m["training/stage"], wantStage[i])
		}
	}
	if mx := rows[0]["response_length/max"]; mx > 8 {
		t.Errorf("step 1: a response of %v tokens in a stage capped at 8", mx)
	}
	for _, n := range []int{1, 2, 3} {
		if _, st := cfg.stageAt(n); st.Rollouts != map[int]int{1: 2, 2: 4, 3: 4}[n] {
			t.Errorf("stageAt(%d) = %+v", n, st)
		}
	}
}

func TestBadStagesAreRejectedBeforeAnyWork(t *testing.T) {
	cases := []struct {
		name string
		sets []string
		want string
	}{
		{"steps that do not add up", []string{"run.steps=3", "stages=[{steps: 1, rollouts: 2, max_response_len: 8}]"}, "stages cover 1 steps but run.steps is 3"},
		{"a zero group size", []string{"run.steps=1", "stages=[{steps: 1, rollouts: 0, max_response_len: 8}]"}, "rollouts"},
		{"a stage past the model's context", []string{"run.steps=1", "stages=[{steps: 1, rollouts: 2, max_response_len: 100000}]"}, "stages[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig("grpo", "", append([]string{"run.out=" + t.TempDir(), "data.task=arith"}, tc.sets...))
			if err == nil {
				_, err = open(cfg, "", nil, learnerFunc(local.NewLearner), nil)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
