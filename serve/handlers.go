package serve

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ascent-rl/ascent/engine"
)

// usage is the OpenAI usage block: prompt tokens count once per prompt, whatever n is.
type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func usageOf(prompts [][]int, seqs []engine.Sequence) usage {
	var u usage
	for _, p := range prompts {
		u.PromptTokens += len(p)
	}
	for _, s := range seqs {
		u.CompletionTokens += len(s.Tokens)
	}
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	return u
}

// completionLogprobs is the legacy completions logprobs object. top_logprobs is always null: only
// the sampled token's log-prob is reported.
type completionLogprobs struct {
	Tokens        []string  `json:"tokens"`
	TokenLogprobs []float32 `json:"token_logprobs"`
	TopLogprobs   []any     `json:"top_logprobs"`
	TextOffset    []int     `json:"text_offset"`
}

// completionChoice is one choice of a completion (or a chunk of one when streaming).
type completionChoice struct {
	Index          int                 `json:"index"`
	Text           string              `json:"text"`
	Logprobs       *completionLogprobs `json:"logprobs"`
	FinishReason   *string             `json:"finish_reason"`
	PromptTokenIDs any                 `json:"prompt_token_ids,omitempty"` // vLLM return_token_ids
	TokenIDs       any                 `json:"token_ids,omitempty"`        // vLLM return_token_ids
}

// chatLogprob is one entry of a chat choice's logprobs.content.
type chatLogprob struct {
	Token       string  `json:"token"`
	Logprob     float32 `json:"logprob"`
	Bytes       []int   `json:"bytes"`
	TopLogprobs []any   `json:"top_logprobs"`
}

// visible returns the response tokens that make up its text: without a final stop token.
func (s *Server) visible(seq engine.Sequence, w *weights, p engine.SamplingParams) []int {
	t := seq.Tokens
	if seq.FinishReason == "stop" && len(t) > 0 {
		last := t[len(t)-1]
		if slices.Contains(s.stopIDs, last) || slices.Contains(p.StopTokens, last) || last == w.config.EOSTokenID || slices.Contains(w.config.EOSTokenIDs, last) {
			return t[:len(t)-1]
		}
	}
	return t
}

// decode turns ids into text; ids were validated, so errors cannot happen short of a tokenizer bug.
func (s *Server) decode(ids []int) string {
	text, err := s.tok.Decode(ids)
	if err != nil {
		return ""
	}
	return text
}

// tokenStrings returns each token's text form.
func (s *Server) tokenStrings(ids []int) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i], _ = s.tok.TokenString(id)
	}
	return out
}

// handleCompletions is POST /v1/completions.
func (s *Server) handleCompletions(w http.ResponseWriter, r *http.Request) {
	var req completionRequest
	if err := decodeStrict(r, &req); err != nil {
		writeErr(w, err)
		return
	}
	cur := s.w.Load()
	g, err := s.params(&req.commonParams, req.MaxTokens, cur)
	if err == nil && req.Echo {
		err = errorf("echo", "echo is not supported")
	}
	if err == nil && req.Logprobs != nil && *req.Logprobs != 0 {
		err = errorf("logprobs", "logprobs = %d: only 0 is supported (the sampled token's log-prob, no alternatives)", *req.Logprobs)
	}
	var prompts [][]int
	if err == nil {
		prompts, err = s.completionPrompts(req.Prompt)
	}
	if err == nil {
		err = checkPrompts(prompts, g.n, cur)
	}
	if err != nil {
		writeErr(w, err)
		return
	}
	res, err := s.generate(r.Context(), prompts, g)
	if err != nil {
		writeErr(w, err)
		return
	}
	id, created := fmt.Sprintf("cmpl-%d", s.nextID.Add(1)), time.Now().Unix()
	choices := make([]completionChoice, len(res.seqs))
	for i, seq := range res.seqs {
		vis := s.visible(seq, cur, g.p)
		fr := seq.FinishReason
		c := completionChoice{Index: i, Text: s.decode(vis), FinishReason: &fr}
		if req.Logprobs != nil {
			c.Logprobs = s.completionLogprobs(seq.Tokens, seq.LogProbs)
		}
		if g.returnTokenIDs {
			c.PromptTokenIDs, c.TokenIDs = prompts[seq.PromptIndex], nonNil(seq.Tokens)
		}
		choices[i] = c
	}
	u := usageOf(prompts, res.seqs)
	if !g.stream {
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "object": "text_completion", "created": created,
			"model": s.cfg.ServedModelName, "choices": choices, "usage": u, "weights_version": res.version})
		return
	}
	sse := newSSE(w)
	chunk := func(c completionChoice) {
		sse.send(map[string]any{"id": id, "object": "text_completion", "created": created, "model": s.cfg.ServedModelName, "choices": []completionChoice{c}})
	}
	for i, seq := range res.seqs {
		vis := s.visible(seq, cur, g.p)
		for k, delta := range s.deltas(vis, len(seq.Tokens)) {
			c := completionChoice{Index: i, Text: delta}
			if req.Logprobs != nil {
				c.Logprobs = s.completionLogprobs(seq.Tokens[k:k+1], seq.LogProbs[k:k+1])
			}
			if g.returnTokenIDs {
				c.TokenIDs = seq.Tokens[k : k+1]
				if k == 0 {
					c.PromptTokenIDs = prompts[seq.PromptIndex]
				}
			}
			chunk(c)
		}
		fr := seq.FinishReason
		chunk(completionChoice{Index: i, FinishReason: &fr})
	}
	if g.includeUsage {
		sse.send(map[string]any{"id": id, "object": "text_completion", "created": created, "model": s.cfg.ServedModelName, "choices": []any{}, "usage": u})
	}
	sse.done()
}

func nonNil(x []int) []int {
	if x == nil {
		return []int{}
	}
	return x
}

// completionLogprobs builds the logprobs object of tokens.
func (s *Server) completionLogprobs(toks []int, lps []float32) *completionLogprobs {
	strs := s.tokenStrings(toks)
	off := make([]int, len(toks))
	pos := 0
	for i, t := range strs {
		off[i] = pos
		pos += len(t)
	}
	return &completionLogprobs{Tokens: strs, TokenLogprobs: lps, TopLogprobs: nil, TextOffset: off}
}

// deltas splits the text of vis into one piece per response token (n of them, n ≥ len(vis)): a
// piece holds the text that token completes; tokens ending inside a UTF-8 character, and any stop
// token past vis, get "".
func (s *Server) deltas(vis []int, n int) []string {
	out := make([]string, n)
	prev := ""
	for k := range vis {
		cur := s.decode(vis[:k+1])
		if strings.HasPrefix(cur, prev) && utf8.ValidString(cur) {
			out[k], prev = cur[len(prev):], cur
		}
	}
	if full := s.decode(vis); len(vis) > 0 && strings.HasPrefix(full, prev) && len(full) > len(prev) {
		out[len(vis)-1] += full[len(prev):]
	}
	return out
}

// handleChat is POST /v1/chat/completions.
func (s *Server) handleChat(w http.ResponseWriter, r *http.Request) {
	var req chatRequest
	if err := decodeStrict(r, &req); err != nil {
		writeErr(w, err)
		return
	}
	cur := s.w.Load()
	maxTok := req.MaxTokens
	if req.MaxCompletionTokens != nil {
		maxTok = req.MaxCompletionTokens
	}
	if maxTok == nil { // chat answers run to EOS or the limit by default, as vLLM's do
		maxTok = &s.cfg.MaxTokens
	}
	g, err := s.params(&req.commonParams, maxTok, cur)
	if err == nil && req.TopLogprobs != nil && *req.TopLogprobs != 0 {
		err = errorf("top_logprobs", "top_logprobs = %d: only 0 is supported (the sampled token's log-prob, no alternatives)", *req.TopLogprobs)
	}
	var prompt []int
	if err == nil {
		prompt, err = s.chatPrompt(req.Messages)
	}
	if err == nil {
		err = checkPrompts([][]int{prompt}, g.n, cur)
	}
	if err != nil {
		writeErr(w, err)
		return
	}
	res, err := s.generate(r.Context(), [][]int{prompt}, g)
	if err != nil {
		writeErr(w, err)
		return
	}
	id, created := fmt.Sprintf("chatcmpl-%d", s.nextID.Add(1)), time.Now().Unix()
	u := usageOf([][]int{prompt}, res.seqs)
	logprobs := func(toks []int, lps []float32) map[string]any {
		if !req.Logprobs {
			return nil
		}
		content := make([]chatLogprob, len(toks))
		for i, t := range s.tokenStrings(toks) {
			b := make([]int, len(t))
			for j := range len(t) {
				b[j] = int(t[j])
			}
			content[i] = chatLogprob{Token: t, Logprob: lps[i], Bytes: b, TopLogprobs: []any{}}
		}
		return map[string]any{"content": content}
	}
	if !g.stream {
		choices := make([]map[string]any, len(res.seqs))
		for i, seq := range res.seqs {
			c := map[string]any{"index": i, "finish_reason": seq.FinishReason,
				"message":  map[string]any{"role": "assistant", "content": s.decode(s.visible(seq, cur, g.p))},
				"logprobs": logprobs(seq.Tokens, seq.LogProbs)}
			if g.returnTokenIDs {
				c["token_ids"] = nonNil(seq.Tokens)
			}
			choices[i] = c
		}
		body := map[string]any{"id": id, "object": "chat.completion", "created": created, "model": s.cfg.ServedModelName,
			"choices": choices, "usage": u, "weights_version": res.version}
		if g.returnTokenIDs {
			body["prompt_token_ids"] = prompt
		}
		writeJSON(w, http.StatusOK, body)
		return
	}
	sse := newSSE(w)
	chunk := func(c map[string]any) {
		sse.send(map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": s.cfg.ServedModelName, "choices": []any{c}})
	}
	for i, seq := range res.seqs {
		chunk(map[string]any{"index": i, "delta": map[string]any{"role": "assistant", "content": ""}, "finish_reason": nil})
		for k, delta := range s.deltas(s.visible(seq, cur, g.p), len(seq.Tokens)) {
			c := map[string]any{"index": i, "delta": map[string]any{"content": delta}, "finish_reason": nil,
				"logprobs": logprobs(seq.Tokens[k:k+1], seq.LogProbs[k:k+1])}
			if g.returnTokenIDs {
				c["token_ids"] = seq.Tokens[k : k+1]
			}
			chunk(c)
		}
		chunk(map[string]any{"index": i, "delta": map[string]any{}, "finish_reason": seq.FinishReason})
	}
	if g.includeUsage {
		sse.send(map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": s.cfg.ServedModelName, "choices": []any{}, "usage": u})
	}
	sse.done()
}

// sse writes Server-Sent Events: "data: {json}\n\n" per event and "data: [DONE]\n\n" at the end.
type sse struct {
	w http.ResponseWriter
	f http.Flusher
}

func newSSE(w http.ResponseWriter) *sse {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	f, _ := w.(http.Flusher)
	return &sse{w: w, f: f}
}

func (e *sse) send(v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintf(e.w, "data: %s\n\n", b)
	if e.f != nil {
		e.f.Flush()
	}
}

func (e *sse) done() {
	fmt.Fprint(e.w, "data: [DONE]\n\n")
	if e.f != nil {
		e.f.Flush()
	}
}
