package ee

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Span is a piece of a sentence: its text and character (rune) offsets, end exclusive.
type Span struct {
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// Argument is a span filling a role of an event.
type Argument struct {
	Role  string `json:"role"`
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// Span returns the argument's span.
func (a Argument) Span() Span { return Span{Text: a.Text, Start: a.Start, End: a.End} }

// Event is one event mention: its type, trigger and arguments.
type Event struct {
	Type      string     `json:"type"`
	Trigger   Span       `json:"trigger"`
	Arguments []Argument `json:"arguments"`
}

// Sentence is an annotated (or predicted) sentence.
type Sentence struct {
	ID     string  `json:"id"`
	Text   string  `json:"text,omitempty"`
	Events []Event `json:"events"`
}

// checkSpan reports a span whose offsets do not select its text in the sentence.
func checkSpan(text []rune, s Span) error {
	if s.Start < 0 || s.End > len(text) || s.Start >= s.End {
		return fmt.Errorf("offsets [%d, %d) outside the sentence of %d characters", s.Start, s.End, len(text))
	}
	if got := string(text[s.Start:s.End]); got != s.Text {
		return fmt.Errorf("offsets [%d, %d) select %q, not %q", s.Start, s.End, got, s.Text)
	}
	return nil
}

// Validate checks every trigger and argument against the text and, when ont is non-nil, every
// type and role against the ontology. The error names the event and field.
func (s *Sentence) Validate(ont *Ontology) error {
	text := []rune(s.Text)
	for i, e := range s.Events {
		where := fmt.Sprintf("events[%d]", i)
		if ont != nil {
			t := ont.Lookup(e.Type)
			if t == nil {
				return fmt.Errorf("%s.type %q is not in the ontology", where, e.Type)
			}
			for j, a := range e.Arguments {
				if !t.HasRole(a.Role) {
					return fmt.Errorf("%s.arguments[%d].role %q is not a role of %s", where, j, a.Role, e.Type)
				}
			}
		}
		if err := checkSpan(text, e.Trigger); err != nil {
			return fmt.Errorf("%s.trigger: %w", where, err)
		}
		for j, a := range e.Arguments {
			if err := checkSpan(text, a.Span()); err != nil {
				return fmt.Errorf("%s.arguments[%d]: %w", where, j, err)
			}
		}
	}
	return nil
}

// LoadSentences reads a sentence JSONL file, validating offsets (and types and roles when ont is
// non-nil); errors name the file, line and field.
func LoadSentences(path string, ont *Ontology) ([]Sentence, error) {
	var out []Sentence
	seen := map[string]int{}
	err := readJSONL(path, func(line int, raw []byte) error {
		var s Sentence
		if err := strictUnmarshal(raw, &s); err != nil {
			return err
		}
		if s.ID == "" {
			return fmt.Errorf("empty \"id\"")
		}
		if prev, dup := seen[s.ID]; dup {
			return fmt.Errorf("id %q already on line %d", s.ID, prev)
		}
		seen[s.ID] = line
		if err := s.Validate(ont); err != nil {
			return fmt.Errorf("%s: %w", s.ID, err)
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// SortEvents orders events by (trigger start, end, type) and their arguments by (start, end,
// role), the files' canonical order.
func SortEvents(evs []Event) {
	sort.Slice(evs, func(i, j int) bool {
		a, b := evs[i].Trigger, evs[j].Trigger
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		if a.End != b.End {
			return a.End < b.End
		}
		return evs[i].Type < evs[j].Type
	})
	for _, e := range evs {
		sort.Slice(e.Arguments, func(i, j int) bool {
			a, b := e.Arguments[i], e.Arguments[j]
			if a.Start != b.Start {
				return a.Start < b.Start
			}
			if a.End != b.End {
				return a.End < b.End
			}
			return a.Role < b.Role
		})
	}
}

// MarshalJSON writes a nil event list as [] (a sentence with no events is not "null").
func (s Sentence) MarshalJSON() ([]byte, error) {
	type plain Sentence
	if s.Events == nil {
		s.Events = []Event{}
	}
	return json.Marshal(plain(s))
}
