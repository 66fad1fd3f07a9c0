package serve

import (
	"encoding/json"
	"fmt"
	"strings"
)

// toolParams are the OpenAI function-calling fields of a chat request. The served chat templates
// (chatml, qwen3) leave the tool schemas out of the prompt, as Ascent's qwen3 template does: a
// model trained on a call syntax (docs/tools.md) calls its tools without them. The fields are
// checked, not ignored silently: a malformed list is a 400 naming the field. Replies carry the
// model's text; clients read calls from it (engine/openai.ToolChat does).
type toolParams struct {
	Tools             []chatTool      `json:"tools"`
	ToolChoice        json.RawMessage `json:"tool_choice"`
	ParallelToolCalls *bool           `json:"parallel_tool_calls"`
}

// chatTool is one entry of `tools`.
type chatTool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
		Strict      *bool           `json:"strict"`
	} `json:"function"`
}

// chatToolCall is one entry of an assistant message's `tool_calls`.
type chatToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// check validates the tool fields.
func (p toolParams) check() error {
	for i, t := range p.Tools {
		if t.Type != "function" {
			return errorf(fmt.Sprintf("tools[%d].type", i), "tools[%d].type = %q; only \"function\" tools are supported", i, t.Type)
		}
		if t.Function.Name == "" {
			return errorf(fmt.Sprintf("tools[%d].function.name", i), "tools[%d].function.name is required", i)
		}
	}
	if len(p.ToolChoice) > 0 {
		var s string
		if json.Unmarshal(p.ToolChoice, &s) == nil && s != "none" && s != "auto" && s != "required" {
			return errorf("tool_choice", "tool_choice = %q; expected none, auto, required or a function object", s)
		}
	}
	return nil
}

// renderToolCalls writes an assistant message's calls as the Qwen templates render them:
// "\n<tool_call>\n{"name": …, "arguments": …}\n</tool_call>" per call.
func renderToolCalls(msg int, calls []chatToolCall) (string, error) {
	var sb strings.Builder
	for j, c := range calls {
		field := fmt.Sprintf("messages[%d].tool_calls[%d]", msg, j)
		if c.Function.Name == "" {
			return "", errorf(field+".function.name", "%s.function.name is required", field)
		}
		args := json.RawMessage(c.Function.Arguments)
		if !json.Valid(args) {
			return "", errorf(field+".function.arguments", "%s.function.arguments is not valid JSON", field)
		}
		b, err := json.Marshal(struct {
			Name      string          `json:"name"`
			Arguments json.RawMessage `json:"arguments"`
		}{c.Function.Name, args})
		if err != nil {
			return "", errorf(field, "%s: %v", field, err)
		}
		sb.WriteString("\n<tool_call>\n" + string(b) + "\n</tool_call>")
	}
	return sb.String(), nil
}
