package ee

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadGLENComputesCharacterOffsetsFromTokens(t *testing.T) {
	good := `[{"id": "propbank_1", "document": "propbank_1", "s_id": 0, "domain": "propbank",
	  "sentence": "The  company  laid off 300 workers .",
	  "events": [{"trigger": ["laid", "off"], "offset": [2, 3], "pb_roleset": "lay_off.02", "candidate_nodes": ["DWD_Q1", "DWD_Q2"], "xpo_label": "DWD_Q1"},
	             {"trigger": ["company"], "offset": [1], "pb_roleset": "company.01", "candidate_nodes": []}]}]`
	dir := t.TempDir()
	p := filepath.Join(dir, "glen.json")
	os.WriteFile(p, []byte(good), 0o644)
	ss, err := LoadGLEN(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := ss[0]
	if s.Text != "The company laid off 300 workers ." || len(s.Events) != 2 {
		t.Fatalf("%+v", s)
	}
	if e := s.Events[1]; e.Type != "DWD_Q1" || e.Trigger.Text != "laid off" || e.Trigger.Start != 12 || e.Trigger.End != 20 {
		t.Errorf("laid off: %+v", e)
	}
	if e := s.Events[0]; e.Type != "company.01" || e.Trigger.Start != 4 {
		t.Errorf("company (no xpo_label: the roleset): %+v", e)
	}
	bad := []struct{ name, rec, want string }{
		{"a word that is not its token", `{"id": "x", "sentence": "a b c", "events": [{"trigger": ["c"], "offset": [1], "xpo_label": "T"}]}`, `trigger word "c" is not token 1`},
		{"an offset past the end", `{"id": "x", "sentence": "a b", "events": [{"trigger": ["b"], "offset": [5], "xpo_label": "T"}]}`, "outside the sentence's 2 tokens"},
		{"no type at all", `{"id": "x", "sentence": "a b", "events": [{"trigger": ["b"], "offset": [1]}]}`, "neither xpo_label nor pb_roleset"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "bad.jsonl")
			os.WriteFile(p, []byte(tc.rec+"\n"), 0o644)
			_, err := LoadGLEN(p, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bad.jsonl") {
				t.Fatalf("error %v, want the file and %q", err, tc.want)
			}
		})
	}
}
