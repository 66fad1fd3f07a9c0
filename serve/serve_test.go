package serve

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestCompletionsReturnWhatWasAskedFor(t *testing.T) {
	url, _ := startServer(t, Config{})
	const bos = 257 // text prompts are encoded as in training: the byte tokenizer's BOS, then the bytes
	tests := []struct {
		name    string
		body    map[string]any
		choices int
		prompts [][]int
	}{
		{"a text prompt is encoded with the byte tokenizer after BOS", map[string]any{"prompt": "Hi", "max_tokens": 5, "return_token_ids": true}, 1, [][]int{{bos, 'H', 'i'}}},
		{"n samples come back per prompt", map[string]any{"prompt": "Hi", "max_tokens": 4, "n": 3, "return_token_ids": true}, 3, [][]int{{bos, 'H', 'i'}}},
		{"a list of token-id prompts is prompt-major", map[string]any{"prompt": [][]int{{1, 2, 3}, {7}}, "max_tokens": 4, "n": 2, "return_token_ids": true, "logprobs": 0}, 4, [][]int{{1, 2, 3}, {7}}},
		{"a list of text prompts", map[string]any{"prompt": []string{"a", "bc"}, "max_tokens": 3, "return_token_ids": true, "temperature": 0.7, "top_p": 0.9, "top_k": 20}, 2, [][]int{{bos, 'a'}, {bos, 'b', 'c'}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := post(t, url+"/v1/completions", tc.body)
			choices := m["choices"].([]any)
			if len(choices) != tc.choices {
				t.Fatalf("%d choices, want %d", len(choices), tc.choices)
			}
			n := tc.choices / len(tc.prompts)
			completion := 0
			for i, c := range choices {
				c := c.(map[string]any)
				if int(c["index"].(float64)) != i {
					t.Errorf("choice %d has index %v", i, c["index"])
				}
				if got := tokenIDs(t, c["prompt_token_ids"]); !slices.Equal(got, tc.prompts[i/n]) {
					t.Errorf("choice %d prompt_token_ids %v, want %v", i, got, tc.prompts[i/n])
				}
				toks := tokenIDs(t, c["token_ids"])
				completion += len(toks)
				if len(toks) == 0 || len(toks) > int(tc.body["max_tokens"].(int)) {
					t.Errorf("choice %d has %d tokens", i, len(toks))
				}
				if tc.body["logprobs"] != nil {
					lp := c["logprobs"].(map[string]any)["token_logprobs"].([]any)
					if len(lp) != len(toks) {
						t.Errorf("choice %d: %d logprobs for %d tokens", i, len(lp), len(toks))
					}
					for _, x := range lp {
						if v := x.(float64); v > 0 || math.IsNaN(v) {
							t.Errorf("choice %d: log-prob %v", i, v)
						}
					}
				}
			}
			u := m["usage"].(map[string]any)
			wantPrompt := 0
			for _, p := range tc.prompts {
				wantPrompt += len(p)
			}
			if int(u["prompt_tokens"].(float64)) != wantPrompt || int(u["completion_tokens"].(float64)) != completion {
				t.Errorf("usage %v, want prompt %d completion %d", u, wantPrompt, completion)
			}
		})
	}
}

func TestSeededRequestsAreReproducibleAndStopStringsCut(t *testing.T) {
	url, _ := startServer(t, Config{})
	body := map[string]any{"prompt": "The answer is", "max_tokens": 24, "seed": 11, "temperature": 0.9, "return_token_ids": true, "ignore_eos": true}
	a := post(t, url+"/v1/completions", body)["choices"].([]any)[0].(map[string]any)
	b := post(t, url+"/v1/completions", body)["choices"].([]any)[0].(map[string]any)
	ta, tb := tokenIDs(t, a["token_ids"]), tokenIDs(t, b["token_ids"])
	if !slices.Equal(ta, tb) {
		t.Fatalf("same seed gave %v then %v", ta, tb)
	}
	k := -1 // first position ≥ 1 holding a printable ASCII byte not seen before
	for i := 1; i < len(ta); i++ {
		if ta[i-1] >= 256 { // a special token decodes to text such as "<eos>"
			break
		}
		if ta[i] >= 32 && ta[i] < 127 && !slices.Contains(ta[:i], ta[i]) {
			k = i
			break
		}
	}
	if k < 0 {
		t.Fatalf("sample %v has no fresh printable byte to use as a stop string", ta)
	}
	body["stop"] = []string{string(rune(ta[k]))}
	c := post(t, url+"/v1/completions", body)["choices"].([]any)[0].(map[string]any)
	if got := tokenIDs(t, c["token_ids"]); !slices.Equal(got, ta[:k]) || c["finish_reason"] != "stop" {
		t.Errorf("with stop %q: tokens %v finish %v, want %v and stop", body["stop"], got, c["finish_reason"], ta[:k])
	}
	if want := string(bytesOf(ta[:k])); c["text"] != strings.ToValidUTF8(want, "\uFFFD") {
		t.Errorf("text %q, want %q", c["text"], want)
	}
}

func bytesOf(ids []int) []byte {
	b := make([]byte, len(ids))
	for i, id := range ids {
		b[i] = byte(id)
	}
	return b
}

func TestStreamingSendsOneChunkPerTokenThenDone(t *testing.T) {
	url, _ := startServer(t, Config{})
	body := `{"prompt": [[5, 6, 7]], "max_tokens": 6, "n": 2, "seed": 3, "stream": true, "return_token_ids": true, "logprobs": 0, "ignore_eos": true, "stream_options": {"include_usage": true}}`
	resp, err := http.Post(url+"/v1/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	toks := map[int][]int{}
	finished, done, gotUsage := 0, false, false
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Fatalf("line %q is not an SSE data line", line)
		}
		if data == "[DONE]" {
			done = true
			continue
		}
		var ch struct {
			Choices []struct {
				Index        int     `json:"index"`
				TokenIDs     []int   `json:"token_ids"`
				FinishReason *string `json:"finish_reason"`
			} `json:"choices"`
			Usage *usage `json:"usage"`
		}
		if err := json.Unmarshal([]byte(data), &ch); err != nil {
			t.Fatalf("chunk %s: %v", data, err)
		}
		for _, c := range ch.Choices {
			toks[c.Index] = append(toks[c.Index], c.TokenIDs...)
			if c.FinishReason != nil {
				finished++
			}
		}
		gotUsage = gotUsage || (ch.Usage != nil && ch.Usage.CompletionTokens == 12)
	}
	if !done || finished != 2 || !gotUsage || len(toks[0]) != 6 || len(toks[1]) != 6 {
		t.Errorf("done=%v finished=%d usage=%v tokens=%v", done, finished, gotUsage, toks)
	}
	// The streamed tokens are the non-streamed ones for the same seed.
	m := post(t, url+"/v1/completions", map[string]any{"prompt": [][]int{{5, 6, 7}}, "max_tokens": 6, "n": 2, "seed": 3, "return_token_ids": true, "ignore_eos": true})
	for i, c := range m["choices"].([]any) {
		if got := tokenIDs(t, c.(map[string]any)["token_ids"]); !slices.Equal(got, toks[i]) {
			t.Errorf("choice %d: streamed %v, non-streamed %v", i, toks[i], got)
		}
	}
}

func TestErrorsAreOpenAIStyle(t *testing.T) {
	url, _ := startServer(t, Config{APIKey: "k", MaxTokens: 32, MaxBodyBytes: 4096})
	tests := []struct {
		name, method, path, key, body string
		status                        int
		param, code                   string
	}{
		{"malformed JSON is a 400", "POST", "/v1/completions", "k", `{"prompt": "x",`, 400, "", ""},
		{"an unknown parameter is a 400 naming it", "POST", "/v1/completions", "k", `{"prompt": "x", "best_of": 2}`, 400, "best_of", ""},
		{"a wrong type is a 400 naming the field", "POST", "/v1/completions", "k", `{"prompt": "x", "n": "two"}`, 400, "n", ""},
		{"a missing API key is a 401", "POST", "/v1/completions", "", `{"prompt": "x"}`, 401, "", "invalid_api_key"},
		{"a wrong API key is a 401", "GET", "/v1/models", "nope", ``, 401, "", "invalid_api_key"},
		{"max_tokens over the limit is a 400", "POST", "/v1/completions", "k", `{"prompt": "x", "max_tokens": 33}`, 400, "max_tokens", ""},
		{"a model that is not served is a 400", "POST", "/v1/completions", "k", `{"model": "gpt-9", "prompt": "x"}`, 400, "model", ""},
		{"temperature out of range is a 400", "POST", "/v1/chat/completions", "k", `{"messages": [{"role": "user", "content": "x"}], "temperature": 3}`, 400, "temperature", ""},
		{"an unknown chat role is a 400", "POST", "/v1/chat/completions", "k", `{"messages": [{"role": "robot", "content": "x"}]}`, 400, "messages", ""},
		{"more top log-probs than max_logprobs are refused", "POST", "/v1/completions", "k", `{"prompt": "x", "logprobs": 21}`, 400, "logprobs", ""},
		{"chat top_logprobs over 20 are refused", "POST", "/v1/chat/completions", "k", `{"messages": [{"role": "user", "content": "x"}], "logprobs": true, "top_logprobs": 21}`, 400, "top_logprobs", ""},
		{"chat top_logprobs without logprobs are refused", "POST", "/v1/chat/completions", "k", `{"messages": [{"role": "user", "content": "x"}], "top_logprobs": 2}`, 400, "top_logprobs", ""},
		{"negative prompt_logprobs are refused", "POST", "/v1/completions", "k", `{"prompt": "x", "prompt_logprobs": -1}`, 400, "prompt_logprobs", ""},
		{"max_tokens 0 without echo is a 400", "POST", "/v1/completions", "k", `{"prompt": "x", "max_tokens": 0}`, 400, "max_tokens", ""},
		{"tokenize without a prompt is a 400", "POST", "/tokenize", "k", `{}`, 400, "prompt", ""},
		{"detokenize outside the vocabulary is a 400", "POST", "/detokenize", "k", `{"tokens": [1, 9999]}`, 400, "tokens", ""},
		{"token ids outside the vocabulary are a 400", "POST", "/v1/completions", "k", `{"prompt": [1, 999]}`, 400, "prompt", ""},
		{"a body over the limit is a 413", "POST", "/v1/completions", "k", `{"prompt": "` + strings.Repeat("x", 5000) + `"}`, 413, "", "request_too_large"},
		{"GET on a POST endpoint is a 405", "GET", "/v1/completions", "k", ``, 405, "", "method_not_allowed"},
		{"an unknown path is a 404", "GET", "/v2/nothing", "k", ``, 404, "", "not_found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, m := call(t, tc.method, url+tc.path, tc.key, tc.body)
			if code != tc.status {
				t.Fatalf("HTTP %d, want %d: %v", code, tc.status, m)
			}
			e, ok := m["error"].(map[string]any)
			if !ok || e["message"] == "" || e["type"] == "" {
				t.Fatalf("no OpenAI error object: %v", m)
			}
			if tc.param != "" && e["param"] != tc.param {
				t.Errorf("param %v, want %q (%v)", e["param"], tc.param, e["message"])
			}
			if tc.code != "" && e["code"] != tc.code {
				t.Errorf("code %v, want %q", e["code"], tc.code)
			}
		})
	}
	if code, m := call(t, "GET", url+"/health", "", ""); code != 200 || m["status"] != "ok" {
		t.Errorf("/health without a key: %d %v", code, m)
	}
}

func TestOverloadIsA503AndTheServerKeepsServing(t *testing.T) {
	url, s := startServer(t, Config{MaxQueue: 1, MaxBatchRows: 1})
	const clients = 24
	codes := make([]int, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = call(t, "POST", url+"/v1/completions", "", `{"prompt": "load", "max_tokens": 48, "ignore_eos": true}`)
		}()
	}
	wg.Wait()
	var ok, busy int
	for _, c := range codes {
		switch c {
		case 200:
			ok++
		case 503:
			busy++
		default:
			t.Errorf("HTTP %d: want 200 or 503", c)
		}
	}
	if ok == 0 || busy == 0 || s.Stats().Rejected.Load() != int64(busy) {
		t.Errorf("%d ok, %d overloaded, %d counted rejected: want some of each", ok, busy, s.Stats().Rejected.Load())
	}
	post(t, url+"/v1/completions", map[string]any{"prompt": "after", "max_tokens": 2})
}

func TestConcurrentRequestsShareDecodeSteps(t *testing.T) {
	url, s := startServer(t, Config{})
	const clients = 8
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			post(t, url+"/v1/completions", map[string]any{"prompt": fmt.Sprintf("p%d", i), "max_tokens": 24, "ignore_eos": true})
		}()
	}
	wg.Wait()
	st := s.Stats()
	if st.Requests.Load() != clients || st.Batches.Load() >= clients*24 || st.BatchedReq.Load() == 0 {
		t.Errorf("%d requests of 24 tokens in %d decode steps (%d shared): want fewer steps than tokens", st.Requests.Load(), st.Batches.Load(), st.BatchedReq.Load())
	}
}

func TestChatRendersTheTemplateAndReturnsNChoices(t *testing.T) {
	url, _ := startServer(t, Config{})
	m := post(t, url+"/v1/chat/completions", map[string]any{
		"messages": []map[string]any{{"role": "system", "content": "S"}, {"role": "user", "content": []map[string]string{{"type": "text", "text": "Q"}}}},
		"n":        2, "max_tokens": 5, "logprobs": true, "return_token_ids": true, "seed": 4})
	want := "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n"
	if got := string(bytesOf(tokenIDs(t, m["prompt_token_ids"]))); got != want {
		t.Errorf("prompt %q, want %q", got, want)
	}
	choices := m["choices"].([]any)
	if len(choices) != 2 {
		t.Fatalf("%d choices, want 2", len(choices))
	}
	for i, c := range choices {
		c := c.(map[string]any)
		toks := tokenIDs(t, c["token_ids"])
		lps := c["logprobs"].(map[string]any)["content"].([]any)
		if msg := c["message"].(map[string]any); msg["role"] != "assistant" || len(toks) == 0 || len(lps) != len(toks) {
			t.Errorf("choice %d: message %v, %d tokens, %d logprobs", i, msg, len(toks), len(lps))
		}
	}
	if u := m["usage"].(map[string]any); int(u["prompt_tokens"].(float64)) != len(want) {
		t.Errorf("usage %v, want %d prompt tokens", u, len(want))
	}
}

func TestAStopStringOverSeveralTokensIsCutFromTheTextStreamedOrNot(t *testing.T) {
	url, _ := startServer(t, Config{})
	body := map[string]any{"prompt": "The answer is", "max_tokens": 40, "seed": 11, "temperature": 0.9, "return_token_ids": true, "ignore_eos": true}
	ta := tokenIDs(t, post(t, url+"/v1/completions", body)["choices"].([]any)[0].(map[string]any)["token_ids"])
	printable := func(b int) bool { return b >= 32 && b < 127 }
	k := -1 // the first pair of printable bytes whose two-byte string does not occur earlier
	for i := 0; i+1 < len(ta) && ta[i] < 256; i++ {
		if printable(ta[i]) && printable(ta[i+1]) && !strings.Contains(string(bytesOf(ta[:i+1])), string(bytesOf(ta[i:i+2]))) {
			k = i
			break
		}
	}
	if k < 0 {
		t.Skipf("sample %v has no fresh printable pair", ta)
	}
	stop := string(bytesOf(ta[k : k+2]))
	body["stop"] = stop
	c := post(t, url+"/v1/completions", body)["choices"].([]any)[0].(map[string]any)
	var wantText string // as JSON shows it: each invalid byte a U+FFFD
	jb, _ := json.Marshal(string(bytesOf(ta[:k])))
	_ = json.Unmarshal(jb, &wantText)
	if got := tokenIDs(t, c["token_ids"]); !slices.Equal(got, ta[:k+1]) || c["text"] != wantText || c["finish_reason"] != "stop" {
		t.Errorf("stop %q: tokens %v text %q finish %v; want %v, %q, stop", stop, got, c["text"], c["finish_reason"], ta[:k+1], wantText)
	}
	body["stream"] = true
	b, _ := json.Marshal(body)
	var text strings.Builder
	for _, ch := range sseChunks(t, url+"/v1/completions", string(b)) {
		for _, x := range ch["choices"].([]any) {
			text.WriteString(x.(map[string]any)["text"].(string))
		}
	}
	if text.String() != wantText {
		t.Errorf("streamed text %q, want %q (the start of the stop string must not be sent)", text.String(), wantText)
	}
}
