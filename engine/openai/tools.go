package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	oa "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/ascent-rl/ascent/tool"
)

// ToolChatConfig configures conversations with tools against an OpenAI-compatible chat endpoint.
type ToolChatConfig struct {
	Endpoint string // base URL, e.g. http://127.0.0.1:8000/v1 (required)
	Model    string // served model name (required)
	APIKey   string // bearer token ("" for none)
	// Tools are offered in the request's `tools` list (function tools with one string argument).
	Tools map[string]tool.Tool
	// Inline reads calls written in the reply's content, for servers that return the model's text
	// without a tool-call parser (vLLM without --tool-call-parser, `ascent serve`); nil: tool.Hermes.
	Inline      tool.Syntax
	MaxTurns    int           // assistant turns per conversation (default 4)
	MaxTokens   int           // completion tokens per turn (0: the server's default)
	Temperature float64       // sampling temperature (0: greedy)
	Timeout     time.Duration // per request (default 2 min)
	CallTimeout time.Duration // per tool call (default 10 s)
	Counts      *tool.Counts  // receives every call; nil: not counted
}

// ChatMessage is one message of a conversation with tools, in OpenAI's shape.
type ChatMessage struct {
	Role       string     `json:"role"`                   // system, user, assistant or tool
	Content    string     `json:"content"`                // text
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`   // the assistant's calls
	ToolCallID string     `json:"tool_call_id,omitempty"` // the call a tool message answers
}

// ToolCall is one function call of an assistant message.
type ToolCall struct {
	ID        string `json:"id"`        // the call's id, echoed by the tool message
	Name      string `json:"name"`      // the function
	Arguments string `json:"arguments"` // JSON object text
	Inline    bool   `json:"inline"`    // read from the content (no tool-call parser on the server)
}

// Conversation is a finished conversation.
type Conversation struct {
	Messages []ChatMessage `json:"messages"` // every message, the prompt's included
	Final    string        `json:"final"`    // the last assistant content
	Turns    int           `json:"turns"`    // assistant turns taken
	Calls    int           `json:"calls"`    // tool calls answered
	Errors   int           `json:"errors"`   // of which answered with an error
}

// ToolChat runs conversations with tools. It is safe for concurrent use.
type ToolChat struct {
	cfg  ToolChatConfig
	oa   oa.Client
	defs []oa.ChatCompletionToolUnionParam
	resp *tool.Responder
}

// NewToolChat checks cfg and builds the client (no network traffic).
func NewToolChat(cfg ToolChatConfig) (*ToolChat, error) {
	switch {
	case cfg.Endpoint == "" || cfg.Model == "":
		return nil, errors.New("tool chat: need an endpoint URL and a model name")
	case !strings.HasPrefix(cfg.Endpoint, "http://") && !strings.HasPrefix(cfg.Endpoint, "https://"):
		return nil, fmt.Errorf("tool chat: endpoint %q is not an http(s) URL", cfg.Endpoint)
	case len(cfg.Tools) == 0:
		return nil, errors.New("tool chat: no tools")
	}
	if cfg.Inline == nil {
		cfg.Inline = tool.Hermes{}
	}
	if cfg.MaxTurns <= 0 {
		cfg.MaxTurns = 4
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	key := cfg.APIKey
	if key == "" {
		key = "none"
	}
	c := &ToolChat{cfg: cfg, oa: oa.NewClient(option.WithBaseURL(strings.TrimRight(cfg.Endpoint, "/")+"/"),
		option.WithAPIKey(key), option.WithMaxRetries(2))}
	c.resp = &tool.Responder{Tools: cfg.Tools, Syntax: cfg.Inline, Timeout: cfg.CallTimeout, Counts: cfg.Counts}
	for _, name := range sortedTools(cfg.Tools) {
		t := cfg.Tools[name]
		c.defs = append(c.defs, oa.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name: name, Description: oa.String(t.Description()),
			Parameters: shared.FunctionParameters{"type": "object", "required": []string{t.Param()},
				"properties": map[string]any{t.Param(): map[string]any{"type": "string"}}},
		}))
	}
	return c, nil
}

// Run continues msgs until the assistant answers without a call or MaxTurns turns are taken. A
// call comes from the reply's tool_calls, or else from its content in the Inline syntax; each is
// answered with a tool message (the tool's output, or "error: …" for a bad call, a tool error or
// a timeout). An error means the server could not be used or the context ended.
func (c *ToolChat) Run(ctx context.Context, msgs []ChatMessage) (Conversation, error) {
	conv := Conversation{Messages: append([]ChatMessage{}, msgs...)}
	for conv.Turns < c.cfg.MaxTurns {
		msg, err := c.complete(ctx, conv.Messages)
		if err != nil {
			return conv, err
		}
		conv.Turns++
		conv.Final = msg.Content
		var calls []tool.Call
		for _, tc := range msg.ToolCalls {
			calls = append(calls, tool.Resolve(tc.Name, json.RawMessage(tc.Arguments), c.cfg.Tools))
		}
		if len(calls) == 0 { // no tool-call parser on the server: read the call from the text
			if call, ok := c.cfg.Inline.Last(msg.Content, c.cfg.Tools); ok {
				args, _ := json.Marshal(map[string]string{c.param(call.Name): call.Input})
				msg.ToolCalls = []ToolCall{{ID: fmt.Sprintf("call_inline_%d", conv.Turns), Name: call.Name, Arguments: string(args), Inline: true}}
				calls = []tool.Call{call}
			}
		}
		conv.Messages = append(conv.Messages, msg)
		if len(calls) == 0 {
			return conv, nil
		}
		for i, tc := range msg.ToolCalls {
			out, err := c.resp.Run(ctx, calls[i])
			if ctx.Err() != nil {
				return conv, ctx.Err()
			}
			conv.Calls++
			if err != nil {
				conv.Errors++
				out = "error: " + err.Error()
			}
			conv.Messages = append(conv.Messages, ChatMessage{Role: "tool", Content: out, ToolCallID: tc.ID})
		}
	}
	return conv, nil
}

// param is the argument name of a tool ("" for an unknown one).
func (c *ToolChat) param(name string) string {
	if t, ok := c.cfg.Tools[name]; ok {
		return t.Param()
	}
	return ""
}

// complete sends one request and returns the assistant's message.
func (c *ToolChat) complete(ctx context.Context, msgs []ChatMessage) (ChatMessage, error) {
	params := oa.ChatCompletionNewParams{Model: c.cfg.Model, Temperature: oa.Float(c.cfg.Temperature), Tools: c.defs}
	if c.cfg.MaxTokens > 0 {
		params.MaxTokens = oa.Int(int64(c.cfg.MaxTokens))
	}
	for i, m := range msgs {
		switch m.Role {
		case "system":
			params.Messages = append(params.Messages, oa.SystemMessage(m.Content))
		case "user":
			params.Messages = append(params.Messages, oa.UserMessage(m.Content))
		case "tool":
			params.Messages = append(params.Messages, oa.ToolMessage(m.Content, m.ToolCallID))
		case "assistant":
			a := oa.ChatCompletionAssistantMessageParam{}
			a.Content.OfString = oa.String(m.Content)
			for _, tc := range m.ToolCalls {
				a.ToolCalls = append(a.ToolCalls, oa.ChatCompletionMessageToolCallUnionParam{OfFunction: &oa.ChatCompletionMessageFunctionToolCallParam{
					ID: tc.ID, Function: oa.ChatCompletionMessageFunctionToolCallFunctionParam{Name: tc.Name, Arguments: tc.Arguments}}})
			}
			params.Messages = append(params.Messages, oa.ChatCompletionMessageParamUnion{OfAssistant: &a})
		default:
			return ChatMessage{}, fmt.Errorf("tool chat: message %d has role %q; known: system, user, assistant, tool", i, m.Role)
		}
	}
	cctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	resp, err := c.oa.Chat.Completions.New(cctx, params)
	if err != nil {
		var apiErr *oa.Error
		if errors.As(err, &apiErr) && apiErr.Message != "" {
			return ChatMessage{}, fmt.Errorf("tool chat: %s: %w, server says: %s", c.cfg.Endpoint, err, apiErr.Message)
		}
		return ChatMessage{}, fmt.Errorf("tool chat: %s: %w", c.cfg.Endpoint, err)
	}
	if len(resp.Choices) == 0 {
		return ChatMessage{}, fmt.Errorf("tool chat: %s: reply has no choices", c.cfg.Endpoint)
	}
	m := resp.Choices[0].Message
	out := ChatMessage{Role: "assistant", Content: m.Content}
	for _, tc := range m.ToolCalls {
		if tc.Type != "" && tc.Type != "function" {
			return ChatMessage{}, fmt.Errorf("tool chat: %s: tool call of type %q; only function calls are supported", c.cfg.Endpoint, tc.Type)
		}
		out.ToolCalls = append(out.ToolCalls, ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
	}
	return out, nil
}

// sortedTools returns the tool names in order (a stable tools list in every request).
func sortedTools(m map[string]tool.Tool) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
