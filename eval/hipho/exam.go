// Package hipho is the HiPhO physics-olympiad benchmark (arXiv 2509.07894) as P1 scores it: a
// lossless loader for the 14 exam files, the P1 prompt, answer-level grading with the physics
// verifier, step-level grading against the official marking schemes through an LLM judge, exam
// scores and medals against the official thresholds, and the medal table of the published scores.
//
//	go test ./eval/hipho/                  # loader round trip, criteria, grading, medals
//	go test ./eval/hipho/ -bench Exam -run ^$
//
// The lead's CLI wires it as `ascent eval --bench hipho[:IPhO_2025,F=MA_2025] --responses FILE
// [--grading answer] [--judge-endpoint URL]` (see Run).
package hipho

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// TextOnly is the modality of problems without a figure (the only ones P1 is evaluated on).
const TextOnly = "text-only"

// Problem is one HiPhO item (a sub-question). Every field of the source line is kept; Answer,
// AnswerType, Unit and Points are parallel lists with one entry per required answer.
type Problem struct {
	ID              string    `json:"id"`               // e.g. IPhO_2025_1_A_1
	Context         string    `json:"context"`          // shared background, earlier sub-questions
	Question        string    `json:"question"`         // the ask (may hold several numbered asks)
	Marking         Marking   `json:"marking"`          // official marking schemes (absent in F=MA)
	Answer          []string  `json:"answer"`           // gold answers, each `\boxed{$…$}`
	AnswerType      []string  `json:"answer_type"`      // Expression, Numerical Value, … per answer
	Unit            []*string `json:"unit"`             // unit per answer (nil: none); see UnitOf
	Points          []float64 `json:"points"`           // points per answer
	Modality        string    `json:"modality"`         // text-only, text+illustration figure, …
	Field           string    `json:"field"`            // physics field
	Source          string    `json:"source"`           // source exam as HiPhO names it
	ImageQuestion   []string  `json:"image_question"`   // figure files under image_question/
	Exam            string    `json:"exam"`             // file stem, e.g. F=MA_2025
	ExamInformation string    `json:"exam_information"` // the exam's constants sheet / general note
	OrigIndex       int       `json:"orig_index"`       // position in the original HiPhO JSON list
}

// UnitOf is the unit of answer i ("" when dimensionless or symbolic). Ten problems give one null
// unit for all their answers; a one-entry list applies to every answer.
func (p *Problem) UnitOf(i int) string {
	if len(p.Unit) == 1 {
		i = 0
	}
	if i >= len(p.Unit) || p.Unit[i] == nil {
		return ""
	}
	return *p.Unit[i]
}

// MaxPoints is the problem's full mark: the sum of its sub-answers' points.
func (p *Problem) MaxPoints() float64 {
	s := 0.0
	for _, x := range p.Points {
		s += x
	}
	return s
}

// Marking is a problem's list of alternative marking schemes; each scheme is a list of criteria
// ("Award 0.2 pt if …"). The source spells it three ways, all kept on a round trip: absent (F=MA),
// a list of schemes, or (three PanPhO 2025 problems) one scheme written as a flat list of criteria.
type Marking struct {
	Schemes [][]string // alternative schemes; empty when the problem has none
	Present bool       // the field is in the source line
	Flat    bool       // the source wrote the single scheme as a flat list of strings
}

// MarshalJSON writes the marking in the shape it was read in.
func (m Marking) MarshalJSON() ([]byte, error) {
	if m.Flat && len(m.Schemes) == 1 {
		return json.Marshal(m.Schemes[0])
	}
	if m.Schemes == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(m.Schemes)
}

// UnmarshalJSON reads a list of schemes or a flat list of criteria (one scheme).
func (m *Marking) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("marking: want a list of schemes: %w", err)
	}
	*m = Marking{Present: true, Schemes: [][]string{}}
	if len(raw) == 0 {
		return nil
	}
	if t := bytes.TrimSpace(raw[0]); len(t) > 0 && t[0] == '"' {
		var flat []string
		if err := json.Unmarshal(b, &flat); err != nil {
			return fmt.Errorf("marking: a flat scheme must be a list of strings: %w", err)
		}
		m.Schemes, m.Flat = [][]string{flat}, true
		return nil
	}
	return json.Unmarshal(b, &m.Schemes)
}

// Exam is one HiPhO paper: its problems in file order and its information record.
type Exam struct {
	Name        string    // file stem, e.g. IPhO_2025
	Information string    // constants sheet or general note ("None." when there is none)
	Problems    []Problem // in file order
}

// MaxPoints is the exam's full mark over its problems.
func (e *Exam) MaxPoints() float64 {
	s := 0.0
	for i := range e.Problems {
		s += e.Problems[i].MaxPoints()
	}
	return s
}

// TextOnly returns a copy of the exam with only its text-only problems.
func (e *Exam) TextOnly() *Exam {
	out := &Exam{Name: e.Name, Information: e.Information}
	for _, p := range e.Problems {
		if p.Modality == TextOnly {
			out.Problems = append(out.Problems, p)
		}
	}
	return out
}

// Problem returns the problem with the given id, or nil.
func (e *Exam) Problem(id string) *Problem {
	for i := range e.Problems {
		if e.Problems[i].ID == id {
			return &e.Problems[i]
		}
	}
	return nil
}

// Names lists the exams in dir (the stems of its *.jsonl files), sorted.
func Names(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(files))
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".jsonl"))
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("hipho: no exam files (*.jsonl) in %s", dir)
	}
	return names, nil
}

// Load reads exam name from dir (<name>.jsonl and <name>.information.json). An unknown name is an
// error listing the exams that exist.
func Load(dir, name string) (*Exam, error) {
	names, err := Names(dir)
	if err != nil {
		return nil, err
	}
	if i := sort.SearchStrings(names, name); i == len(names) || names[i] != name {
		return nil, fmt.Errorf("hipho: unknown exam %q; known: %s", name, strings.Join(names, ", "))
	}
	path := filepath.Join(dir, name+".jsonl")
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hipho: %w", err)
	}
	defer f.Close()
	e, err := ReadExam(f, name)
	if err != nil {
		return nil, fmt.Errorf("hipho: %s: %w", path, err)
	}
	info, err := os.ReadFile(filepath.Join(dir, name+".information.json"))
	if err == nil {
		var recs []struct {
			Information string `json:"information"`
		}
		if err := json.Unmarshal(info, &recs); err != nil || len(recs) == 0 {
			return nil, fmt.Errorf("hipho: %s.information.json: want [{\"information\": …}]: %v", name, err)
		}
		e.Information = recs[0].Information
	}
	return e, nil
}

// LoadAll reads every exam in dir, in name order.
func LoadAll(dir string) ([]*Exam, error) {
	names, err := Names(dir)
	if err != nil {
		return nil, err
	}
	out := make([]*Exam, 0, len(names))
	for _, n := range names {
		e, err := Load(dir, n)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// ReadExam reads one exam's JSONL problems and checks each: an id, parallel answer lists, a
// known answer type. Errors name the exam, the line and the problem.
func ReadExam(r interface{ Read([]byte) (int, error) }, name string) (*Exam, error) {
	e := &Exam{Name: name}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields() // a field this loader does not know would be lost on a round trip
		var p Problem
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("exam %s line %d: %w", name, line, err)
		}
		if err := p.check(); err != nil {
			return nil, fmt.Errorf("exam %s line %d: %w", name, line, err)
		}
		if e.Information == "" {
			e.Information = p.ExamInformation
		}
		e.Problems = append(e.Problems, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("exam %s: %w", name, err)
	}
	return e, nil
}

// check validates the fields grading depends on.
func (p *Problem) check() error {
	if p.ID == "" {
		return fmt.Errorf("problem without an id")
	}
	n := len(p.Answer)
	if n == 0 {
		return fmt.Errorf("problem %s: no answers", p.ID)
	}
	if len(p.AnswerType) != n || (len(p.Unit) != n && len(p.Unit) != 1) || len(p.Points) != n {
		return fmt.Errorf("problem %s: answer, answer_type, unit, points have lengths %d, %d, %d, %d; want equal (or one unit for all)",
			p.ID, n, len(p.AnswerType), len(p.Unit), len(p.Points))
	}
	for i := range n {
		if p.Points[i] < 0 {
			return fmt.Errorf("problem %s: points[%d] = %g is negative", p.ID, i, p.Points[i])
		}
	}
	return nil
}

// Write writes the exam's problems as JSONL, one problem a line, every field kept.
func (e *Exam) Write(w interface{ Write([]byte) (int, error) }) error {
	for i := range e.Problems {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(&e.Problems[i]); err != nil {
			return fmt.Errorf("exam %s problem %s: %w", e.Name, e.Problems[i].ID, err)
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// MarshalJSON keeps an absent marking absent.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	if p.Marking.Present {
		return json.Marshal(plain(p))
	}
	type noMarking struct {
		plain
		Marking *struct{} `json:"marking,omitempty"`
	}
	return json.Marshal(noMarking{plain: plain(p)})
}
