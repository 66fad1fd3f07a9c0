package local

import (
	"context"
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/rollout"
)

func TestSamplingIsDeterministicGivenTheSeedWhateverGOMAXPROCS(t *testing.T) {
	e := newTestEngine(t, Config{})
	prompts := [][]int{{1, 5, 6}, {1, 9}}
	p := engine.SamplingParams{Temperature: 1, TopP: 0.9, TopK: 20, MaxTokens: 8, Seed: 42}
	a, err := e.Sample(context.Background(), prompts, 3, p)
	if err != nil {
		t.Fatal(err)
	}
	old := runtime.GOMAXPROCS(1)
	b, err := e.Sample(context.Background(), prompts, 3, p)
	runtime.GOMAXPROCS(old)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 6 || a[0].PromptIndex != 0 || a[3].PromptIndex != 1 {
		t.Fatalf("want 6 prompt-major sequences, got %d: %+v", len(a), a)
	}
	for i := range a {
		if !slices.Equal(a[i].Tokens, b[i].Tokens) || !slices.Equal(a[i].LogProbs, b[i].LogProbs) {
			t.Errorf("sequence %d differs between runs: %v vs %v", i, a[i].Tokens, b[i].Tokens)
		}
	}
	p.Seed = 43
	c, _ := e.Sample(context.Background(), prompts, 3, p)
	same := true
	for i := range a {
		same = same && slices.Equal(a[i].Tokens, c[i].Tokens)
	}
	if same {
		t.Error("a different seed gave identical samples")
	}
}

func TestTopK1SamplingEqualsGreedy(t *testing.T) {
	e := newTestEngine(t, Config{})
	prompts := [][]int{{1, 5, 6}, {1, 9, 3, 4}}
	g, err := e.Sample(context.Background(), prompts, 1, engine.SamplingParams{Temperature: 0, MaxTokens: 10})
	if err != nil {
		t.Fatal(err)
	}
	k, err := e.Sample(context.Background(), prompts, 2, engine.SamplingParams{Temperature: 1.3, TopK: 1, MaxTokens: 10, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	for i := range k {
		if !slices.Equal(k[i].Tokens, g[k[i].PromptIndex].Tokens) {
			t.Errorf("top-k 1 sample %d = %v, greedy = %v", i, k[i].Tokens, g[k[i].PromptIndex].Tokens)
		}
	}
}

func TestSamplerLogProbsMatchTrainerLogProbsWithoutFiltering(t *testing.T) {
	e := newTestEngine(t, Config{})
	seqs, err := e.Sample(context.Background(), [][]int{{1, 5, 6}, {1, 9}}, 2, engine.SamplingParams{Temperature: 0.8, MaxTokens: 12, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var rows []engine.Row
	var sampler [][]float32
	for _, s := range seqs {
		rows = append(rows, engine.Row{Prompt: s.Prompt, Response: s.Tokens})
		sampler = append(sampler, s.LogProbs)
	}
	res, err := e.LogProbs(context.Background(), rows, 0.8)
	if err != nil {
		t.Fatal(err)
	}
	m := rollout.ProbsDiff(sampler, res.LogProbs)
	if m["training/rollout_probs_diff_max"] > 1e-4 {
		t.Errorf("sampler vs trainer probability mismatch %v, want ≤ 1e-4", m)
	}
}

func TestStopTokensEndResponsesAndAreIncluded(t *testing.T) {
	e := newTestEngine(t, Config{})
	free, err := e.Sample(context.Background(), [][]int{{1, 5}}, 1, engine.SamplingParams{Temperature: 0, MaxTokens: 12})
	if err != nil {
		t.Fatal(err)
	}
	if len(free[0].Tokens) < 3 {
		t.Skipf("greedy response %v too short to test stop tokens", free[0].Tokens)
	}
	stop := free[0].Tokens[2]
	s, err := e.Sample(context.Background(), [][]int{{1, 5}}, 1, engine.SamplingParams{Temperature: 0, MaxTokens: 12, StopTokens: []int{stop}})
	if err != nil {
		t.Fatal(err)
	}
	want := free[0].Tokens[:slices.Index(free[0].Tokens, stop)+1]
	if !slices.Equal(s[0].Tokens, want) || s[0].FinishReason != "stop" {
		t.Errorf("with stop token %d got %v (%s), want %v (stop)", stop, s[0].Tokens, s[0].FinishReason, want)
	}
	if free[0].FinishReason == "length" && len(free[0].Tokens) != 12 {
		t.Errorf("length-finished response has %d tokens, want 12", len(free[0].Tokens))
	}
}

func TestTheFastSamplerMatchesTheGraphReferenceDecoder(t *testing.T) {
	fast := newTestEngine(t, Config{})
	ref := newTestEngine(t, Config{})
	ref.referenceSampler = true
	prompts := [][]int{{1, 5, 6}, {1, 9, 3, 4, 7}, {1}}
	for _, p := range []engine.SamplingParams{
		{Temperature: 0, MaxTokens: 12},
		{Temperature: 0.9, TopP: 0.95, MaxTokens: 12, Seed: 5},
	} {
		a, err := fast.Sample(context.Background(), prompts, 2, p)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ref.Sample(context.Background(), prompts, 2, p)
		if err != nil {
			t.Fatal(err)
		}
		for i := range a {
			if !slices.Equal(a[i].Tokens, b[i].Tokens) || a[i].FinishReason != b[i].FinishReason {
				t.Fatalf("%+v sequence %d: fast %v (%s), reference %v (%s)", p, i, a[i].Tokens, a[i].FinishReason, b[i].Tokens, b[i].FinishReason)
			}
			for j := range a[i].LogProbs {
				if d := math.Abs(float64(a[i].LogProbs[j] - b[i].LogProbs[j])); d > 1e-4 {
					t.Errorf("%+v sequence %d token %d: log-prob differs by %g", p, i, j, d)
				}
			}
		}
	}
}

func TestSamplingSeesTheWeightsOfTheLatestUpdate(t *testing.T) {
	e := newTestEngine(t, Config{LR: 5e-2})
	p := engine.SamplingParams{Temperature: 0, MaxTokens: 6, IgnoreEOS: true}
	before, err := e.Sample(context.Background(), [][]int{{1, 5}}, 1, p)
	if err != nil {
		t.Fatal(err)
	}
	target := []int{9, 9, 9, 9, 9, 9}
	row := engine.Row{Prompt: []int{1, 5}, Response: target, Advantages: slices.Repeat([]float32{1}, 6)}
	for range 10 {
		if _, err := e.Update(context.Background(), []engine.Row{row}, sftLoss{}, engine.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	after, err := e.Sample(context.Background(), [][]int{{1, 5}}, 1, p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(after[0].Tokens, target) {
		t.Errorf("greedy response after training on %v: %v (before: %v)", target, after[0].Tokens, before[0].Tokens)
	}
}
