package serve

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ascent-rl/ascent/model"
)

// greedy returns the greedy tokens for a fixed prompt and the weights version that sampled them.
func greedy(t *testing.T, url string, maxTokens int) ([]int, int) {
	t.Helper()
	m := post(t, url+"/v1/completions", map[string]any{"prompt": [][]int{{10, 20, 30}}, "max_tokens": maxTokens,
		"temperature": 0, "return_token_ids": true, "ignore_eos": true})
	return tokenIDs(t, m["choices"].([]any)[0].(map[string]any)["token_ids"]), int(m["weights_version"].(float64))
}

func TestWeightUpdatesFromDiskChangeTheSamplesWithoutARestart(t *testing.T) {
	dirA, dirB := saveTiny(t, 1), saveTiny(t, 2)
	url, s := startServer(t, Config{Model: dirA, Tokenizer: "byte"})
	before, v := greedy(t, url, 12)
	if v != 1 {
		t.Fatalf("weights_version %d at start, want 1", v)
	}
	m := post(t, url+"/update_weights_from_disk", map[string]any{"model_path": dirB, "weight_version": "step-2"})
	if m["success"] != true || int(m["weights_version"].(float64)) != 2 {
		t.Fatalf("update: %v", m)
	}
	after, v := greedy(t, url, 12)
	if v != 2 || slices.Equal(before, after) {
		t.Errorf("after the update: version %d, tokens %v (before %v): want version 2 and other tokens", v, after, before)
	}
	_, info := call(t, "GET", url+"/get_model_info", "", "")
	if info["model_path"] != dirB || int(info["weights_version"].(float64)) != 2 || info["weight_version"] != "step-2" {
		t.Errorf("get_model_info %v", info)
	}
	if s.WeightsVersion() != 2 {
		t.Errorf("WeightsVersion %d", s.WeightsVersion())
	}
	// Back to A: the samples are A's again.
	post(t, url+"/update_weights_from_disk", map[string]any{"model_path": dirA})
	if again, v := greedy(t, url, 12); v != 3 || !slices.Equal(again, before) {
		t.Errorf("back on A: version %d tokens %v, want 3 and %v", v, again, before)
	}
}

func TestRequestsInFlightFinishOnTheWeightsTheyStartedWith(t *testing.T) {
	dirA, dirB := saveTiny(t, 1), saveTiny(t, 2)
	url, _ := startServer(t, Config{Model: dirA, Tokenizer: "byte"})
	wantA, _ := greedy(t, url, 200)
	post(t, url+"/update_weights_from_disk", map[string]any{"model_path": dirB})
	wantB, _ := greedy(t, url, 200)
	post(t, url+"/update_weights_from_disk", map[string]any{"model_path": dirA}) // version 3 = A
	var wg sync.WaitGroup
	type out struct {
		toks []int
		v    int
	}
	results := make([]out, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			toks, v := greedy(t, url, 200)
			results[i] = out{toks, v}
		}()
		if i == 2 {
			post(t, url+"/update_weights_from_disk", map[string]any{"model_path": dirB}) // version 4 = B
		}
	}
	wg.Wait()
	for i, r := range results {
		want := map[int][]int{3: wantA, 4: wantB}[r.v]
		if want == nil || !slices.Equal(r.toks, want) {
			t.Errorf("request %d: version %d tokens differ from that version's weights (mixed weights?)", i, r.v)
		}
	}
}

func TestABadCheckpointLeavesTheOldWeightsServing(t *testing.T) {
	url, _ := startServer(t, Config{})
	code, m := call(t, "POST", url+"/update_weights_from_disk", "", `{"model_path": "/nonexistent/ckpt"}`)
	if code != 400 || m["success"] != false {
		t.Fatalf("update from a missing dir: %d %v", code, m)
	}
	if _, v := greedy(t, url, 2); v != 1 {
		t.Errorf("weights_version %d after a failed update, want 1", v)
	}
}

func TestNewExplainsWhatIsWrong(t *testing.T) {
	noTok := saveTiny(t, 3)
	small := t.TempDir()
	if err := model.NewRandom(model.TinyConfig(), 1).Save(small, "float32"); err != nil { // vocab 64
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no model", Config{}, "no model"},
		{"an unknown built-in model", Config{Model: "builtin:huge", Tokenizer: "byte"}, `the only built-in model is "builtin:tiny"`},
		{"a checkpoint without a tokenizer", Config{Model: noTok}, "--tokenizer"},
		{"a missing checkpoint directory", Config{Model: "/nonexistent/ckpt", Tokenizer: "byte"}, "/nonexistent/ckpt"},
		{"a vocabulary smaller than the tokenizer's", Config{Model: small, Tokenizer: "byte"}, "vocab_size 64"},
		{"an unknown chat template", Config{Model: BuiltinTiny, ChatTemplate: "llama9"}, "chatml"},
		{"a negative queue size", Config{Model: BuiltinTiny, MaxQueue: -1}, "max_queue = -1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.cfg)
			if err == nil {
				s.Close()
				t.Fatalf("New succeeded, want an error mentioning %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}
