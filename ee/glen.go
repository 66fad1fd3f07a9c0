package ee

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// glenRecord is one GLEN (github.com/ZQS1943/GLEN) instance, the base format EEMT extends: a
// whitespace-tokenised sentence and its events, each with trigger words at token offsets, a
// PropBank roleset, candidate ontology nodes and the chosen xpo_label.
type glenRecord struct {
	ID       string      `json:"id"`
	Document string      `json:"document"`
	SID      int         `json:"s_id"`
	Domain   string      `json:"domain"`
	Sentence string      `json:"sentence"`
	Events   []glenEvent `json:"events"`
}

type glenEvent struct {
	Trigger        []string `json:"trigger"`
	Offset         []int    `json:"offset"`
	PBRoleset      string   `json:"pb_roleset"`
	CandidateNodes []string `json:"candidate_nodes"`
	XPOLabel       string   `json:"xpo_label"`
}

// LoadGLEN reads a GLEN/EEMT-style file — a JSON list of instances, or JSONL — into sentences:
// the text is the tokens joined by single spaces, each event's trigger spans its tokens (character
// offsets computed from the token offsets), and its type is xpo_label (the PropBank roleset when
// no label was chosen). GLEN annotates triggers only, so events have no arguments. A trigger whose
// words are not the tokens at its offsets is an error naming the file, instance and event; with
// ont non-nil, so is a type outside the ontology.
func LoadGLEN(path string, ont *Ontology) ([]Sentence, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ee: %w", err)
	}
	var recs []glenRecord
	if t := strings.TrimSpace(string(raw)); strings.HasPrefix(t, "[") {
		if err := json.Unmarshal(raw, &recs); err != nil {
			return nil, fmt.Errorf("ee: %s: not a JSON list of GLEN instances: %w", path, err)
		}
	} else if err := readJSONL(path, func(_ int, line []byte) error {
		var r glenRecord
		if err := json.Unmarshal(line, &r); err != nil {
			return err
		}
		recs = append(recs, r)
		return nil
	}); err != nil {
		return nil, err
	}
	out := make([]Sentence, 0, len(recs))
	for i, r := range recs {
		s, err := r.sentence(ont)
		if err != nil {
			return nil, fmt.Errorf("ee: %s: instance %d (%q): %w", path, i+1, r.ID, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// sentence converts one record, checking its token offsets.
func (r glenRecord) sentence(ont *Ontology) (Sentence, error) {
	if r.ID == "" {
		return Sentence{}, fmt.Errorf("empty \"id\"")
	}
	toks := strings.Fields(r.Sentence)
	starts := make([]int, len(toks)) // rune offset of each token in the joined text
	pos := 0
	for i, t := range toks {
		starts[i] = pos
		pos += len([]rune(t)) + 1
	}
	s := Sentence{ID: r.ID, Text: strings.Join(toks, " ")}
	for j, e := range r.Events {
		if len(e.Trigger) == 0 || len(e.Trigger) != len(e.Offset) {
			return Sentence{}, fmt.Errorf("events[%d]: %d trigger words for %d offsets", j, len(e.Trigger), len(e.Offset))
		}
		for k, off := range e.Offset {
			if off < 0 || off >= len(toks) {
				return Sentence{}, fmt.Errorf("events[%d].offset[%d] = %d outside the sentence's %d tokens", j, k, off, len(toks))
			}
			if toks[off] != e.Trigger[k] || (k > 0 && off != e.Offset[k-1]+1) {
				return Sentence{}, fmt.Errorf("events[%d]: trigger word %q is not token %d (%q), or the words are not consecutive", j, e.Trigger[k], off, toks[off])
			}
		}
		typ := e.XPOLabel
		if typ == "" {
			typ = e.PBRoleset
		}
		if typ == "" {
			return Sentence{}, fmt.Errorf("events[%d]: neither xpo_label nor pb_roleset", j)
		}
		first, last := e.Offset[0], e.Offset[len(e.Offset)-1]
		start, end := starts[first], starts[last]+len([]rune(toks[last]))
		s.Events = append(s.Events, Event{Type: typ, Trigger: Span{Text: strings.Join(e.Trigger, " "), Start: start, End: end}, Arguments: []Argument{}})
	}
	SortEvents(s.Events)
	if err := s.Validate(ont); err != nil {
		return Sentence{}, err
	}
	return s, nil
}
