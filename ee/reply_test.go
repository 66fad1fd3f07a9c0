package ee

import (
	"testing"
)

func TestParseReplyLocatesSpansAndCountsWhatItDrops(t *testing.T) {
	ont, err := NewOntology([]Type{{Name: "Justice.Arrest", Roles: []Role{{Name: "agent"}, {Name: "detainee"}}}})
	if err != nil {
		t.Fatal(err)
	}
	text := "Police arrested Ann, and police later arrested Bo."
	cases := []struct {
		name, reply string
		events      int
		args        int
		drops       Drops
		err         bool
	}{
		{"spans found once are located", `[{"type": "Justice.Arrest", "trigger": {"text": "arrested", "start": 7}, "arguments": [{"role": "detainee", "text": "Ann"}]}]`, 1, 1, Drops{}, false},
		{"a repeated text without an offset is ambiguous", `[{"type": "Justice.Arrest", "trigger": "arrested", "arguments": []}]`, 0, 0, Drops{Ambiguous: 1}, false},
		{"a wrong offset is dropped", `[{"type": "Justice.Arrest", "trigger": {"text": "arrested", "start": 8}, "arguments": []}]`, 0, 0, Drops{BadOffset: 1}, false},
		{"unknown types and roles are dropped", `[{"type": "Life.Die", "trigger": "Bo"}, {"type": "Justice.Arrest", "trigger": {"text": "arrested", "start": 38}, "arguments": [{"role": "weapon", "text": "Bo"}, {"role": "detainee", "text": "Bo"}]}]`, 1, 1, Drops{UnknownType: 1, UnknownRole: 1}, false},
		{"a text not in the sentence is dropped", "```json\n{\"events\": [{\"type\": \"Justice.Arrest\", \"trigger\": \"jailed\"}]}\n```", 0, 0, Drops{SpanNotFound: 1}, false},
		{"prose without JSON is an error", "Someone was arrested.", 0, 0, Drops{}, true},
		{"JSON of the wrong shape is an error", `{"type": 3}`, 0, 0, Drops{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			evs, d, err := ParseReply(tc.reply, text, ont)
			if (err != nil) != tc.err {
				t.Fatalf("error %v, want error %v", err, tc.err)
			}
			args := 0
			for _, e := range evs {
				args += len(e.Arguments)
				s := Sentence{ID: "x", Text: text, Events: []Event{e}}
				if err := s.Validate(ont); err != nil {
					t.Errorf("a located event does not validate: %v", err)
				}
			}
			if len(evs) != tc.events || args != tc.args || d != tc.drops {
				t.Fatalf("%d events, %d arguments, drops %+v; want %d, %d, %+v", len(evs), args, d, tc.events, tc.args, tc.drops)
			}
		})
	}
}
