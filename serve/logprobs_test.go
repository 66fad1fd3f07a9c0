package serve

import (
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/ascent-rl/ascent/model"
)

// refLogSoftmax is log softmax(logits)[id] in float64.
func refLogSoftmax(logits []float32, id int) float64 {
	mx := math.Inf(-1)
	for _, x := range logits {
		mx = math.Max(mx, float64(x))
	}
	var sum float64
	for _, x := range logits {
		sum += math.Exp(float64(x) - mx)
	}
	return float64(logits[id]) - mx - math.Log(sum)
}

func TestTopLogprobsAreTheMostLikelyTokensOfTheSampledDistribution(t *testing.T) {
	url, _ := startServer(t, Config{})
	ref := model.NewRandom(TinyConfig(), 0) // builtin:tiny's weights (Config.Seed 0)
	prompt := []int{257, 'a', 'b', 'c'}
	m := post(t, url+"/v1/completions", map[string]any{"prompt": [][]int{prompt}, "max_tokens": 5, "temperature": 0,
		"logprobs": 5, "return_token_ids": true, "ignore_eos": true})
	c := m["choices"].([]any)[0].(map[string]any)
	toks := tokenIDs(t, c["token_ids"])
	lp := c["logprobs"].(map[string]any)
	all, err := ref.Forward(append(slices.Clone(prompt), toks...))
	if err != nil {
		t.Fatal(err)
	}
	for i, tok := range toks {
		logits := all[len(prompt)-1+i] // the logits that chose token i
		want := refLogSoftmax(logits, tok)
		got := lp["token_logprobs"].([]any)[i].(float64)
		if math.Abs(got-want) > 2e-3 {
			t.Errorf("token %d: log-prob %.5f, reference %.5f", i, got, want)
		}
		top := lp["top_logprobs"].([]any)[i].(map[string]any)
		if len(top) != 5 { // greedy: the sampled token is the most likely, so no sixth key
			t.Errorf("token %d: %d alternatives, want 5: %v", i, len(top), top)
		}
		best := model.TopLogProbs(logits, 5)
		for _, b := range best {
			v, ok := top[(&Server{tok: mustByte()}).tokenLabel(b.ID)]
			if !ok || math.Abs(v.(float64)-refLogSoftmax(logits, b.ID)) > 2e-3 {
				t.Errorf("token %d: alternative %d is %v, reference %.5f", i, b.ID, v, refLogSoftmax(logits, b.ID))
			}
		}
	}
}

func TestPromptLogprobsAndEchoScoreAFixedText(t *testing.T) {
	url, _ := startServer(t, Config{})
	ref := model.NewRandom(TinyConfig(), 0)
	prompt := []int{257, 'x', '=', '4', '2'}
	all, err := ref.Forward(prompt)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		body map[string]any
	}{
		{"vLLM prompt_logprobs", map[string]any{"prompt": [][]int{prompt}, "max_tokens": 1, "prompt_logprobs": 2}},
		{"echo with max_tokens 0 (lm-eval's loglikelihood)", map[string]any{"prompt": [][]int{prompt}, "max_tokens": 0, "echo": true, "logprobs": 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := post(t, url+"/v1/completions", tc.body)["choices"].([]any)[0].(map[string]any)
			for i := 1; i < len(prompt); i++ {
				want := refLogSoftmax(all[i-1], prompt[i])
				var got float64
				if tc.body["echo"] == true {
					lp := c["logprobs"].(map[string]any)
					got = lp["token_logprobs"].([]any)[i].(float64)
					if lp["token_logprobs"].([]any)[0] != nil || lp["top_logprobs"].([]any)[0] != nil {
						t.Errorf("the first prompt token has a log-prob: %v", lp)
					}
					if n := len(lp["top_logprobs"].([]any)[i].(map[string]any)); n < 2 || n > 3 {
						t.Errorf("position %d: %d alternatives, want 2 plus perhaps the prompt token", i, n)
					}
				} else {
					pl := c["prompt_logprobs"].([]any)
					if pl[0] != nil {
						t.Errorf("prompt_logprobs[0] = %v, want null", pl[0])
					}
					e := pl[i].(map[string]any)[strconv.Itoa(prompt[i])].(map[string]any)
					got = e["logprob"].(float64)
					if _, rank := model.LogProbRank(all[i-1], prompt[i]); int(e["rank"].(float64)) != rank {
						t.Errorf("position %d: rank %v, want %d", i, e["rank"], rank)
					}
				}
				if math.Abs(got-want) > 2e-3 {
					t.Errorf("position %d: log-prob %.5f, reference %.5f", i, got, want)
				}
			}
			if tc.body["echo"] == true && (c["text"] != "<bos>x=42" || c["finish_reason"] != "length") {
				t.Errorf("echo: text %q finish %v, want the prompt and length", c["text"], c["finish_reason"])
			}
		})
	}
}

func TestChatTopLogprobsListExactlyN(t *testing.T) {
	url, _ := startServer(t, Config{})
	for _, temp := range []float64{0, 0.8} {
		m := post(t, url+"/v1/chat/completions", map[string]any{"messages": []map[string]string{{"role": "user", "content": "Hi"}},
			"max_tokens": 4, "logprobs": true, "top_logprobs": 4, "temperature": temp, "seed": 1})
		content := m["choices"].([]any)[0].(map[string]any)["logprobs"].(map[string]any)["content"].([]any)
		for i, e := range content {
			top := e.(map[string]any)["top_logprobs"].([]any)
			prev := 0.0
			for k, a := range top {
				v := a.(map[string]any)["logprob"].(float64)
				if v > 0 || (k > 0 && v > prev) {
					t.Errorf("temperature %g token %d: alternatives not sorted log-probs: %v", temp, i, top)
				}
				prev = v
			}
			if len(top) != 4 {
				t.Errorf("temperature %g token %d: %d alternatives, want 4", temp, i, len(top))
			}
		}
	}
}
