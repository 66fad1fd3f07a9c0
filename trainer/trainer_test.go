package trainer

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/engine/openai"
)

// smallConfig is a run small enough for the test suite: tiny model, 4 prompts × 4 responses,
// a few SFT steps. The policy is a real model trained for real; it is just small.
func smallConfig(t *testing.T, preset string, sets ...string) Config {
	t.Helper()
	base := []string{
		"run.out=" + t.TempDir(), "run.steps=3", "run.save_every=1", "run.samples_per_step=4",
		"sft.steps=4", "sft.batch_rows=8", "eval.problems=16", "data.task=arith", "data.level=2",
		"algo.batch.prompts=4", "algo.batch.mini_batch_prompts=2", "algo.batch.rollouts=4",
	}
	cfg, err := LoadConfig(preset, "", append(base, sets...))
	if err != nil {
		t.Fatalf("config for %s: %v", preset, err)
	}
	if cfg.Algo.Reward.Vote.Enabled {
		cfg.Algo.Reward.Vote.NVotes, cfg.Algo.Reward.Vote.NTrain, cfg.Algo.Batch.Rollouts = 4, 2, 4
	}
	if cfg.Algo.Reward.FilterGroups.Enabled {
		cfg.Algo.Reward.FilterGroups.MaxGenBatches = 50
	}
	return cfg
}

// readMetrics reads a run's metrics.jsonl as one map per line.
func readMetrics(t *testing.T, runDir string) []map[string]float64 {
	t.Helper()
	f, err := os.Open(filepath.Join(runDir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]float64
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := map[string]float64{}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("metrics line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func TestEveryPresetRunsAndItsMetricsAreFinite(t *testing.T) {
	for _, preset := range algo.PresetNames() {
		t.Run(preset, func(t *testing.T) {
			sets := []string{"run.steps=2"}
			if p, _ := algo.Preset(preset); p.Reward.FilterGroups.Enabled {
				// Dynamic sampling keeps only groups with mixed rewards: the policy must solve some.
				sets = append(sets, "sft.steps=40", "data.level=1")
			}
			cfg := smallConfig(t, preset, sets...)
			sum, err := Run(context.Background(), cfg, "", nil, local.NewLearner, openai.Dial)
			if err != nil {
				t.Fatalf("%s: %v", preset, err)
			}
			rows := readMetrics(t, sum.RunDir)
			if len(rows) != 2 {
				t.Fatalf("%s: want 2 metrics lines, got %d", preset, len(rows))
			}
			for _, m := range rows {
				for _, k := range []string{"critic/score/mean", "actor/pg_loss", "actor/grad_norm", "response_length/mean", "timing_s/step", "perf/throughput"} {
					if _, ok := m[k]; !ok {
						t.Errorf("%s: metric %s missing", preset, k)
					}
				}
				for k, v := range m {
					if math.IsNaN(v) || math.IsInf(v, 0) {
						t.Errorf("%s: metric %s = %v", preset, k, v)
					}
				}
			}
			if cfg.Algo.Reward.Vote.Enabled {
				if _, ok := rows[0]["ttrl/label_accuracy"]; !ok {
					t.Errorf("ttrl: label diagnostics not logged")
				}
			}
			if cfg.Algo.Critic != nil {
				if _, ok := rows[0]["critic/values/mean"]; !ok {
					t.Errorf("ppo: critic values not logged")
				}
			}
		})
	}
}

func TestBadConfigIsRejectedBeforeAnyWork(t *testing.T) {
	tests := []struct {
		name   string
		preset string
		sets   []string
		want   string
	}{
		{"an unknown key names it", "", []string{"trainer.lr=1e-5"}, `unknown key "trainer.lr"`},
		{"an unknown preset lists the valid ones", "sgd", nil, "valid: cispo, clip_cov"},
		{"a negative step count is out of range", "", []string{"run.steps=-1"}, "run.steps = -1"},
		{"mini-batches must divide the batch", "", []string{"algo.batch.prompts=6", "algo.batch.mini_batch_prompts=4"}, "divisible by mini_batch_prompts"},
		{"an unknown built-in task lists the known ones", "", []string{"data.task=chess", "run.out=" + t.TempDir()}, "chess"},
		{"a context overflow names both lengths", "", []string{"algo.batch.max_response_len=60", "run.out=" + t.TempDir()}, "exceeds the model's context"},
		{"a learning-rate floor needs the cosine schedule", "", []string{"algo.optim.min_lr_ratio=0.3"}, `only with schedule cosine (schedule is "constant")`},
		{"a learning-rate floor above lr is out of range", "", []string{"algo.optim.schedule=cosine", "algo.optim.min_lr_ratio=1.5"}, "min_lr_ratio 1.5"},
		{"an unknown verifier lists the known ones", "", []string{"algo.reward.verifier=vibes", "run.out=" + t.TempDir()}, "strict_box"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(tc.preset, "", tc.sets)
			if err == nil {
				_, err = open(cfg, "", nil, learnerFunc(local.NewLearner), nil)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want error containing %q, got %v", tc.want, err)
			}
		})
	}
}

func TestHPTNeedsDemonstrations(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "train.jsonl")
	os.WriteFile(file, []byte(`{"id":"a","problem":"1+1=","answer":"2","data_source":"ascent/arith"}`+"\n"), 0o644)
	cfg := smallConfig(t, "hpt", "data.train_file="+file, "sft.steps=0")
	_, err := open(cfg, "", nil, learnerFunc(local.NewLearner), nil)
	if err == nil || !strings.Contains(err.Error(), "demonstration") || !strings.Contains(err.Error(), "hpt") {
		t.Fatalf("want an error naming hpt and the missing demonstration, got %v", err)
	}
}

func TestDerivedBatchQuantities(t *testing.T) {
	cfg, err := LoadConfig("justrl", "", []string{"algo.batch.prompts=32", "algo.batch.mini_batch_prompts=8", "algo.batch.rollouts=8", "algo.batch.ppo_epochs=2", "run.steps=10"})
	if err != nil {
		t.Fatal(err)
	}
	d := Derive(cfg)
	want := Derived{RowsPerStep: 256, GeneratedPerStep: 256, MiniBatches: 4, UpdatesPerStep: 8, RowsPerUpdate: 64,
		MaxTokensPerUpdate: 64 * (cfg.Algo.Batch.MaxPromptLen + cfg.Algo.Batch.MaxResponseLen), TotalUpdates: 80}
	if d != want {
		t.Fatalf("Derive = %+v, want %+v", d, want)
	}
}

func TestOptimizerConfigCarriesTheOptimiser(t *testing.T) {
	cfg, err := LoadConfig("", "", []string{"algo.optim.schedule=cosine", "algo.optim.min_lr_ratio=0.25", "algo.optim.warmup_ratio=0.1"})
	if err != nil {
		t.Fatal(err)
	}
	got := optimizerConfig(cfg, 2e-4, 300)
	if got.Schedule != "cosine" || got.MinLRRatio != 0.25 || got.WarmupSteps != 30 || got.LR != 2e-4 || got.TotalSteps != 300 {
		t.Fatalf("engine config %+v: want cosine, floor 0.25, 30 warm-up steps, lr 2e-4 over 300 steps", got)
	}
}
