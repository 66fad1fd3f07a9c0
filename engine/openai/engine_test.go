package openai

import (
	"math"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/serve"
)

var testPrompts = [][]int{{1, 2, 3}, {40, 41}, {7}, {100, 101, 102, 103}, {9, 9}}

// checkSeqs checks shape and order of a Sample result.
func checkSeqs(t *testing.T, seqs []engine.Sequence, prompts [][]int, n, maxTokens int) {
	t.Helper()
	if len(seqs) != len(prompts)*n {
		t.Fatalf("%d sequences for %d prompts × n=%d", len(seqs), len(prompts), n)
	}
	for i, s := range seqs {
		if s.PromptIndex != i/n || !slices.Equal(s.Prompt, prompts[i/n]) {
			t.Errorf("sequence %d: prompt index %d prompt %v, want %d %v", i, s.PromptIndex, s.Prompt, i/n, prompts[i/n])
		}
		if len(s.Tokens) == 0 || len(s.Tokens) > maxTokens || len(s.LogProbs) != len(s.Tokens) {
			t.Errorf("sequence %d: %d tokens, %d log-probs (max_tokens %d)", i, len(s.Tokens), len(s.LogProbs), maxTokens)
		}
		for _, lp := range s.LogProbs {
			if lp > 0 || math.IsNaN(float64(lp)) {
				t.Errorf("sequence %d: log-prob %v", i, lp)
			}
		}
		if s.FinishReason != "stop" && s.FinishReason != "length" {
			t.Errorf("sequence %d: finish reason %q", i, s.FinishReason)
		}
	}
}

func TestSampleFansOutAndReturnsEverySequenceInOrder(t *testing.T) {
	a, _ := inProcess(t, serve.Config{})
	b, _ := inProcess(t, serve.Config{})
	e, err := New(Config{Endpoints: []string{a, b}, PromptsPerRequest: 2, MaxConcurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	p := engine.SamplingParams{Temperature: 1, TopP: 0.95, TopK: 50, MaxTokens: 8, Seed: 42, IgnoreEOS: true}
	first, err := e.Sample(ctx(t), testPrompts, 3, p)
	if err != nil {
		t.Fatal(err)
	}
	checkSeqs(t, first, testPrompts, 3, 8)
	second, err := e.Sample(ctx(t), testPrompts, 3, p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range first {
		if !slices.Equal(first[i].Tokens, second[i].Tokens) {
			t.Fatalf("sequence %d differs between two runs with the same seed: %v vs %v", i, first[i].Tokens, second[i].Tokens)
		}
	}
	if m := e.Metrics(); m["remote/requests"] != 6 || m["remote/sequences"] != 30 || m["remote/retries"] != 0 {
		t.Errorf("metrics %v: want 6 requests (3 per Sample), 30 sequences, no retries", m)
	}
}

func TestGreedyRemoteSamplesEqualTheLocalEngine(t *testing.T) {
	url, _ := inProcess(t, serve.Config{})
	e, err := New(Config{Endpoints: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	loc, err := local.New(model.NewRandom(serve.TinyConfig(), 0), local.Config{})
	if err != nil {
		t.Fatal(err)
	}
	p := engine.SamplingParams{Temperature: 0, MaxTokens: 10, IgnoreEOS: true}
	remote, err := e.Sample(ctx(t), testPrompts, 1, p)
	if err != nil {
		t.Fatal(err)
	}
	want, err := loc.Sample(ctx(t), testPrompts, 1, p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if !slices.Equal(remote[i].Tokens, want[i].Tokens) {
			t.Fatalf("prompt %d: remote %v, local %v", i, remote[i].Tokens, want[i].Tokens)
		}
		for k := range want[i].LogProbs {
			if d := math.Abs(float64(remote[i].LogProbs[k] - want[i].LogProbs[k])); d > 1e-5 {
				t.Errorf("prompt %d token %d: log-prob %v remote, %v local", i, k, remote[i].LogProbs[k], want[i].LogProbs[k])
			}
		}
	}
}

func TestStopTokensAndStopStringsEndSequences(t *testing.T) {
	url, _ := inProcess(t, serve.Config{})
	e, _ := New(Config{Endpoints: []string{url}})
	p := engine.SamplingParams{Temperature: 1, Seed: 9, MaxTokens: 12, IgnoreEOS: true}
	free, err := e.Sample(ctx(t), testPrompts[:1], 1, p)
	if err != nil {
		t.Fatal(err)
	}
	toks := free[0].Tokens
	k := 1 // the first printable byte that did not occur before, after plain bytes only
	for k < len(toks) && toks[k-1] < 256 && (toks[k] < 32 || toks[k] >= 127 || slices.Contains(toks[:k], toks[k])) {
		k++
	}
	if k == len(toks) || toks[k-1] >= 256 {
		t.Fatalf("sample %v has no fresh printable byte; pick another seed", toks)
	}
	p.StopTokens = []int{toks[k]}
	got, err := e.Sample(ctx(t), testPrompts[:1], 1, p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got[0].Tokens, toks[:k+1]) || got[0].FinishReason != "stop" {
		t.Errorf("stop token %d: %v %q, want %v and stop", toks[k], got[0].Tokens, got[0].FinishReason, toks[:k+1])
	}
	p.StopTokens, p.Stop = nil, []string{string(rune(toks[k]))}
	got, err = e.Sample(ctx(t), testPrompts[:1], 1, p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got[0].Tokens, toks[:k]) || got[0].FinishReason != "stop" {
		t.Errorf("stop string %q: %v %q, want %v (cut before it) and stop", p.Stop[0], got[0].Tokens, got[0].FinishReason, toks[:k])
	}
}

func TestAKilledEndpointLosesNothing(t *testing.T) {
	a, _ := subprocess(t, "--model", "builtin:tiny")
	b, victim := subprocess(t, "--model", "builtin:tiny")
	e, err := New(Config{Endpoints: []string{a, b}, PromptsPerRequest: 1, MaxConcurrency: 2, Backoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var prompts [][]int
	for i := range 24 {
		prompts = append(prompts, []int{i + 1, i + 2})
	}
	done := make(chan struct{})
	var seqs []engine.Sequence
	var sampleErr error
	go func() {
		defer close(done)
		seqs, sampleErr = e.Sample(ctx(t), prompts, 2, engine.SamplingParams{Temperature: 1, MaxTokens: 48, IgnoreEOS: true})
	}()
	for e.Metrics()["remote/sequences"] < 4 { // let both servers answer a little first
		time.Sleep(2 * time.Millisecond)
	}
	if err := victim.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
	if sampleErr != nil {
		t.Fatal(sampleErr)
	}
	checkSeqs(t, seqs, prompts, 2, 48)
	m := e.Metrics()
	if m["remote/failures"] == 0 || m["remote/retries"] == 0 {
		t.Errorf("metrics %v: want the killed server's requests counted as failures and retried", m)
	}
}

func TestASlowEndpointTimesOutAndIsRetriedElsewhere(t *testing.T) {
	slow := slowServer(t)
	good, _ := inProcess(t, serve.Config{})
	e, err := New(Config{Endpoints: []string{slow, good}, PromptsPerRequest: 1, MaxConcurrency: 1,
		RequestTimeout: 300 * time.Millisecond, Backoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	seqs, err := e.Sample(ctx(t), testPrompts, 2, engine.SamplingParams{Temperature: 1, MaxTokens: 4})
	if err != nil {
		t.Fatal(err)
	}
	checkSeqs(t, seqs, testPrompts, 2, 4)
	m := e.Metrics()
	if m["remote/timeouts"] == 0 || m["remote/retries"] < m["remote/timeouts"] {
		t.Errorf("metrics %v: want the slow endpoint's deadline counted and its request retried", m)
	}
}

func TestSyncWeightsChangesWhatEveryServerSamples(t *testing.T) {
	dirA, dirB := saveTiny(t, 1), saveTiny(t, 2)
	sub, _ := subprocess(t, "--model", dirA, "--tokenizer", "byte")
	in, _ := inProcess(t, serve.Config{Model: dirA, Tokenizer: "byte"})
	greedy := func(url string) []int {
		e, _ := New(Config{Endpoints: []string{url}})
		seqs, err := e.Sample(ctx(t), testPrompts[:1], 1, engine.SamplingParams{MaxTokens: 10, IgnoreEOS: true})
		if err != nil {
			t.Fatal(err)
		}
		return seqs[0].Tokens
	}
	before := greedy(sub)
	if !slices.Equal(before, greedy(in)) {
		t.Fatal("the two servers disagree on the same checkpoint")
	}
	e, _ := New(Config{Endpoints: []string{sub, in}})
	m, err := e.SyncWeights(ctx(t), dirB)
	if err != nil {
		t.Fatal(err)
	}
	if m["timing_s/update_weights"] <= 0 || m["perf/update_weights_gb_per_s"] <= 0 || m["update_weights/bytes"] <= 0 {
		t.Errorf("sync metrics %v", m)
	}
	for _, url := range []string{sub, in} {
		if after := greedy(url); slices.Equal(after, before) {
			t.Errorf("%s samples %v after the sync, as before it", url, after)
		}
	}
	if _, err := e.SyncWeights(ctx(t), t.TempDir()); err == nil || !strings.Contains(err.Error(), "no *.safetensors") {
		t.Errorf("sync of an empty dir: %v", err)
	}
}

func TestAClientErrorFailsAtOnceWithoutRetries(t *testing.T) {
	url, _ := inProcess(t, serve.Config{APIKey: "right"})
	e, _ := New(Config{Endpoints: []string{url}, APIKey: "wrong"})
	_, err := e.Sample(ctx(t), testPrompts, 1, engine.SamplingParams{MaxTokens: 2})
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong key: %v, want a 401 error", err)
	}
	if m := e.Metrics(); m["remote/retries"] != 0 {
		t.Errorf("metrics %v: a 401 must not be retried", m)
	}
	ok, _ := New(Config{Endpoints: []string{url}, APIKey: "right"})
	if _, err := ok.Sample(ctx(t), testPrompts, 1, engine.SamplingParams{MaxTokens: 2}); err != nil {
		t.Errorf("right key: %v", err)
	}
}

func TestNewRejectsBadConfigs(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no endpoints", Config{}, "no endpoints"},
		{"an endpoint without a scheme", Config{Endpoints: []string{"127.0.0.1:8000/v1"}}, "http://"},
		{"negative concurrency", Config{Endpoints: []string{"http://x/v1"}, MaxConcurrency: -1}, "max_concurrency"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New: %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

func TestAnOverloadedServerIsRetriedUntilEveryRequestIsServed(t *testing.T) {
	url, _ := inProcess(t, serve.Config{MaxQueue: 1, MaxBatchRows: 1})
	e, err := New(Config{Endpoints: []string{url}, PromptsPerRequest: 1, MaxConcurrency: 8,
		Backoff: 5 * time.Millisecond, Cooldown: time.Millisecond, MaxAttempts: 50})
	if err != nil {
		t.Fatal(err)
	}
	var prompts [][]int
	for i := range 16 {
		prompts = append(prompts, []int{i + 1})
	}
	seqs, err := e.Sample(ctx(t), prompts, 1, engine.SamplingParams{Temperature: 1, MaxTokens: 24, IgnoreEOS: true})
	if err != nil {
		t.Fatal(err)
	}
	checkSeqs(t, seqs, prompts, 1, 24)
	if m := e.Metrics(); m["remote/retries"] == 0 {
		t.Errorf("metrics %v: want the server's 503s retried", m)
	}
}
