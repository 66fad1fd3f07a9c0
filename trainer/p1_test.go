package trainer

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/engine/openai"
	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/model/tokenizer"
	"github.com/ascent-rl/ascent/track"
)

// The p1 recipe's lengths hold every physics prompt and demonstration of its level, in the
// tiny model's (longer) context; the default recipe keeps the tiny model's own context and lengths.
func TestP1RecipeFitsThePhysicsTaskAndLeavesTheDefaultAlone(t *testing.T) {
	p1, err := LoadConfig("p1", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	b := p1.Algo.Batch
	if p1.Data.Task != "physics" || p1.Model.Context < b.MaxPromptLen+b.MaxResponseLen {
		t.Fatalf("p1 recipe: task %q, context %d for %d + %d tokens", p1.Data.Task, p1.Model.Context, b.MaxPromptLen, b.MaxResponseLen)
	}
	tok := tokenizer.NewTaskChar()
	task, err := data.NewTask("physics", p1.Data.Level, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, split := range []data.Split{data.SplitTrain, data.SplitTest} {
		for i := range 2000 {
			ex, err := task.Generate(7, split, i)
			if err != nil {
				t.Fatal(err)
			}
			p, err := tokenizer.EncodePrompt(tok, ex.PromptText)
			if err != nil {
				t.Fatal(err)
			}
			r, err := tok.Encode(ex.Demonstration)
			if err != nil {
				t.Fatal(err)
			}
			if len(p) > b.MaxPromptLen || len(r)+1 > b.MaxResponseLen { // + EOS
				t.Fatalf("%s: prompt %d tokens (max %d), demonstration %d + EOS (max %d)", ex.ID, len(p), b.MaxPromptLen, len(r), b.MaxResponseLen)
			}
		}
	}
	def, err := LoadConfig("", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if def.Model.Context != 0 || def.Algo.Batch.MaxPromptLen != 24 || def.Algo.Batch.MaxResponseLen != 36 || def.Data.Task != "countdown" {
		t.Fatalf("the default recipe moved: context %d, lengths %d/%d, task %s", def.Model.Context, def.Algo.Batch.MaxPromptLen, def.Algo.Batch.MaxResponseLen, def.Data.Task)
	}
}

func TestModelContext(t *testing.T) {
	tok := tokenizer.NewTaskChar()
	cfg, err := LoadConfig("justrl", "", []string{"model.context=128", "algo.batch.max_response_len=100"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := initialParams(cfg, tok)
	if err != nil {
		t.Fatal(err)
	}
	if p.Config.MaxPositionEmbeddings != 128 {
		t.Fatalf("context %d, want 128", p.Config.MaxPositionEmbeddings)
	}
	cfg.Model.Context = 0
	if _, err := initialParams(cfg, tok); err == nil || !strings.Contains(err.Error(), "exceeds the model's context of 64") {
		t.Fatalf("24 + 100 tokens in the tiny model's own context: %v", err)
	}
	dir := t.TempDir()
	if err := p.Save(dir, "float32"); err != nil {
		t.Fatal(err)
	}
	cfg.Model.Init, cfg.Model.Context = dir, 256
	if _, err := initialParams(cfg, tok); err == nil || !strings.Contains(err.Error(), "model.context 256") {
		t.Fatalf("a checkpoint of context 128 with model.context 256: %v", err)
	}
	cfg.Model.Context = 128
	if _, err := initialParams(cfg, tok); err != nil {
		t.Fatalf("a checkpoint with its own context: %v", err)
	}
}

// TaskExamples' test split is the run's own held-out set, so a run on an exported file
// (data.val_file) evaluates on the same problems; the p1 recipe's held-out set (eval.distinct)
// holds each problem once, all 81 of level 2's split when 500 are asked, and the banner says so.
func TestTaskExamplesAreTheRunsHeldOutSet(t *testing.T) {
	cfg := smallConfig(t, "p1", "data.task=physics", "data.level=2", "run.seed=5", "eval.problems=500")
	tr := &Trainer{cfg: cfg}
	if err := tr.openData(); err != nil {
		t.Fatal(err)
	}
	got, err := TaskExamples("physics", 2, nil, data.SplitTest, cfg.Eval.Problems, 5, true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, tr.val) {
		t.Fatalf("exported %d held-out problems differ from the run's %d", len(got), len(tr.val))
	}
	if !cfg.Eval.Distinct || tr.distinctVal != len(tr.val) || len(tr.val) >= 500 {
		t.Fatalf("eval.distinct %v: %d held-out problems, %d distinct; want every distinct one (< 500) once",
			cfg.Eval.Distinct, len(tr.val), tr.distinctVal)
	}
	if note := tr.valNote(); !strings.Contains(note, "every distinct one") {
		t.Fatalf("banner note %q does not say the held-out set is the split's distinct problems", note)
	}
	other, _ := TaskExamples("physics", 2, nil, data.SplitTest, cfg.Eval.Problems, 6, true)
	if reflect.DeepEqual(other, tr.val) {
		t.Fatal("another run seed exported the same problems")
	}
}

// A p1 run on the physics task logs the held-out mean sub-answer score beside the accuracy, and
// the score of each problem kind, writes both scores, before and after RL, into the summary, and
// every greedy held-out response of every evaluation to samples/eval_step_N.jsonl.
func TestP1RunRecordsMeanSubAnswerScore(t *testing.T) {
	cfg := smallConfig(t, "p1", "data.task=physics", "data.level=2", "run.steps=2", "eval.every=1", "sft.steps=30")
	sum, err := Run(context.Background(), cfg, "", nil, local.NewLearner, openai.Dial)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	b, err := os.ReadFile(filepath.Join(sum.RunDir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	s := map[string]float64{}
	for k, v := range raw {
		if f, ok := v.(float64); ok {
			s[k] = f
		}
	}
	for _, k := range []string{"eval_before_score", "eval_after_score"} {
		v, ok := s[k]
		if !ok || v < 0 || v > 1 {
			t.Fatalf("summary %s = %v (present %v): %s", k, v, ok, b)
		}
	}
	// Full-problem accuracy can never exceed the mean sub-answer score.
	if s["eval_before"] > s["eval_before_score"] || s["eval_after"] > s["eval_after_score"] {
		t.Fatalf("accuracy above the mean score: %s", b)
	}
	rows := readMetrics(t, sum.RunDir)
	for i, m := range rows {
		if _, ok := m[metric.ValScore]; !ok {
			t.Fatalf("step %d: no %s in %v", i+1, metric.ValScore, m)
		}
	}
	if last := rows[len(rows)-1][metric.ValScore]; last != s["eval_after_score"] {
		t.Fatalf("last val/score %v, summary %v", last, s["eval_after_score"])
	}
	for step := 0; step <= 2; step++ {
		f := filepath.Join(sum.RunDir, "samples", fmt.Sprintf("eval_step_%d.jsonl", step))
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{} // problems per kind, from the prompts ("circuit u=… : i u1")
		sums := map[string]float64{}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != cfg.Eval.Problems {
			t.Fatalf("%s: %d lines, want one per held-out problem (%d)", f, len(lines), cfg.Eval.Problems)
		}
		for _, l := range lines {
			var smp track.Sample
			if err := json.Unmarshal([]byte(l), &smp); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			kind, _, _ := strings.Cut(smp.Prompt, " ")
			counts[kind]++
			sums[kind] += smp.Reward
		}
		if step == 0 {
			continue // the evaluation before RL has no metrics row
		}
		m := rows[step-1]
		mean := 0.0
		for kind, n := range counts {
			got, ok := m[metric.ValScoreKind+kind]
			if !ok || math.Abs(got-sums[kind]/float64(n)) > 1e-9 {
				t.Fatalf("step %d: %s%s = %v (present %v), the samples file says %v", step, metric.ValScoreKind, kind, got, ok, sums[kind]/float64(n))
			}
			mean += got * float64(n) / float64(len(lines))
		}
		if math.Abs(mean-m[metric.ValScore]) > 1e-9 {
			t.Fatalf("step %d: the kinds' scores average to %v, val/score %v", step, mean, m[metric.ValScore])
		}
	}
}
