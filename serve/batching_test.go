package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/model"
)

// openStream starts a streamed completion and returns its scanner positioned before the first
// event, and a cancel that drops the connection.
func openStream(t *testing.T, url, body string) (*bufio.Scanner, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", url+"/v1/completions", strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		cancel()
		t.Fatalf("HTTP %d", resp.StatusCode)
	}
	return bufio.NewScanner(resp.Body), func() { cancel(); resp.Body.Close() }
}

// nextData returns the next SSE data payload ("" at the end of the stream).
func nextData(sc *bufio.Scanner) string {
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			return d
		}
	}
	return ""
}

func TestARequestJoinsTheRunningBatchAtTheNextStep(t *testing.T) {
	tests := []struct {
		batching string
		joins    bool
	}{
		{BatchingContinuous, true},
		{BatchingRequest, false},
	}
	for _, tc := range tests {
		t.Run(tc.batching, func(t *testing.T) {
			url, s := startServer(t, Config{Batching: tc.batching})
			long, stop := openStream(t, url, `{"prompt": "long", "max_tokens": 480, "ignore_eos": true, "stream": true}`)
			defer stop()
			if nextData(long) == "" {
				t.Fatal("no first chunk")
			}
			post(t, url+"/v1/completions", map[string]any{"prompt": "short", "max_tokens": 2, "ignore_eos": true})
			// Tokens sampled by the time the short request was answered: all 480 of the long one
			// when the short one had to wait for it, fewer when it joined the running batch.
			sampled := s.Stats().Tokens.Load()
			for d := nextData(long); d != "" && d != "[DONE]"; d = nextData(long) {
			}
			if joined := sampled < 480; joined != tc.joins {
				t.Errorf("%d tokens sampled when the short request was answered: joined the batch %v, want %v", sampled, joined, tc.joins)
			}
		})
	}
}

func TestAClientThatDisconnectsFreesItsRowAtOnce(t *testing.T) {
	url, s := startServer(t, Config{MaxBatchRows: 1})
	sc, stop := openStream(t, url, `{"prompt": "bye", "max_tokens": 480, "ignore_eos": true, "stream": true}`)
	if nextData(sc) == "" {
		t.Fatal("no first chunk")
	}
	stop()
	start := time.Now()
	deadline := start.Add(5 * time.Second)
	for s.Stats().Cancelled.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	freed := time.Since(start)
	tokens := s.Stats().Tokens.Load()
	post(t, url+"/v1/completions", map[string]any{"prompt": "next", "max_tokens": 2}) // the one row is free
	if s.Stats().Cancelled.Load() != 1 || tokens >= 480 {
		t.Errorf("cancelled rows %d, %d tokens sampled before the row was freed (%v)", s.Stats().Cancelled.Load(), tokens, freed)
	}
	if got := s.Stats().Tokens.Load(); got > tokens+2 {
		t.Errorf("%d tokens sampled after the disconnect, want only the next request's 2", got-tokens)
	}
}

func TestSeededOutputDoesNotDependOnLoadOrBatchingMode(t *testing.T) {
	body := map[string]any{"prompt": [][]int{{3, 1, 4}}, "max_tokens": 20, "n": 3, "seed": 9, "temperature": 0.9, "top_p": 0.95, "top_k": 40, "return_token_ids": true, "ignore_eos": true}
	var want [][]int
	for _, mode := range []string{BatchingRequest, BatchingContinuous} {
		url, _ := startServer(t, Config{Batching: mode, MaxBatchRows: 8})
		var wg sync.WaitGroup
		got := make([][][]int, 6)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i%2 == 1 { // unseeded neighbours of other lengths
					post(t, url+"/v1/completions", map[string]any{"prompt": fmt.Sprintf("noise %d", i), "max_tokens": 5 + 7*i, "n": 2})
					return
				}
				for _, c := range post(t, url+"/v1/completions", body)["choices"].([]any) {
					got[i] = append(got[i], tokenIDs(t, c.(map[string]any)["token_ids"]))
				}
			}()
		}
		wg.Wait()
		for i := 0; i < len(got); i += 2 {
			if want == nil {
				want = got[i]
			}
			if !slices.EqualFunc(got[i], want, slices.Equal[[]int]) {
				t.Errorf("%s: request %d gave %v, want %v", mode, i, got[i], want)
			}
		}
	}
}

func TestWeightUpdatesUnderStreamingLoadFailNoRequest(t *testing.T) {
	dirA, dirB := saveTiny(t, 1), saveTiny(t, 2)
	url, _ := startServer(t, Config{Model: dirA, Tokenizer: "byte"})
	wantA, _ := greedy(t, url, 40)
	const clients = 8
	type result struct {
		toks     []int
		versions []int
		err      string
	}
	results := make([]result, clients)
	var wg sync.WaitGroup
	started := make(chan struct{}, clients)
	client := func(i int) {
		defer wg.Done()
		sc, stop := openStream(t, url, `{"prompt": [[10, 20, 30]], "max_tokens": 40, "temperature": 0, "ignore_eos": true, "stream": true, "return_token_ids": true}`)
		defer stop()
		first := true
		for d := nextData(sc); d != "[DONE]"; d = nextData(sc) {
			if first {
				started <- struct{}{}
				first = false
			}
			if d == "" {
				results[i].err = "stream ended without [DONE]"
				return
			}
			var ch struct {
				Version int `json:"weights_version"`
				Choices []struct {
					TokenIDs []int `json:"token_ids"`
				} `json:"choices"`
				Error any `json:"error"`
			}
			if err := json.Unmarshal([]byte(d), &ch); err != nil || ch.Error != nil {
				results[i].err = d
				return
			}
			results[i].versions = append(results[i].versions, ch.Version)
			for _, c := range ch.Choices {
				results[i].toks = append(results[i].toks, c.TokenIDs...)
			}
		}
	}
	for i := range clients / 2 { // these stream on A while the update loads B
		wg.Add(1)
		go client(i)
	}
	for range clients / 2 {
		<-started
	}
	post(t, url+"/update_weights_from_disk", map[string]any{"model_path": dirB})
	for i := clients / 2; i < clients; i++ { // these arrive after the update answered: B
		wg.Add(1)
		go client(i)
	}
	wantB, _ := greedy(t, url, 40)
	wg.Wait()
	on := map[int]int{}
	for i, r := range results {
		if len(r.versions) > 0 {
			on[r.versions[0]]++
		}
		if r.err != "" || len(r.versions) == 0 {
			t.Errorf("client %d failed: %s", i, r.err)
			continue
		}
		v := r.versions[0]
		want := map[int][]int{1: wantA, 2: wantB}[v]
		if slices.ContainsFunc(r.versions, func(x int) bool { return x != v }) || !slices.Equal(r.toks, want) {
			t.Errorf("client %d: versions %v, tokens differ from version %d's: mixed weights?", i, r.versions, v)
		}
	}
	if on[1] != clients/2 || on[2] != clients/2 {
		t.Errorf("clients per weights version %v, want %d on each", on, clients/2)
	}
}

func TestSeededOutputMatchesTheLocalEngine(t *testing.T) {
	url, _ := startServer(t, Config{})
	eng, err := local.New(model.NewRandom(TinyConfig(), 0), local.Config{}) // builtin:tiny's weights
	if err != nil {
		t.Fatal(err)
	}
	prompts := [][]int{{3, 1, 4}, {1, 5}}
	p := engine.SamplingParams{Temperature: 0.9, TopP: 0.95, TopK: 40, MaxTokens: 16, Seed: 9, IgnoreEOS: true}
	want, err := eng.Sample(context.Background(), prompts, 2, p)
	if err != nil {
		t.Fatal(err)
	}
	m := post(t, url+"/v1/completions", map[string]any{"prompt": prompts, "n": 2, "temperature": p.Temperature, "top_p": p.TopP, "top_k": p.TopK,
		"max_tokens": p.MaxTokens, "seed": p.Seed, "ignore_eos": true, "return_token_ids": true, "logprobs": 0})
	for i, c := range m["choices"].([]any) {
		c := c.(map[string]any)
		if got := tokenIDs(t, c["token_ids"]); !slices.Equal(got, want[i].Tokens) {
			t.Errorf("choice %d: %v, engine %v", i, got, want[i].Tokens)
		}
		for k, lp := range c["logprobs"].(map[string]any)["token_logprobs"].([]any) {
			if d := lp.(float64) - float64(want[i].LogProbs[k]); d > 1e-4 || d < -1e-4 {
				t.Errorf("choice %d token %d: log-prob %v, engine %v", i, k, lp, want[i].LogProbs[k])
			}
		}
	}
}
