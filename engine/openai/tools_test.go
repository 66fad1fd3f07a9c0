package openai_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/agent/agenttest"
	"github.com/ascent-rl/ascent/engine/openai"
	"github.com/ascent-rl/ascent/serve"
	"github.com/ascent-rl/ascent/tool"
)

// newChat is a ToolChat with the calculator against url.
func newChat(t *testing.T, url string, counts *tool.Counts) *openai.ToolChat {
	t.Helper()
	c, err := openai.NewToolChat(openai.ToolChatConfig{Endpoint: url, Model: "policy",
		Tools: map[string]tool.Tool{"calc": tool.Calc{}}, MaxTurns: 3, MaxTokens: 64, Counts: counts})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestToolChatAnswersToolCallsWithToolMessages(t *testing.T) {
	srv := agenttest.New(func(n int, c agenttest.Call) agenttest.Answer {
		switch n {
		case 0:
			return agenttest.Answer{ToolCalls: []agenttest.ToolCall{{ID: "call_a", Name: "calc", Arguments: `{"expression":"4821*937"}`}}}
		case 1:
			return agenttest.Answer{ToolCalls: []agenttest.ToolCall{{ID: "call_b", Name: "calc", Arguments: `{"expr":"1"}`}}}
		default:
			return agenttest.Answer{Content: `\boxed{4517277}`}
		}
	}, "policy")
	defer srv.Close()
	var counts tool.Counts
	conv, err := newChat(t, srv.URL, &counts).Run(context.Background(), []openai.ChatMessage{{Role: "user", Content: "Calculate 4821*937."}})
	if err != nil {
		t.Fatal(err)
	}
	if conv.Final != `\boxed{4517277}` || conv.Turns != 3 || conv.Calls != 2 || conv.Errors != 1 {
		t.Fatalf("conversation: final %q, %d turns, %d calls, %d errors; want the boxed answer, 3, 2, 1", conv.Final, conv.Turns, conv.Calls, conv.Errors)
	}
	if got := conv.Messages[2]; got.Role != "tool" || got.Content != "4517277" || got.ToolCallID != "call_a" {
		t.Fatalf("first tool message %+v", got)
	}
	if got := conv.Messages[4]; got.Role != "tool" || !strings.Contains(got.Content, `error: tool calc needs a string argument "expression"`) {
		t.Fatalf("second tool message %+v", got)
	}
	if e := counts.Errors.Load(); e != 1 {
		t.Fatalf("%d errors counted, want 1", e)
	}
	// What went over the wire: the tools list, the assistant's tool_calls and the tool message.
	calls := srv.Calls()
	var body struct {
		Tools []struct {
			Type     string `json:"type"`
			Function struct {
				Name       string         `json:"name"`
				Parameters map[string]any `json:"parameters"`
			} `json:"function"`
		} `json:"tools"`
		Messages []struct {
			Role       string `json:"role"`
			ToolCallID string `json:"tool_call_id"`
			ToolCalls  []struct {
				ID       string `json:"id"`
				Function struct{ Name, Arguments string }
			} `json:"tool_calls"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(calls[1].Body, &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Tools) != 1 || body.Tools[0].Type != "function" || body.Tools[0].Function.Name != "calc" || body.Tools[0].Function.Parameters["required"] == nil {
		t.Fatalf("tools sent: %+v", body.Tools)
	}
	if m := body.Messages; len(m) != 3 || m[1].Role != "assistant" || len(m[1].ToolCalls) != 1 || m[1].ToolCalls[0].ID != "call_a" ||
		m[1].ToolCalls[0].Function.Arguments != `{"expression":"4821*937"}` || m[2].Role != "tool" || m[2].ToolCallID != "call_a" {
		t.Fatalf("second request's messages: %+v", m)
	}
}

func TestToolChatReadsCallsFromTheContentWithoutAToolParser(t *testing.T) {
	srv := agenttest.New(func(n int, c agenttest.Call) agenttest.Answer {
		if n == 0 {
			return agenttest.Answer{Content: "Let me compute.\n<tool_call>\n{\"name\": \"calc\", \"arguments\": {\"expression\": \"1/0\"}}\n</tool_call>"}
		}
		return agenttest.Answer{Content: "It is undefined."}
	}, "policy")
	defer srv.Close()
	conv, err := newChat(t, srv.URL, nil).Run(context.Background(), []openai.ChatMessage{{Role: "user", Content: "1/0?"}})
	if err != nil {
		t.Fatal(err)
	}
	if conv.Calls != 1 || conv.Errors != 1 || conv.Messages[2].Content != "error: division by zero" {
		t.Fatalf("conversation %+v", conv)
	}
	if tc := conv.Messages[1].ToolCalls; len(tc) != 1 || !tc[0].Inline || tc[0].Arguments != `{"expression":"1/0"}` {
		t.Fatalf("inline call recorded as %+v", tc)
	}
}

func TestToolChatFailsClearlyOnAServerError(t *testing.T) {
	srv := agenttest.New(func(int, agenttest.Call) agenttest.Answer { return agenttest.Answer{Status: 400} }, "policy")
	defer srv.Close()
	_, err := newChat(t, srv.URL, nil).Run(context.Background(), []openai.ChatMessage{{Role: "user", Content: "hi"}})
	if err == nil || !strings.Contains(err.Error(), srv.URL) {
		t.Fatalf("err = %v, want one naming the endpoint", err)
	}
}

// TestToolChatAgainstAscentServe runs the workflow end to end against `ascent serve` of the tiny
// model: the server accepts the tools list, an assistant message with tool_calls and a tool
// message, and the conversation ends on the model's (nonsense) reply.
func TestToolChatAgainstAscentServe(t *testing.T) {
	url := agenttest.ServeTiny(t)
	c, err := openai.NewToolChat(openai.ToolChatConfig{Endpoint: url, Model: serve.BuiltinTiny,
		Tools: map[string]tool.Tool{"calc": tool.Calc{}}, MaxTurns: 2, MaxTokens: 16})
	if err != nil {
		t.Fatal(err)
	}
	history := []openai.ChatMessage{
		{Role: "user", Content: "Calculate 4821*937."},
		{Role: "assistant", ToolCalls: []openai.ToolCall{{ID: "call_1", Name: "calc", Arguments: `{"expression":"4821*937"}`}}},
		{Role: "tool", Content: "4517277", ToolCallID: "call_1"},
	}
	conv, err := c.Run(context.Background(), history)
	if err != nil {
		t.Fatal(err)
	}
	if conv.Turns < 1 || len(conv.Messages) < 4 || conv.Messages[3].Role != "assistant" {
		t.Fatalf("conversation %+v", conv)
	}
}
