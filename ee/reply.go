package ee

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Drops count what ParseReply left out of a model's reply, by reason: nothing is guessed.
type Drops struct {
	SpanNotFound int `json:"span_not_found"` // a trigger or argument text that is not in the sentence
	Ambiguous    int `json:"ambiguous"`      // a text found more than once with no offset to choose
	BadOffset    int `json:"bad_offset"`     // an offset given that does not select the text
	UnknownType  int `json:"unknown_type"`   // a type not among the allowed ones
	UnknownRole  int `json:"unknown_role"`   // a role not in its type's schema
}

// Total is the number of dropped items.
func (d Drops) Total() int {
	return d.SpanNotFound + d.Ambiguous + d.BadOffset + d.UnknownType + d.UnknownRole
}

// replySpan is a span in a reply: a bare string, or {"text", "start"}.
type replySpan struct {
	Text  string
	Start *int
}

func (s *replySpan) UnmarshalJSON(b []byte) error {
	if json.Unmarshal(b, &s.Text) == nil {
		return nil
	}
	var obj struct {
		Text  string `json:"text"`
		Start *int   `json:"start"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return fmt.Errorf("a span is a string or {\"text\", \"start\"}: %w", err)
	}
	s.Text, s.Start = obj.Text, obj.Start
	return nil
}

type replyEvent struct {
	Type      string      `json:"type"`
	Trigger   replySpan   `json:"trigger"`
	Arguments []replyArgu `json:"arguments"`
}

type replyArgu struct {
	Role string `json:"role"`
	replySpan
}

func (a *replyArgu) UnmarshalJSON(b []byte) error {
	var obj struct {
		Role  string `json:"role"`
		Text  string `json:"text"`
		Start *int   `json:"start"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	a.Role, a.Text, a.Start = obj.Role, obj.Text, obj.Start
	return nil
}

var jsonFence = regexp.MustCompile("(?s)```(?:json)?\\s*\\n(.*?)```")

// replyJSON finds the JSON in a model reply: its last fenced block, else from the first '[' or
// '{' to the matching last bracket.
func replyJSON(reply string) string {
	if m := jsonFence.FindAllStringSubmatch(reply, -1); len(m) > 0 {
		return strings.TrimSpace(m[len(m)-1][1])
	}
	start := strings.IndexAny(reply, "[{")
	if start < 0 {
		return ""
	}
	closer := "]"
	if reply[start] == '{' {
		closer = "}"
	}
	end := strings.LastIndex(reply, closer)
	if end < start {
		return ""
	}
	return reply[start : end+1]
}

// ParseReply reads a model's events from its reply — a JSON list of {"type", "trigger",
// "arguments": [{"role", "text"}]} (or {"events": [...]}), spans as strings or {"text",
// "start"} — and locates every span in text. A span given with an offset must select its text; one
// without must occur exactly once. Anything that fails is dropped and counted, never guessed.
// When ont is non-nil, types outside it and roles outside their type are dropped too. The error is
// non-nil only when the reply holds no parsable JSON.
func ParseReply(reply, text string, ont *Ontology) ([]Event, Drops, error) {
	evs, err := decodeList[replyEvent](reply, "events")
	if err != nil {
		return nil, Drops{}, err
	}
	runes := []rune(text)
	var d Drops
	var out []Event
	for _, re := range evs {
		var typ *Type
		if ont != nil {
			if typ = ont.Lookup(re.Type); typ == nil {
				d.UnknownType++
				continue
			}
		}
		trig, ok := locate(runes, re.Trigger, &d)
		if !ok {
			continue
		}
		e := Event{Type: re.Type, Trigger: trig, Arguments: []Argument{}}
		for _, ra := range re.Arguments {
			if typ != nil && !typ.HasRole(ra.Role) {
				d.UnknownRole++
				continue
			}
			sp, ok := locate(runes, ra.replySpan, &d)
			if !ok {
				continue
			}
			e.Arguments = append(e.Arguments, Argument{Role: ra.Role, Text: sp.Text, Start: sp.Start, End: sp.End})
		}
		out = append(out, e)
	}
	SortEvents(out)
	return out, d, nil
}

// decodeList finds the JSON in a reply and decodes it as a list, bare or as {key: [...]}.
func decodeList[T any](reply, key string) ([]T, error) {
	raw := replyJSON(reply)
	if raw == "" {
		return nil, fmt.Errorf("the reply holds no JSON")
	}
	var list []T
	err := json.Unmarshal([]byte(raw), &list)
	if err == nil {
		return list, nil
	}
	var wrapped map[string]json.RawMessage
	if json.Unmarshal([]byte(raw), &wrapped) == nil && wrapped[key] != nil {
		if err2 := json.Unmarshal(wrapped[key], &list); err2 == nil && list != nil {
			return list, nil
		}
	}
	return nil, fmt.Errorf("the reply's JSON is not a list of %s: %w", key, err)
}

// locate finds a reply span in the sentence.
func locate(text []rune, s replySpan, d *Drops) (Span, bool) {
	want := []rune(s.Text)
	if len(want) == 0 {
		d.SpanNotFound++
		return Span{}, false
	}
	if s.Start != nil {
		sp := Span{Text: s.Text, Start: *s.Start, End: *s.Start + len(want)}
		if checkSpan(text, sp) != nil {
			d.BadOffset++
			return Span{}, false
		}
		return sp, true
	}
	found := -1
	for i := 0; i+len(want) <= len(text); i++ {
		if string(text[i:i+len(want)]) == s.Text {
			if found >= 0 {
				d.Ambiguous++
				return Span{}, false
			}
			found = i
		}
	}
	if found < 0 {
		d.SpanNotFound++
		return Span{}, false
	}
	return Span{Text: s.Text, Start: found, End: found + len(want)}, true
}
