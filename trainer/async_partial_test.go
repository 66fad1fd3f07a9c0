package trainer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/engine/openai"
	"github.com/ascent-rl/ascent/model"
)

// gatedSampler holds the producer's first segment of step 2's batch until the learner has
// published version 1, so that batch's generation deterministically spans a weight update.
type gatedSampler struct {
	Learner
	tr    *Trainer
	gated *bool
}

func (g gatedSampler) Sample(ctx context.Context, prompts [][]int, n int, p engine.SamplingParams) ([]engine.Sequence, error) {
	r := g.tr.async
	if r == nil || r.sampler != Sampler(g) { // the policy itself (evaluations), not the producer's copy
		return g.Learner.Sample(ctx, prompts, n, p)
	}
	r.mu.Lock()
	step2 := r.next == 2
	r.mu.Unlock()
	if step2 && !*g.gated {
		*g.gated = true
		seqs, err := g.Learner.Sample(ctx, prompts, n, p) // under version 0, loaded before the call
		if err != nil {
			return nil, err
		}
		if _, err := r.weights.wait(ctx, 1, time.Minute); err != nil {
			return nil, fmt.Errorf("gate: %w", err)
		}
		return seqs, nil
	}
	return g.Learner.Sample(ctx, prompts, n, p)
}

func (g gatedSampler) SetWeights(p *model.Params) error {
	return g.Learner.(interface{ SetWeights(*model.Params) error }).SetWeights(p)
}

// With async.partial: continue, step 2's batch (scheduled on version 0) is still generating when
// the learner publishes version 1: its responses continue under version 1, record both versions,
// count as continued, and are as stale as their oldest token. The checkpoint after step 1 holds
// the batch with its token versions, and a run resumed from it trains step 2 exactly as before.
func TestContinuedGenerationRecordsTokenVersionsAndResumesExactly(t *testing.T) {
	cfg := smallConfig(t, "grpo", "run.steps=2", "async.max_staleness=1", "async.partial=continue", "async.segment_tokens=2")
	gated := false
	sum, err := runOpened(t, cfg, func(tr *Trainer) {
		inner := tr.newLearner
		tr.newLearner = func(p *model.Params, o engine.OptimizerConfig) (Learner, error) {
			l, err := inner(p, o)
			return gatedSampler{l, tr, &gated}, err
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	rows := readMetrics(t, sum.RunDir)
	if len(rows) != 2 {
		t.Fatalf("%d metric lines", len(rows))
	}
	if m := rows[0]; m["async/partial_continued"] != 0 || m["async/partial_interrupts"] != 0 || m["async/staleness/max"] != 0 {
		t.Errorf("step 1: continued %v, interrupts %v, staleness %v; want 0, 0, 0", m["async/partial_continued"], m["async/partial_interrupts"], m["async/staleness/max"])
	}
	m := rows[1]
	if m["async/partial_continued"] < 1 || m["async/partial_interrupts"] != 1 || m["async/staleness/max"] != 1 {
		t.Errorf("step 2: continued %v, interrupts %v, staleness %v; want ≥ 1, 1, 1", m["async/partial_continued"], m["async/partial_interrupts"], m["async/staleness/max"])
	}
	if ts := m["async/token_staleness/mean"]; ts <= 0 || ts >= 1 {
		t.Errorf("step 2: token staleness %v, want in (0, 1): tokens of versions 0 and 1", ts)
	}

	st, err := loadState(filepath.Join(sum.RunDir, "checkpoints", "step_000001"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Async == nil || len(st.Async.Batches) != 1 || st.Async.Batches[0].Step != 2 {
		t.Fatalf("checkpoint after step 1 holds %+v, want step 2's batch", st.Async)
	}
	mixed := 0
	for _, g := range st.Async.Batches[0].Groups {
		for _, tr := range g.Trajectories {
			if len(tr.TokenVersions) != len(tr.Tokens) || tr.TokenVersions[0] != 0 {
				t.Fatalf("saved trajectory: versions %v for %d tokens", tr.TokenVersions, len(tr.Tokens))
			}
			if slices.Contains(tr.TokenVersions, 1) {
				mixed++
			}
		}
	}
	if mixed == 0 {
		t.Fatal("no saved trajectory has a token of version 1")
	}

	if err := os.RemoveAll(filepath.Join(sum.RunDir, "checkpoints", "step_000002")); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), Config{}, sum.RunDir, nil, local.NewLearner, openai.Dial); err != nil {
		t.Fatalf("resume: %v", err)
	}
	got := readMetrics(t, sum.RunDir)
	if len(got) != 2 {
		t.Fatalf("%d metric lines after resume", len(got))
	}
	w, g := comparable(rows[1]), comparable(got[1])
	for k, v := range w {
		if g[k] != v {
			t.Errorf("step 2: %s = %v after resume, %v before", k, g[k], v)
		}
	}
}

// async.local.sampler_threads reaches the decoder the producer's sampler copy samples with, and
// async.local.learner_threads the decoder of the learner's log-prob pass.
func TestTheLocalCoreSplitBoundsTheSamplersDecoder(t *testing.T) {
	cfg := smallConfig(t, "grpo", "run.steps=2", "sft.steps=0", "async.max_staleness=1", "async.local.sampler_threads=1", "async.local.learner_threads=1")
	var copies []Learner
	var policy Learner
	_, err := runOpened(t, cfg, func(tr *Trainer) {
		policy = tr.policy
		inner := tr.newLearner
		tr.newLearner = func(p *model.Params, o engine.OptimizerConfig) (Learner, error) {
			l, err := inner(p, o)
			copies = append(copies, l)
			return l, err
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	sampled := 0
	for _, l := range copies {
		if n := l.(interface{ SampleThreads() int }).SampleThreads(); n != 0 {
			sampled++
			if n != 1 {
				t.Errorf("the sampler copy decoded over %d threads, want 1", n)
			}
		}
	}
	if sampled != 1 {
		t.Fatalf("%d of %d learners sampled, want the producer's copy alone", sampled, len(copies))
	}
	if n := policy.(interface{ LogProbThreads() int }).LogProbThreads(); n != 1 {
		t.Errorf("the learner's log-prob pass decoded over %d threads, want 1", n)
	}
}
