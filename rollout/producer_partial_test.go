package rollout

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/model"
)

// TestAResponseContinuedAcrossAWeightUpdateCarriesEachTokensOwnVersionAndLogProb samples with the
// real local engine and a tiny model, loading version 1 after the first segment: every response
// then has tokens of versions 0 and 1, and each recorded log-prob equals a teacher-forced
// recomputation under the version that sampled that token (and not under the other one).
func TestAResponseContinuedAcrossAWeightUpdateCarriesEachTokensOwnVersionAndLogProb(t *testing.T) {
	cfg := model.TinyConfig()
	p0, p1 := model.NewRandom(cfg, 1), model.NewRandom(cfg, 2)
	newEngine := func(p *model.Params) *local.Engine {
		e, err := local.New(p.Clone(), local.Config{LR: 1e-3})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	sampler := newEngine(p0)
	loads := 0
	s := Segmented{S: sampler, Segment: 4, Context: cfg.MaxPositionEmbeddings, Refresh: func(context.Context) (int, error) {
		if loads == 1 {
			if err := sampler.SetWeights(p1); err != nil {
				return 0, err
			}
		}
		loads++
		return min(loads-1, 1), nil
	}}
	prompts := [][]int{{5, 6, 7}, {9, 10, 11, 12}}
	seqs, err := s.Sample(context.Background(), prompts, 3, engine.SamplingParams{Temperature: 1, MaxTokens: 10, IgnoreEOS: true, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(seqs) != 6 || loads != 3 { // segments of 4, 4 and 2 tokens
		t.Fatalf("%d sequences after %d refreshes; want 6 after 3", len(seqs), loads)
	}
	rows := make([]engine.Row, len(seqs))
	for i, q := range seqs {
		want := []int{0, 0, 0, 0, 1, 1, 1, 1, 1, 1}
		if !slices.Equal(q.Versions, want) || len(q.Tokens) != 10 || q.PromptIndex != i/3 {
			t.Fatalf("sequence %d: versions %v, %d tokens, prompt %d; want %v, 10, %d", i, q.Versions, len(q.Tokens), q.PromptIndex, want, i/3)
		}
		rows[i] = engine.Row{Prompt: prompts[i/3], Response: q.Tokens}
	}
	var rec [2]*engine.LogProbResult
	for v, p := range []*model.Params{p0, p1} {
		if rec[v], err = newEngine(p).LogProbs(context.Background(), rows, 1); err != nil {
			t.Fatal(err)
		}
	}
	otherDiffers := 0.0
	for i, q := range seqs {
		for j, lp := range q.LogProbs {
			v := q.Versions[j]
			if d := math.Abs(float64(lp - rec[v].LogProbs[i][j])); d > 2e-4 {
				t.Errorf("sequence %d token %d (version %d): sampled log-prob %v, recomputed %v", i, j, v, lp, rec[v].LogProbs[i][j])
			}
			otherDiffers = math.Max(otherDiffers, math.Abs(float64(lp-rec[1-v].LogProbs[i][j])))
		}
	}
	if otherDiffers < 1e-2 {
		t.Fatalf("the two versions give the same log-probs (largest difference %v): the test cannot tell them apart", otherDiffers)
	}
}

// One segment as long as the response is one call of the engine: the same samples, bit for bit.
func TestOneSegmentIsTheEnginesOwnSample(t *testing.T) {
	e, err := local.New(model.NewRandom(model.TinyConfig(), 3), local.Config{LR: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	p := engine.SamplingParams{Temperature: 1, TopP: 0.9, MaxTokens: 8, Seed: 11}
	prompts := [][]int{{5, 6, 7}, {9, 10}}
	want, err := e.Sample(context.Background(), prompts, 2, p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Segmented{S: e, Segment: 8, Refresh: func(context.Context) (int, error) { return 4, nil }}.Sample(context.Background(), prompts, 2, p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if !slices.Equal(got[i].Tokens, want[i].Tokens) || !slices.Equal(got[i].LogProbs, want[i].LogProbs) || got[i].FinishReason != want[i].FinishReason || !slices.Equal(got[i].Versions, slices.Repeat([]int{4}, len(want[i].Tokens))) {
			t.Fatalf("sequence %d: %+v segmented, %+v from the engine", i, got[i], want[i])
		}
	}
}

// scriptedSegments answers each prompt with the tokens of script, in segments: row r of a call continues
// the prompt it is given, so the next token is script[len(prompt)-promptLen].
type scriptedSegments struct {
	promptLen int
	script    []int
	stop      int // a stop token id
	calls     []int
}

func (s *scriptedSegments) Sample(_ context.Context, prompts [][]int, n int, p engine.SamplingParams) ([]engine.Sequence, error) {
	s.calls = append(s.calls, len(prompts)*n)
	var out []engine.Sequence
	for i, pr := range prompts {
		for range n {
			q := engine.Sequence{PromptIndex: i, FinishReason: "length"}
			for k := len(pr) - s.promptLen; k < len(s.script) && len(q.Tokens) < p.MaxTokens; k++ {
				q.Tokens, q.LogProbs = append(q.Tokens, s.script[k]), append(q.LogProbs, -1)
				if s.script[k] == s.stop {
					q.FinishReason = "stop"
					break
				}
			}
			out = append(out, q)
		}
	}
	return out, nil
}

func TestSegmentedSamplingEndsWhereOneCallWould(t *testing.T) {
	for _, c := range []struct {
		name      string
		script    []int
		max, ctx  int
		wantToks  int
		wantEnd   string
		wantCalls int
	}{
		{"a stop token mid-segment ends the response", []int{4, 4, 4, 4, 4, 9, 4}, 20, 0, 6, "stop", 2},
		{"max_tokens ends it", []int{4, 4, 4, 4, 4, 4, 4, 4, 4}, 7, 0, 7, "length", 3},
		{"the context ends it", []int{4, 4, 4, 4, 4, 4, 4, 4, 4}, 20, 2 + 8, 8, "length", 3},
		{"a response the engine cuts short ends it", []int{4, 4, 4, 4, 4}, 20, 0, 5, "length", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := &scriptedSegments{promptLen: 2, script: c.script, stop: 9}
			s := Segmented{S: sc, Segment: 3, Context: c.ctx, Refresh: func(context.Context) (int, error) { return len(sc.calls), nil }}
			seqs, err := s.Sample(context.Background(), [][]int{{1, 2}}, 2, engine.SamplingParams{MaxTokens: c.max})
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range seqs {
				if len(q.Tokens) != c.wantToks || q.FinishReason != c.wantEnd || len(q.Versions) != len(q.Tokens) || len(sc.calls) != c.wantCalls {
					t.Fatalf("%d tokens (%v), %q after %d calls; want %d, %q after %d", len(q.Tokens), q.Versions, q.FinishReason, len(sc.calls), c.wantToks, c.wantEnd, c.wantCalls)
				}
			}
		})
	}
}

func TestSegmentedSamplingRejectsStopStringsAndEmptySegments(t *testing.T) {
	ok := func(context.Context) (int, error) { return 0, nil }
	for _, s := range []Segmented{{S: &scriptedSegments{}, Segment: 0, Refresh: ok}, {S: &scriptedSegments{}, Segment: 2, Refresh: ok}} {
		p := engine.SamplingParams{MaxTokens: 4}
		if s.Segment > 0 {
			p.Stop = []string{"\n"}
		}
		if _, err := s.Sample(context.Background(), [][]int{{1}}, 1, p); err == nil {
			t.Fatalf("segment %d, stop %q: no error", s.Segment, p.Stop)
		}
	}
}
