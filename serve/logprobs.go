package serve

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/ascent-rl/ascent/model"
)

// The JSON layouts of log-probs: OpenAI's legacy completions object, OpenAI's chat
// logprobs.content entries, and vLLM's prompt_logprobs.

// completionLogprobs is the legacy completions logprobs object. With logprobs: 0 top_logprobs is
// null; with logprobs: N each entry maps the N most likely tokens, and the sampled one, to their
// log-probs (vLLM's layout: up to N+1 keys). With echo the prompt tokens come first; the first
// prompt token has no log-prob (null).
type completionLogprobs struct {
	Tokens        []string     `json:"tokens"`
	TokenLogprobs []*float32   `json:"token_logprobs"`
	TopLogprobs   []*orderedLP `json:"top_logprobs"`
	TextOffset    []int        `json:"text_offset"`
}

// orderedLP is a token → log-prob JSON object that keeps its keys most likely first.
type orderedLP struct {
	keys []string
	vals []float32
}

func (o *orderedLP) add(key string, v float32) {
	for _, k := range o.keys {
		if k == key {
			return
		}
	}
	o.keys, o.vals = append(o.keys, key), append(o.vals, v)
}

// MarshalJSON writes {"key": value, ...} in insertion order.
func (o *orderedLP) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.WriteString(strconv.FormatFloat(float64(o.vals[i]), 'g', -1, 32))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// lpBuilder accumulates a choice's completions logprobs; off is the text offset of the next token.
type lpBuilder struct {
	s   *Server
	top bool // top_logprobs entries (logprobs ≥ 1), else null
	off int
}

// add appends tokens with their log-probs (nil: none, the first prompt token) and alternatives.
func (b *lpBuilder) add(lp *completionLogprobs, ids []int, lps []*float32, tops [][]model.TokenLogProb) {
	for i, id := range ids {
		str := b.s.tokenLabel(id)
		lp.Tokens = append(lp.Tokens, str)
		lp.TokenLogprobs = append(lp.TokenLogprobs, lps[i])
		lp.TextOffset = append(lp.TextOffset, b.off)
		b.off += len(b.s.tokenString(id))
		if !b.top {
			continue
		}
		if lps[i] == nil {
			lp.TopLogprobs = append(lp.TopLogprobs, nil)
			continue
		}
		o := &orderedLP{}
		for _, t := range tops[i] {
			o.add(b.s.tokenLabel(t.ID), t.LogProb)
		}
		o.add(str, *lps[i])
		lp.TopLogprobs = append(lp.TopLogprobs, o)
	}
}

// newCompletionLogprobs returns an empty object with non-nil lists (JSON [] rather than null).
func newCompletionLogprobs(top bool) *completionLogprobs {
	lp := &completionLogprobs{Tokens: []string{}, TokenLogprobs: []*float32{}, TextOffset: []int{}}
	if top {
		lp.TopLogprobs = []*orderedLP{}
	}
	return lp
}

// chatLogprob is one entry of a chat choice's logprobs.content (OpenAI's layout).
type chatLogprob struct {
	Token       string       `json:"token"`
	Logprob     float32      `json:"logprob"`
	Bytes       []int        `json:"bytes"`
	TopLogprobs []chatTopAlt `json:"top_logprobs"`
}

// chatTopAlt is one of the most likely tokens at a position.
type chatTopAlt struct {
	Token   string  `json:"token"`
	Logprob float32 `json:"logprob"`
	Bytes   []int   `json:"bytes"`
}

func bytesOfString(s string) []int {
	b := make([]int, len(s))
	for i := range len(s) {
		b[i] = int(s[i])
	}
	return b
}

// chatLogprobs builds logprobs.content entries.
func (s *Server) chatLogprobs(ids []int, lps []float32, tops [][]model.TokenLogProb) []chatLogprob {
	out := make([]chatLogprob, len(ids))
	for i, id := range ids {
		alts := make([]chatTopAlt, len(tops[i]))
		for k, t := range tops[i] {
			alts[k] = chatTopAlt{Token: s.tokenLabel(t.ID), Logprob: t.LogProb, Bytes: bytesOfString(s.tokenString(t.ID))}
		}
		out[i] = chatLogprob{Token: s.tokenLabel(id), Logprob: lps[i], Bytes: bytesOfString(s.tokenString(id)), TopLogprobs: alts}
	}
	return out
}

// vllmLogprob is one value of vLLM's prompt_logprobs entries.
type vllmLogprob struct {
	Logprob      float32 `json:"logprob"`
	Rank         int     `json:"rank"`
	DecodedToken string  `json:"decoded_token"`
}

// promptLogprobsJSON is vLLM's prompt_logprobs: null for the first prompt token, then per token
// {"<id>": {logprob, rank, decoded_token}} for the token itself and the most likely ones.
func (s *Server) promptLogprobsJSON(lps []promptLogprob) []any {
	out := make([]any, len(lps))
	for i, p := range lps {
		if i == 0 {
			continue
		}
		m := map[string]vllmLogprob{strconv.Itoa(p.id): {Logprob: p.lp, Rank: p.rank, DecodedToken: s.tokenLabel(p.id)}}
		for r, t := range p.top {
			if _, ok := m[strconv.Itoa(t.ID)]; !ok {
				m[strconv.Itoa(t.ID)] = vllmLogprob{Logprob: t.LogProb, Rank: r + 1, DecodedToken: s.tokenLabel(t.ID)}
			}
		}
		out[i] = m
	}
	return out
}
