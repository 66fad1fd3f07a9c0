package tool

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ascent-rl/ascent/internal/registry"
)

// Call is one tool call the policy wrote.
type Call struct {
	Name  string // the tool called
	Input string // its one argument
	// Bad, when not empty, says why the call cannot run (not valid JSON, an unknown tool, a missing
	// argument); it is answered as a tool error.
	Bad string
}

// Syntax is how a policy writes a call and how the answer is written back.
type Syntax interface {
	// Name is the registry name ("tiny", "hermes").
	Name() string
	// Closer is the text every call ends with; a turn stops at its last token.
	Closer() string
	// Last returns the call that text (one policy turn) ends with; false when it ends otherwise
	// (a final answer, EOS, the length limit).
	Last(text string, tools map[string]Tool) (Call, bool)
	// Reply is the text inserted after a call: the tool's output, or its error when err is set.
	Reply(out string, err error) string
	// Format writes a call of t on input, as a demonstration shows it.
	Format(t Tool, input string) string
}

var syntaxes = registry.New[Syntax]("tool", "call syntax")

func init() {
	syntaxes.Register("tiny", Tiny{})
	syntaxes.Register("hermes", Hermes{})
}

// LookupSyntax returns the named syntax, or an error listing the valid names.
func LookupSyntax(name string) (Syntax, error) { return syntaxes.Lookup(name) }

// Tiny is the syntax of the built-in character tokenizer, whose alphabet has no < > or quotes:
// the policy writes `\calc{12*34}` and the answer is inserted as `=408` (an error as
// `=error: division by zero`). The argument cannot contain `}`: the turn stops at the first one.
type Tiny struct{}

// Name returns "tiny".
func (Tiny) Name() string { return "tiny" }

// Closer returns "}".
func (Tiny) Closer() string { return "}" }

// Last finds `\NAME{INPUT}` at the end of text for a tool NAME of tools (`\boxed{...}` and other
// commands are not calls).
func (Tiny) Last(text string, tools map[string]Tool) (Call, bool) {
	if !strings.HasSuffix(text, "}") {
		return Call{}, false
	}
	open := strings.LastIndexByte(text, '{')
	if open < 0 {
		return Call{}, false
	}
	slash := strings.LastIndexByte(text[:open], '\\')
	if slash < 0 {
		return Call{}, false
	}
	name := text[slash+1 : open]
	if _, ok := tools[name]; !ok {
		return Call{}, false
	}
	return Call{Name: name, Input: text[open+1 : len(text)-1]}, true
}

// Reply returns "=OUT" or "=error: MESSAGE".
func (Tiny) Reply(out string, err error) string {
	if err != nil {
		return "=error: " + oneLine(err.Error(), 80)
	}
	return "=" + out
}

// Format returns `\NAME{INPUT}`.
func (Tiny) Format(t Tool, input string) string { return `\` + t.Name() + "{" + input + "}" }

// Hermes is the Hermes/Qwen2.5 function-calling syntax: the policy writes
//
//	<tool_call>
//	{"name": "calc", "arguments": {"expression": "12*34"}}
//	</tool_call>
//
// and the answer is inserted as the Qwen chat template renders a tool message: the assistant turn
// closes, a user turn holds `<tool_response>\nOUT\n</tool_response>`, and a new assistant turn opens.
type Hermes struct{}

// The tags of the Hermes syntax.
const (
	hermesOpen  = "<tool_call>"
	hermesClose = "</tool_call>"
)

// Name returns "hermes".
func (Hermes) Name() string { return "hermes" }

// Closer returns "</tool_call>".
func (Hermes) Closer() string { return hermesClose }

// Last finds `<tool_call>{json}</tool_call>` at the end of text. "arguments" may be an object or a
// JSON string holding one (the OpenAI wire form).
func (Hermes) Last(text string, tools map[string]Tool) (Call, bool) {
	body, ok := strings.CutSuffix(strings.TrimRight(text, " \n"), hermesClose)
	if !ok {
		return Call{}, false
	}
	open := strings.LastIndex(body, hermesOpen)
	if open < 0 {
		return Call{Bad: "</tool_call> without <tool_call>"}, true
	}
	var c struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	}
	if err := json.Unmarshal([]byte(body[open+len(hermesOpen):]), &c); err != nil {
		return Call{Bad: "tool call is not valid JSON: " + err.Error()}, true
	}
	return Resolve(c.Name, c.Arguments, tools), true
}

// Resolve checks a JSON call's tool and reads its argument from raw, a JSON object or a JSON
// string holding one (OpenAI's tool_calls[].function.arguments); a problem is the call's Bad.
func Resolve(name string, raw json.RawMessage, tools map[string]Tool) Call {
	t, ok := tools[name]
	if !ok {
		return Call{Name: name, Bad: fmt.Sprintf("unknown tool %q; tools: %s", name, strings.Join(sortedNames(tools), ", "))}
	}
	var s string
	if json.Unmarshal(raw, &s) == nil { // OpenAI sends arguments as a JSON string
		raw = json.RawMessage(s)
	}
	var args map[string]any
	if err := json.Unmarshal(raw, &args); err != nil {
		return Call{Name: name, Bad: "arguments are not a JSON object: " + err.Error()}
	}
	v, ok := args[t.Param()].(string)
	if !ok {
		return Call{Name: name, Bad: fmt.Sprintf("tool %s needs a string argument %q", name, t.Param())}
	}
	return Call{Name: name, Input: v}
}

// Reply closes the assistant turn and answers in a user turn's <tool_response>, as Qwen2.5's chat
// template renders a tool message, then opens the next assistant turn.
func (Hermes) Reply(out string, err error) string {
	if err != nil {
		out = "error: " + oneLine(err.Error(), 200)
	}
	return "<|im_end|>\n<|im_start|>user\n<tool_response>\n" + out + "\n</tool_response><|im_end|>\n<|im_start|>assistant\n"
}

// Format returns the <tool_call> block.
func (Hermes) Format(t Tool, input string) string {
	b, _ := json.Marshal(map[string]any{"name": t.Name(), "arguments": map[string]string{t.Param(): input}})
	return hermesOpen + "\n" + string(b) + "\n" + hermesClose
}
