package serve

import (
	"fmt"
	"net/http"
	"time"

	"github.com/ascent-rl/ascent/model"
)

// completionChoice is one choice of a completion (or a chunk of one when streaming).
type completionChoice struct {
	Index          int                 `json:"index"`
	Text           string              `json:"text"`
	Logprobs       *completionLogprobs `json:"logprobs"`
	FinishReason   *string             `json:"finish_reason"`
	PromptLogprobs []any               `json:"prompt_logprobs,omitempty"`  // vLLM prompt_logprobs
	PromptTokenIDs []int               `json:"prompt_token_ids,omitempty"` // vLLM return_token_ids
	TokenIDs       []int               `json:"token_ids,omitempty"`        // vLLM return_token_ids
}

// handleCompletions is POST /v1/completions.
func (s *Server) handleCompletions(w http.ResponseWriter, r *http.Request) {
	var req completionRequest
	if err := decodeStrict(r, &req); err != nil {
		writeErr(w, err)
		return
	}
	cur := s.w.Load()
	g, err := s.params(&req.commonParams, req.MaxTokens, map[bool]int{true: 0, false: 1}[req.Echo], cur)
	if err == nil && req.Logprobs != nil {
		if k := *req.Logprobs; k < 0 || k > s.cfg.MaxLogprobs {
			err = errorf("logprobs", "logprobs = %d: expected 0 ≤ logprobs ≤ %d (OpenAI allows 5, vLLM's max_logprobs %d)", k, s.cfg.MaxLogprobs, s.cfg.MaxLogprobs)
		} else {
			g.top = k
			if req.Echo { // the echoed prompt tokens carry log-probs too
				g.promptLP = max(g.promptLP, k)
			}
		}
	}
	var prompts [][]int
	if err == nil {
		prompts, err = s.completionPrompts(req.Prompt)
	}
	if err == nil {
		err = s.checkPrompts(prompts, &g, cur)
	}
	if err != nil {
		writeErr(w, err)
		return
	}
	ev, err := s.generate(r.Context(), prompts, g, cur)
	if err != nil {
		writeErr(w, err)
		return
	}
	c := s.newCollector(cur, g, prompts)
	id, created := fmt.Sprintf("cmpl-%d", s.nextID.Add(1)), time.Now().Unix()
	body := func(choices []completionChoice) map[string]any {
		b := map[string]any{"id": id, "object": "text_completion", "created": created, "model": s.cfg.ServedModelName,
			"choices": choices, "weights_version": ev.weightsVersion()}
		if g.includeUsage {
			b["usage"] = nil // OpenAI: every chunk has usage, null but in the last one
		}
		return b
	}
	wantLP, topLP := req.Logprobs != nil, req.Logprobs != nil && *req.Logprobs > 0
	// part builds choice k's text and logprobs from its tokens [from:] (plus, on its first part,
	// the echoed prompt and prompt log-probs).
	lpb := make([]lpBuilder, len(c.choices))
	part := func(k int, text string, from int, first bool) completionChoice {
		ch := &c.choices[k]
		out := completionChoice{Index: k, Text: text}
		pi := k / g.n
		var lp *completionLogprobs
		if wantLP {
			lpb[k].s, lpb[k].top = s, topLP
			lp = newCompletionLogprobs(topLP)
		}
		if first {
			if req.Echo {
				out.Text = s.decode(prompts[pi]) + text
				if lp != nil {
					ids, lps, tops := echoLogprobs(prompts[pi], c.plps[pi])
					lpb[k].add(lp, ids, lps, tops)
				}
			}
			if req.PromptLogprobs != nil {
				out.PromptLogprobs = s.promptLogprobsJSON(c.plps[pi])
			}
			if g.returnTokenIDs {
				out.PromptTokenIDs = prompts[pi]
			}
		}
		if lp != nil {
			lps := make([]*float32, len(ch.lps)-from)
			for i := range lps {
				lps[i] = &ch.lps[from+i]
			}
			lpb[k].add(lp, ch.toks[from:], lps, ch.tops[from:])
		}
		out.Logprobs = lp
		if g.returnTokenIDs {
			out.TokenIDs = nonNil(ch.toks[from:])
		}
		return out
	}
	if !g.stream {
		if err := c.run(r, ev, nil, nil); err != nil {
			writeErr(w, err)
			return
		}
		choices := make([]completionChoice, len(c.choices))
		for k := range c.choices {
			ch := &c.choices[k]
			choices[k] = part(k, c.text(ch), 0, true)
			choices[k].FinishReason = &ch.finish
		}
		b := body(choices)
		b["usage"] = c.usage()
		writeJSON(w, http.StatusOK, b)
		return
	}
	out := newSSE(w)
	err = c.stream(r, ev, out, func(k int, ch *choice, text string, first bool) any {
		p := part(k, text, ch.sentToks, first)
		if ch.finish != "" {
			p.FinishReason = &ch.finish
		}
		return body([]completionChoice{p})
	})
	out.end(err, g.includeUsage, func() map[string]any { return body([]completionChoice{}) }, c)
}

// echoLogprobs lays out a prompt's tokens for an echoed logprobs object: the first token has no
// log-prob; the others have theirs and their alternatives (plps may be nil: no log-probs asked).
func echoLogprobs(prompt []int, plps []promptLogprob) ([]int, []*float32, [][]model.TokenLogProb) {
	lps, tops := make([]*float32, len(prompt)), make([][]model.TokenLogProb, len(prompt))
	for i := 1; i < len(prompt) && i < len(plps); i++ {
		lps[i], tops[i] = &plps[i].lp, plps[i].top
	}
	return prompt, lps, tops
}
