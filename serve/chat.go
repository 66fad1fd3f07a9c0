package serve

import (
	"fmt"
	"net/http"
	"time"
)

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
	g, err := s.params(&req.commonParams, maxTok, 1, cur)
	if err == nil && maxTok == nil { // chat answers run to EOS or max_model_len by default, as vLLM's do
		g.p.MaxTokens = s.cfg.MaxTokens
	}
	if err == nil && req.TopLogprobs != nil {
		switch k := *req.TopLogprobs; {
		case k < 0 || k > s.cfg.MaxLogprobs:
			err = errorf("top_logprobs", "top_logprobs = %d: expected 0 ≤ top_logprobs ≤ %d", k, s.cfg.MaxLogprobs)
		case !req.Logprobs && k > 0:
			err = errorf("top_logprobs", "top_logprobs = %d needs logprobs: true", k)
		default:
			g.top = k
		}
	}
	if err == nil {
		err = req.toolParams.check()
	}
	var prompt []int
	if err == nil {
		prompt, err = s.chatPrompt(req.Messages)
	}
	if err == nil {
		err = s.checkPrompts([][]int{prompt}, &g, cur)
	}
	if err != nil {
		writeErr(w, err)
		return
	}
	ev, err := s.generate(r.Context(), [][]int{prompt}, g, cur)
	if err != nil {
		writeErr(w, err)
		return
	}
	c := s.newCollector(cur, g, [][]int{prompt})
	id, created := fmt.Sprintf("chatcmpl-%d", s.nextID.Add(1)), time.Now().Unix()
	logprobs := func(ch *choice, from int) map[string]any {
		if !req.Logprobs {
			return nil
		}
		return map[string]any{"content": s.chatLogprobs(ch.toks[from:], ch.lps[from:], ch.tops[from:])}
	}
	body := func(object string, choices []map[string]any) map[string]any {
		b := map[string]any{"id": id, "object": object, "created": created, "model": s.cfg.ServedModelName,
			"choices": choices, "weights_version": ev.weightsVersion()}
		if g.includeUsage {
			b["usage"] = nil // OpenAI: every chunk has usage, null but in the last one
		}
		return b
	}
	if !g.stream {
		if err := c.run(r, ev, nil, nil); err != nil {
			writeErr(w, err)
			return
		}
		choices := make([]map[string]any, len(c.choices))
		for i := range c.choices {
			ch := &c.choices[i]
			m := map[string]any{"index": i, "finish_reason": ch.finish,
				"message":  map[string]any{"role": "assistant", "content": c.text(ch)},
				"logprobs": logprobs(ch, 0)}
			if g.returnTokenIDs {
				m["token_ids"] = nonNil(ch.toks)
			}
			choices[i] = m
		}
		b := body("chat.completion", choices)
		b["usage"] = c.usage()
		if g.returnTokenIDs {
			b["prompt_token_ids"] = prompt
		}
		if g.promptLP >= 0 {
			b["prompt_logprobs"] = s.promptLogprobsJSON(c.plps[0])
		}
		writeJSON(w, http.StatusOK, b)
		return
	}
	out := newSSE(w)
	err = c.stream(r, ev, out, func(k int, ch *choice, text string, first bool) any {
		delta := map[string]any{}
		if text != "" || first {
			delta["content"] = text
		}
		if first { // OpenAI's first delta of a choice names the role
			delta["role"] = "assistant"
		}
		m := map[string]any{"index": k, "delta": delta, "logprobs": logprobs(ch, ch.sentToks), "finish_reason": nil}
		if g.returnTokenIDs {
			m["token_ids"] = nonNil(ch.toks[ch.sentToks:])
		}
		if ch.finish != "" {
			m["finish_reason"] = ch.finish
		}
		b := body("chat.completion.chunk", []map[string]any{m})
		if first && k == 0 {
			if g.returnTokenIDs {
				b["prompt_token_ids"] = prompt
			}
			if g.promptLP >= 0 {
				b["prompt_logprobs"] = s.promptLogprobsJSON(c.plps[0])
			}
		}
		return b
	})
	out.end(err, g.includeUsage, func() map[string]any { return body("chat.completion.chunk", []map[string]any{}) }, c)
}
