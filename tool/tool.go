// Package tool is what a policy may call between its turns: a calculator with exact rational
// arithmetic and Python run in the sandbox, looked up by name, a call syntax the policy writes
// (Tiny's `\calc{...}` for the character tokenizer, Hermes/Qwen `<tool_call>{json}</tool_call>` for
// real tokenizers), and the rollout.Tool that runs the calls a trajectory makes and inserts their
// results as tokens masked out of the loss (docs/tools.md).
//
//	ascent train --preset tools                     # SFT then RL on toolarith with the calculator
//	ascent train --set rollout.tools=[calc,python] --set rollout.max_turns=4 ...
//
// A tool's failure (a bad expression, a timeout, a sandbox error) is not an error of the rollout:
// it is returned to the policy as text and counted (Counts); only a context that ended stops it.
package tool

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ascent-rl/ascent/internal/registry"
	"github.com/ascent-rl/ascent/sandbox"
)

// Tool runs one call. The argument is a single string (the calculator's expression, the Python
// program); in the OpenAI and Hermes JSON forms it is the argument named Param.
type Tool interface {
	// Name is the registry name, which is also the name the policy calls it by.
	Name() string
	// Description is the one line an OpenAI tools list shows the model.
	Description() string
	// Param is the name of the tool's one string argument in the JSON forms ("expression", "code").
	Param() string
	// Call runs the tool on input. An error is the tool's answer to a bad call (shown to the policy
	// as text and counted), not a failure of the rollout.
	Call(ctx context.Context, input string) (string, error)
}

// Options configure the tools a Factory builds.
type Options struct {
	// Sandbox runs the Python tool (nil: sandbox.New(sandbox.Config{}) on first use of the factory).
	Sandbox *sandbox.Sandbox
	// Limits bound each Python run (zero: sandbox.DefaultLimits with a 5 s wall clock, 2 CPU seconds).
	Limits sandbox.Limits
}

// Factory builds a tool.
type Factory func(Options) (Tool, error)

var tools = registry.New[Factory]("tool", "tool")

// Register adds a tool factory under name (called from init).
func Register(name string, f Factory) { tools.Register(name, f) }

// Names lists the registered tools, sorted.
func Names() []string { return tools.Names() }

// New builds the named tools; an unknown or repeated name is an error listing the valid ones.
func New(names []string, opt Options) (map[string]Tool, error) {
	out := make(map[string]Tool, len(names))
	for _, n := range names {
		if _, dup := out[n]; dup {
			return nil, fmt.Errorf("tool: %q listed twice", n)
		}
		f, err := tools.Lookup(n)
		if err != nil {
			return nil, err
		}
		t, err := f(opt)
		if err != nil {
			return nil, fmt.Errorf("tool %s: %w", n, err)
		}
		out[n] = t
	}
	return out, nil
}

// sortedNames returns the keys of set, sorted.
func sortedNames(set map[string]Tool) []string {
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// oneLine flattens s to one line of at most n bytes (for error texts shown to the policy).
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n]
	}
	return s
}
