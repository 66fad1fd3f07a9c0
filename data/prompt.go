package data

import (
	"slices"
	"strings"
)

// JustRLSuffix is the instruction JustRL (and verl's `use_boxed_suffix_prompt`) appends to every
// training problem, as a single user turn (spec/algorithms.md §3.2).
const JustRLSuffix = "\n\nPlease reason step by step, and put your final answer within \\boxed{}."

// JustRLPrompt returns problem with JustRLSuffix appended.
func JustRLPrompt(problem string) string { return problem + JustRLSuffix }

// WithSuffix returns a copy of ex whose last user turn and PromptText end with suffix. When the
// prompt has no user turn, a user turn holding only the suffix is added.
func WithSuffix(ex Example, suffix string) Example {
	ex.Prompt = slices.Clone(ex.Prompt)
	last := -1
	for k := len(ex.Prompt) - 1; k >= 0; k-- {
		if ex.Prompt[k].Role == "user" {
			last = k
			break
		}
	}
	if last < 0 {
		ex.Prompt = append(ex.Prompt, Message{Role: "user", Content: suffix})
	} else {
		ex.Prompt[last].Content += suffix
	}
	ex.PromptText += suffix
	return ex
}

// WithSuffixAll applies WithSuffix to every example of d in place and returns d.
func WithSuffixAll(d *Dataset, suffix string) *Dataset {
	for k := range d.Examples {
		d.Examples[k] = WithSuffix(d.Examples[k], suffix)
	}
	return d
}

// ResolveSuffix is the prompt suffix a config names: "justrl" (any case) is JustRLSuffix, anything
// else is itself.
func ResolveSuffix(s string) string {
	if strings.EqualFold(s, "justrl") {
		return JustRLSuffix
	}
	return s
}
