package trainer

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/engine/openai"
)

// toolsConfig is the tools preset made small enough for the test suite.
func toolsConfig(t *testing.T, sets ...string) Config {
	t.Helper()
	base := []string{"run.out=" + t.TempDir(), "run.steps=1", "run.save_every=1", "sft.steps=3", "sft.batch_rows=4",
		"eval.problems=4", "algo.batch.prompts=2", "algo.batch.mini_batch_prompts=2", "algo.batch.rollouts=2"}
	cfg, err := LoadConfig(ToolsPreset, "", append(base, sets...))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestToolsPresetTrainsWithTheCalculatorAndEvaluatesWithAndWithout(t *testing.T) {
	cfg := toolsConfig(t)
	if cfg.Data.Task != "toolarith" || len(cfg.Rollout.Tools) != 1 || cfg.Rollout.Tools[0] != "calc" {
		t.Fatalf("tools preset: task %q, tools %v", cfg.Data.Task, cfg.Rollout.Tools)
	}
	sum, err := Run(context.Background(), cfg, "", nil, local.NewLearner, openai.Dial)
	if err != nil {
		t.Fatal(err)
	}
	rows := readMetrics(t, sum.RunDir)
	if len(rows) != 1 {
		t.Fatalf("%d metrics lines, want 1", len(rows))
	}
	for _, k := range []string{"tools/calls_per_response", "tools/error_ratio", "tools/timeout_ratio"} {
		if _, ok := rows[0][k]; !ok {
			t.Errorf("metric %s missing", k)
		}
	}
	evals, err := ReadToolEvals(filepath.Join(sum.RunDir, FileToolEval))
	if err != nil {
		t.Fatal(err)
	}
	if len(evals) != 2 || evals[0].Step != 0 || evals[1].Step != 1 {
		t.Fatalf("tool evaluations %+v, want steps 0 and 1", evals)
	}
	if evals[1].WithTools != sum.EvalAfter {
		t.Fatalf("with-tools accuracy %v is not val/accuracy %v", evals[1].WithTools, sum.EvalAfter)
	}
}

func TestDemonstrationsMaskTheCalculatorsAnswer(t *testing.T) {
	tr, err := open(toolsConfig(t), "", nil, learnerFunc(local.NewLearner), nil)
	if err != nil {
		t.Fatal(err)
	}
	demo := `\calc{4821*937}=4517277 \boxed{4517277}`
	ids, mask, err := tr.encodeDemo(context.Background(), demo)
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	for _, m := range mask {
		got.WriteByte("01"[int(m)])
	}
	// 15 call characters, 8 inserted, 16 of the answer, EOS.
	if want := strings.Repeat("1", 15) + strings.Repeat("0", 8) + strings.Repeat("1", 17); got.String() != want || len(ids) != len(mask) {
		t.Fatalf("mask %s\nwant %s (%d ids)", got.String(), want, len(ids))
	}
	if _, _, err := tr.encodeDemo(context.Background(), `\calc{2*2}=5 \boxed{5}`); err == nil {
		t.Fatal("a demonstration with a wrong calculator answer should be an error")
	}
}

func TestBadToolConfigIsRejectedBeforeAnyWork(t *testing.T) {
	for _, tc := range []struct{ set, want string }{
		{"rollout.tools=[abacus]", "valid: calc, python"},
		{"rollout.tool_syntax=xml", "valid: hermes, tiny"},
		{"rollout.tool_syntax=hermes", `cannot encode its closer "</tool_call>"`},
	} {
		t.Run(tc.set, func(t *testing.T) {
			cfg, err := LoadConfig(ToolsPreset, "", []string{"run.out=" + t.TempDir(), tc.set})
			if err == nil {
				_, err = open(cfg, "", nil, learnerFunc(local.NewLearner), nil)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error containing %q, got %v", tc.want, err)
			}
		})
	}
}
