package data

import (
	"fmt"
	"strings"
)

// Charset is every character that the built-in tasks (arith, countdown) put in PromptText and
// Demonstration (and arith in GroundTruth): digits, the operators + - * / = ( ), space, newline,
// and the characters of `\boxed{}`. A character tokenizer for the tiny default model must cover
// it. (Countdown's GroundTruth is JSON for the verifier; the model never sees it.)
const Charset = "0123456789+-*/=() \n\\{}bdeox"

// Message is one turn of a chat prompt, as in verl's `prompt` column.
type Message struct {
	// Role is "system", "user" or "assistant".
	Role string `json:"role"`
	// Content is the text of the turn.
	Content string `json:"content"`
}

// Example is one prompt row as the trainer consumes it, in verl's shape: the reward registry calls
// compute_score(DataSource, response, GroundTruth, ExtraInfo).
type Example struct {
	// ID identifies the row stably: a file's `id` field, "<file>:<index>", or for built-in tasks
	// "<task>-<split>-<seed>-<index>".
	ID string `json:"id"`
	// Prompt is the chat list (verl `prompt`) for models with a chat template.
	Prompt []Message `json:"prompt"`
	// PromptText is the plain prompt for tiny models without a chat template: for built-in tasks a
	// compact string within Charset (e.g. "3+4*2="); for files the content of the last user turn.
	PromptText string `json:"prompt_text"`
	// GroundTruth is verl's reward_model.ground_truth: the reference answer string the verifier for
	// DataSource compares against (for countdown a JSON object with numbers and target).
	GroundTruth string `json:"ground_truth"`
	// DataSource names the verifier in the reward registry (verl `data_source`), e.g. "ascent/arith".
	DataSource string `json:"data_source"`
	// Demonstration is a worked solution ending in \boxed{answer}, for SFT warm-up and HPT; empty
	// when the source has none.
	Demonstration string `json:"demonstration,omitempty"`
	// ExtraInfo is verl's extra_info dict, passed to the verifier unchanged (split, index, task
	// parameters, and for files every unrecognised top-level field).
	ExtraInfo map[string]any `json:"extra_info,omitempty"`
}

// Key identifies the problem by what the model is shown (the plain prompt and every chat turn), so
// two examples with the same Key are the same problem whatever their IDs.
func (e Example) Key() string {
	key := e.PromptText
	for _, m := range e.Prompt {
		key += "\x00" + m.Role + "\x00" + m.Content
	}
	return key
}

// Split names a disjoint part of a built-in task's problem space.
type Split string

const (
	// SplitTrain is the training part: every problem whose key does not hash into the held-out buckets.
	SplitTrain Split = "train"
	// SplitTest is the held-out part: HeldOutPercent of the problem space, never generated for training.
	SplitTest Split = "test"
)

// HeldOutPercent is the share (in percent) of each built-in task's problem space reserved for
// SplitTest. It is fixed so that train and test stay disjoint across runs and versions.
const HeldOutPercent = 10

// SplitOf returns the split a problem belongs to, from its canonical key (for arith the expression,
// for countdown the sorted numbers and the target): FNV-1a(key) mod 100 < HeldOutPercent → test.
func SplitOf(key string) Split {
	if hashString(key)%100 < HeldOutPercent {
		return SplitTest
	}
	return SplitTrain
}

// validate returns an error unless s is a known split.
func (s Split) validate() error {
	if s != SplitTrain && s != SplitTest {
		return fmt.Errorf("data: unknown split %q; known: %s, %s", string(s), SplitTrain, SplitTest)
	}
	return nil
}

// Source is a finite, indexable set of examples: a loaded file (Dataset) or a window of a built-in
// task (TaskSource). The Sampler draws from a Source.
type Source interface {
	// Len is the number of examples.
	Len() int
	// At returns example i, 0 <= i < Len().
	At(i int) (Example, error)
}

// Dataset is a Source held in memory, e.g. a loaded JSONL or parquet file.
type Dataset struct {
	// Name describes where the examples came from (a file path or task name).
	Name string
	// Examples are the rows in file order.
	Examples []Example
}

// Len returns the number of examples.
func (d *Dataset) Len() int { return len(d.Examples) }

// At returns example i or an error naming the dataset when i is out of range.
func (d *Dataset) At(i int) (Example, error) {
	if i < 0 || i >= len(d.Examples) {
		return Example{}, fmt.Errorf("data: %s: index %d out of range [0, %d)", d.Name, i, len(d.Examples))
	}
	return d.Examples[i], nil
}

// Materialize reads every example of src into a Dataset (useful to pre-generate a task once).
func Materialize(name string, src Source) (*Dataset, error) {
	d := &Dataset{Name: name, Examples: make([]Example, 0, src.Len())}
	for i := 0; i < src.Len(); i++ {
		ex, err := src.At(i)
		if err != nil {
			return nil, fmt.Errorf("data: materialize %s: %w", name, err)
		}
		d.Examples = append(d.Examples, ex)
	}
	return d, nil
}

// lastUserContent returns the content of the last user turn of msgs ("" if there is none).
func lastUserContent(msgs []Message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == "user" {
			return msgs[i].Content
		}
	}
	return ""
}

// inCharset reports the first character of s outside Charset, if any.
func inCharset(s string) (rune, bool) {
	for _, c := range s {
		if !strings.ContainsRune(Charset, c) {
			return c, false
		}
	}
	return 0, true
}
