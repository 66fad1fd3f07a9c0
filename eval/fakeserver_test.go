package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// fakeLLM is a real HTTP server on 127.0.0.1 speaking the OpenAI /v1/completions and
// /v1/chat/completions protocol. It stands in for a language model, because no model weights exist on
// this machine: its answers are deterministic. For a prompt that starts with a known problem it answers
// correctly (\boxed{gold}) when the request's seed is even and wrongly when it is odd.
type fakeLLM struct {
	srv      *httptest.Server
	answers  map[string]string // problem text → gold
	requests atomic.Int64      // generation requests received
	failFrom int64             // when > 0, requests numbered ≥ failFrom get HTTP 503
	mu       sync.Mutex
	bodies   []map[string]any // decoded request bodies
}

func newFakeLLM(t *testing.T, problems []Problem) *fakeLLM {
	f := &fakeLLM{answers: map[string]string{}}
	for _, p := range problems {
		f.answers[p.Problem] = p.Answer
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) { f.serve(w, r, true) })
	mux.HandleFunc("POST /v1/completions", func(w http.ResponseWriter, r *http.Request) { f.serve(w, r, false) })
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLLM) url() string { return f.srv.URL + "/v1" }

func (f *fakeLLM) serve(w http.ResponseWriter, r *http.Request, chat bool) {
	n := f.requests.Add(1)
	if f.failFrom > 0 && n >= f.failFrom {
		http.Error(w, `{"error": {"message": "overloaded"}}`, http.StatusServiceUnavailable)
		return
	}
	raw, err := io.ReadAll(r.Body)
	var body map[string]any
	var exact struct {
		Seed int64 `json:"seed"` // decoded separately: float64 would round seeds above 2^53
	}
	if err == nil {
		err = json.Unmarshal(raw, &body)
	}
	if err == nil {
		err = json.Unmarshal(raw, &exact)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.bodies = append(f.bodies, body)
	f.mu.Unlock()
	var prompt string
	if chat {
		msgs, _ := body["messages"].([]any)
		if len(msgs) > 0 {
			m, _ := msgs[len(msgs)-1].(map[string]any)
			prompt, _ = m["content"].(string)
		}
	} else {
		prompt, _ = body["prompt"].(string)
	}
	seed := exact.Seed
	text := "I cannot tell."
	for problem, gold := range f.answers {
		if strings.HasPrefix(prompt, problem) {
			if seed%2 == 0 {
				text = fmt.Sprintf("Thinking step by step. The answer is $\\boxed{%s}$.", gold)
			} else {
				text = "Thinking step by step. The answer is $\\boxed{" + gold + "1}$."
			}
		}
	}
	w.Header().Set("Content-Type", "application/json")
	usage := map[string]any{"prompt_tokens": 10, "completion_tokens": len(text) / 4, "total_tokens": 10 + len(text)/4}
	if chat {
		json.NewEncoder(w).Encode(map[string]any{"id": "c", "object": "chat.completion", "created": 1, "model": body["model"],
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": text}}},
			"usage":   usage})
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"id": "c", "object": "text_completion", "created": 1, "model": body["model"],
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "text": text, "logprobs": nil}},
		"usage":   usage})
}
