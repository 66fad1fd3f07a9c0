// Package ee is event extraction with thousands of event types (LLM-PEE, EEMT): the ontology and
// annotated sentences with character offsets, BM25 recall of candidate types, partitioning of the
// candidates into short prompts, TI/TC/AI/AC scoring and the annotators' majority vote.
//
//	ont, _ := ee.LoadOntology("ontology.jsonl")
//	gold, _ := ee.LoadSentences("dev.jsonl", ont)
//	idx := ee.NewIndex(ont)
//	cands := idx.TopK(gold[0].Text, 20)          // candidate types for the sentence
//	sc := ee.Score(gold, pred)                   // sc.TC.F1, sc.AC.F1, …
package ee

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Role is one argument role of an event type.
type Role struct {
	Name       string `json:"role"`
	Definition string `json:"definition"`
}

// Type is one event type: "Domain.Name", its definition, roles and example triggers.
type Type struct {
	Name       string   `json:"type"`
	Definition string   `json:"definition"`
	Roles      []Role   `json:"roles"`
	Examples   []string `json:"examples"`
}

// HasRole reports whether role is in the type's schema.
func (t *Type) HasRole(role string) bool {
	for _, r := range t.Roles {
		if r.Name == role {
			return true
		}
	}
	return false
}

// Domain is the part of the name before the dot ("Justice" of "Justice.Arrest").
func (t *Type) Domain() string { d, _, _ := strings.Cut(t.Name, "."); return d }

// Ontology is a set of event types, in file order.
type Ontology struct {
	Types []Type
	index map[string]int
}

// Lookup returns the type named name, or nil.
func (o *Ontology) Lookup(name string) *Type {
	if i, ok := o.index[name]; ok {
		return &o.Types[i]
	}
	return nil
}

// NewOntology indexes types, rejecting duplicates and types without a name or roles.
func NewOntology(types []Type) (*Ontology, error) {
	o := &Ontology{Types: types, index: make(map[string]int, len(types))}
	for i, t := range types {
		switch {
		case t.Name == "":
			return nil, fmt.Errorf("type %d: empty \"type\"", i+1)
		case len(t.Roles) == 0:
			return nil, fmt.Errorf("type %s: no roles", t.Name)
		}
		if _, dup := o.index[t.Name]; dup {
			return nil, fmt.Errorf("type %s appears twice", t.Name)
		}
		o.index[t.Name] = i
	}
	return o, nil
}

// LoadOntology reads an ontology JSONL file (one type a line; schema in ../shared/data/ee/README.md).
func LoadOntology(path string) (*Ontology, error) {
	var types []Type
	err := readJSONL(path, func(line int, raw []byte) error {
		var t Type
		if err := strictUnmarshal(raw, &t); err != nil {
			return err
		}
		types = append(types, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	o, err := NewOntology(types)
	if err != nil {
		return nil, fmt.Errorf("ee: %s: %w", path, err)
	}
	return o, nil
}

// Names lists the type names, sorted.
func (o *Ontology) Names() []string {
	names := make([]string, len(o.Types))
	for i, t := range o.Types {
		names[i] = t.Name
	}
	sort.Strings(names)
	return names
}

// readJSONL calls fn for each non-blank line of path, wrapping its error with file and line.
func readJSONL(path string, fn func(line int, raw []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("ee: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		if err := fn(n, sc.Bytes()); err != nil {
			return fmt.Errorf("ee: %s:%d: %w", path, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("ee: read %s: %w", path, err)
	}
	return nil
}

// strictUnmarshal decodes JSON, rejecting unknown fields.
func strictUnmarshal(raw []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
