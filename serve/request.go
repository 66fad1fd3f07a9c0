package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"

	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/model/tokenizer"
)

// maxStops bounds the stop strings of one request; maxRows bounds prompts × n of one request.
const (
	maxStops = 16
	maxRows  = 1024
)

// commonParams are the sampling parameters both generation endpoints accept. Pointers tell "not
// sent" from zero. top_k, stop_token_ids, ignore_eos and return_token_ids are vLLM extensions.
type commonParams struct {
	Model            string          `json:"model"`
	MaxTokens        *int            `json:"max_tokens"`
	Temperature      *float64        `json:"temperature"`
	TopP             *float64        `json:"top_p"`
	TopK             *int            `json:"top_k"`
	N                *int            `json:"n"`
	Stop             json.RawMessage `json:"stop"`
	StopTokenIDs     []int           `json:"stop_token_ids"`
	Seed             *int64          `json:"seed"`
	Stream           bool            `json:"stream"`
	StreamOptions    *streamOptions  `json:"stream_options"`
	ReturnTokenIDs   bool            `json:"return_token_ids"`
	IgnoreEOS        bool            `json:"ignore_eos"`
	User             string          `json:"user"`
	FrequencyPenalty *float64        `json:"frequency_penalty"`
	PresencePenalty  *float64        `json:"presence_penalty"`
	PromptLogprobs   *int            `json:"prompt_logprobs"` // vLLM: log-probs of the prompt tokens
}

// streamOptions is OpenAI's stream_options.
type streamOptions struct {
	IncludeUsage bool `json:"include_usage"` // send a last chunk with the usage block
}

// completionRequest is the body of POST /v1/completions.
type completionRequest struct {
	commonParams
	Prompt   json.RawMessage `json:"prompt"`   // string, [string], [int] or [[int]]
	Logprobs *int            `json:"logprobs"` // the sampled token's log-prob and this many alternatives
	Echo     bool            `json:"echo"`     // the prompt (and its log-probs) before the completion
}

// chatRequest is the body of POST /v1/chat/completions.
type chatRequest struct {
	commonParams
	Messages            []chatMessage `json:"messages"`
	MaxCompletionTokens *int          `json:"max_completion_tokens"`
	Logprobs            bool          `json:"logprobs"`     // the sampled token's log-prob per token
	TopLogprobs         *int          `json:"top_logprobs"` // alternatives per token (needs logprobs)
	toolParams                        // tools, tool_choice, parallel_tool_calls (serve/tools.go)
}

// chatMessage is one input message; content is a string or a list of {"type":"text"} parts.
type chatMessage struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	Name       string          `json:"name"`
	ToolCalls  []chatToolCall  `json:"tool_calls"`   // an assistant's calls, rendered as <tool_call> blocks
	ToolCallID string          `json:"tool_call_id"` // the call a tool message answers
}

// genParams are a validated request's sampling settings.
type genParams struct {
	p              engine.SamplingParams
	n              int
	seeded         bool
	stream         bool
	includeUsage   bool
	returnTokenIDs bool
	maxTokensSet   bool // max_tokens came from the request (else it is clamped to max_model_len)
	top            int  // alternatives per sampled token
	promptLP       int  // alternatives per prompt token; -1: no prompt log-probs
}

// decodeStrict decodes a JSON body into v, rejecting unknown fields and trailing data.
func decodeStrict(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return errorf("", "read request body: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return errorf("", "malformed JSON at byte %d: %v", se.Offset, err)
		case errors.As(err, &te):
			f := strings.TrimPrefix(te.Field, "commonParams.")
			return errorf(f, "parameter %q: expected %s, got JSON %s", f, te.Type, te.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return errorf(f, "unknown parameter %q", f)
		case errors.Is(err, io.EOF):
			return errorf("", "empty request body: expected a JSON object")
		}
		return errorf("", "malformed JSON: %v", err)
	}
	if dec.More() {
		return errorf("", "malformed JSON: data after the request object")
	}
	return nil
}

// params validates the common parameters against the server's limits and the served model.
// minTokens is the smallest max_tokens allowed (0 with echo: score the prompt only).
func (s *Server) params(c *commonParams, maxTokens *int, minTokens int, w *weights) (genParams, error) {
	g := genParams{n: 1, stream: c.Stream, returnTokenIDs: c.ReturnTokenIDs, promptLP: -1}
	if err := s.checkModel(c.Model); err != nil {
		return g, err
	}
	p := engine.SamplingParams{Temperature: 1, MaxTokens: s.cfg.DefaultMaxTokens, IgnoreEOS: c.IgnoreEOS}
	if maxTokens != nil {
		// Over max_model_len (the default limit) is checkPrompts' vLLM-shaped error; a tighter
		// --max-tokens-limit is checked here.
		if *maxTokens < minTokens || (*maxTokens > s.cfg.MaxTokens && s.cfg.MaxTokens < s.cfg.MaxModelLen) {
			return g, errorf("max_tokens", "max_tokens = %d: expected %d ≤ max_tokens ≤ %d (this server's limit)", *maxTokens, minTokens, s.cfg.MaxTokens)
		}
		p.MaxTokens, g.maxTokensSet = *maxTokens, true
	}
	if k := c.PromptLogprobs; k != nil {
		if *k < 0 || *k > s.cfg.MaxLogprobs {
			return g, errorf("prompt_logprobs", "prompt_logprobs = %d: expected 0 ≤ prompt_logprobs ≤ %d (max_logprobs)", *k, s.cfg.MaxLogprobs)
		}
		g.promptLP = *k
	}
	if t := c.Temperature; t != nil {
		if *t < 0 || *t > 2 || math.IsNaN(*t) {
			return g, errorf("temperature", "temperature = %g: expected 0 ≤ temperature ≤ 2", *t)
		}
		p.Temperature = *t
	}
	if t := c.TopP; t != nil {
		if !(*t > 0 && *t <= 1) {
			return g, errorf("top_p", "top_p = %g: expected 0 < top_p ≤ 1", *t)
		}
		p.TopP = *t
	}
	if k := c.TopK; k != nil {
		if *k < -1 {
			return g, errorf("top_k", "top_k = %d: expected -1 or 0 (disabled) or a positive count", *k)
		}
		p.TopK = max(*k, 0)
	}
	if n := c.N; n != nil {
		if *n < 1 || *n > s.cfg.MaxN {
			return g, errorf("n", "n = %d: expected 1 ≤ n ≤ %d", *n, s.cfg.MaxN)
		}
		g.n = *n
	}
	for _, x := range []struct {
		name string
		v    *float64
	}{{"frequency_penalty", c.FrequencyPenalty}, {"presence_penalty", c.PresencePenalty}} {
		if x.v != nil && *x.v != 0 {
			return g, errorf(x.name, "%s = %g: penalties are not supported (only 0)", x.name, *x.v)
		}
	}
	stops, err := parseStop(c.Stop)
	if err != nil {
		return g, err
	}
	p.Stop = stops
	for _, t := range c.StopTokenIDs {
		if t < 0 || t >= w.config.VocabSize {
			return g, errorf("stop_token_ids", "stop token %d outside the vocabulary [0, %d)", t, w.config.VocabSize)
		}
	}
	p.StopTokens = c.StopTokenIDs
	if c.Seed != nil {
		p.Seed, g.seeded = uint64(*c.Seed), true
	}
	if c.StreamOptions != nil {
		if !c.Stream {
			return g, errorf("stream_options", "stream_options needs stream: true")
		}
		g.includeUsage = c.StreamOptions.IncludeUsage
	}
	g.p = p
	return g, nil
}

// parseStop reads stop: null, a string or a list of strings.
func parseStop(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		raw = []byte(fmt.Sprintf("[%q]", one))
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, errorf("stop", "stop: expected a string or a list of strings, got %s", raw)
	}
	if len(list) > maxStops {
		return nil, errorf("stop", "stop has %d strings; at most %d", len(list), maxStops)
	}
	for i, s := range list {
		if s == "" {
			return nil, errorf("stop", "stop[%d] is empty", i)
		}
	}
	return list, nil
}

// completionPrompts reads prompt: a string, a list of strings, a token-id list or a list of them.
func (s *Server) completionPrompts(raw json.RawMessage) ([][]int, error) {
	var str string
	var strs []string
	var ids []int
	var idss [][]int
	var texts []string
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil, errorf("prompt", "prompt is required")
	case json.Unmarshal(raw, &str) == nil:
		texts = []string{str}
	case json.Unmarshal(raw, &strs) == nil && len(strs) > 0:
		texts = strs
	case json.Unmarshal(raw, &ids) == nil && len(ids) > 0:
		idss = [][]int{ids}
	case json.Unmarshal(raw, &idss) == nil && len(idss) > 0:
	default:
		return nil, errorf("prompt", "prompt: expected a string, a list of strings, a list of token ids or a list of such lists")
	}
	for i, t := range texts {
		ids, err := tokenizer.EncodePrompt(s.tok, t)
		if err != nil {
			return nil, errorf("prompt", "prompt %d: %v", i, err)
		}
		idss = append(idss, ids)
	}
	return idss, nil
}

// chatPrompt renders the messages with the chat template and the generation prompt and encodes
// them.
func (s *Server) chatPrompt(msgs []chatMessage) ([]int, error) { return s.chatPromptOpts(msgs, true) }

// chatPromptOpts renders and encodes the messages, with or without the generation prompt.
func (s *Server) chatPromptOpts(msgs []chatMessage, genPrompt bool) ([]int, error) {
	if len(msgs) == 0 {
		return nil, errorf("messages", "messages is required and must not be empty")
	}
	var tm []tokenizer.Message
	for i, m := range msgs {
		var text string
		if err := json.Unmarshal(m.Content, &text); err != nil {
			var parts []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			}
			if err := json.Unmarshal(m.Content, &parts); err != nil {
				return nil, errorf(fmt.Sprintf("messages[%d].content", i), "messages[%d].content: expected a string or a list of text parts", i)
			}
			for j, p := range parts {
				if p.Type != "text" {
					return nil, errorf(fmt.Sprintf("messages[%d].content", i), "messages[%d].content[%d] has type %q; only \"text\" is supported", i, j, p.Type)
				}
				text += p.Text
			}
		}
		calls, err := renderToolCalls(i, m.ToolCalls)
		if err != nil {
			return nil, err
		}
		tm = append(tm, tokenizer.Message{Role: m.Role, Content: text + calls})
	}
	ids, err := tokenizer.EncodeChat(s.tok, s.cfg.ChatTemplate, tm, tokenizer.ChatOptions{AddGenerationPrompt: genPrompt})
	if err != nil {
		return nil, errorf("messages", "%v", err)
	}
	return ids, nil
}

// checkPrompts validates token ids and lengths against the served model and max_model_len, and
// clamps a max_tokens the request did not set so that every prompt fits.
func (s *Server) checkPrompts(prompts [][]int, g *genParams, w *weights) error {
	if len(prompts)*g.n > maxRows {
		return errorf("prompt", "%d prompts × n=%d is over this server's %d sequences per request", len(prompts), g.n, maxRows)
	}
	limit, vocab := s.cfg.MaxModelLen, w.config.VocabSize
	longest := 0
	for i, p := range prompts {
		if len(p) == 0 {
			return errorf("prompt", "prompt %d is empty", i)
		}
		for j, t := range p {
			if t < 0 || t >= vocab {
				return errorf("prompt", "prompt %d token %d is %d, outside the vocabulary [0, %d)", i, j, t, vocab)
			}
		}
		longest = max(longest, len(p))
	}
	// vLLM's messages and error shape (type BadRequestError, code 400).
	if longest >= limit {
		return &lengthError{param: "prompt", msg: fmt.Sprintf("This model's maximum context length is %d tokens. However, your request has %d input tokens. Please reduce the length of the input messages.", limit, longest)}
	}
	if longest+g.p.MaxTokens > limit {
		if g.maxTokensSet {
			return &lengthError{param: "max_tokens", msg: fmt.Sprintf("'max_tokens' or 'max_completion_tokens' is too large: %d. This model's maximum context length is %d tokens and your request has %d input tokens (%d > %d - %d).",
				g.p.MaxTokens, limit, longest, g.p.MaxTokens, limit, longest)}
		}
		g.p.MaxTokens = limit - longest
	}
	return nil
}

// lengthError is a request over max_model_len, answered in vLLM's shape.
type lengthError struct {
	param string
	msg   string
}

func (e *lengthError) Error() string { return e.msg }

// generate queues the prompts for the scheduler, pinned to weights w, and returns the request's
// event stream.
func (s *Server) generate(ctx context.Context, prompts [][]int, g genParams, w *weights) (*events, error) {
	p := g.p
	if !g.seeded {
		p.Seed = s.seedRNG()
	}
	r := &request{ctx: ctx, prompts: prompts, n: g.n, p: p, top: g.top, promptLP: g.promptLP, w: w, out: newEvents(len(prompts) * g.n)}
	err := s.b.submit(r)
	if a, ok := ctx.Value(arrivedKey{}).(*arrived); ok {
		a.done()
	}
	if err != nil {
		if errors.Is(err, errOverloaded) {
			s.stats.Rejected.Add(1)
		}
		return nil, err
	}
	s.stats.Requests.Add(1)
	return r.out, nil
}
