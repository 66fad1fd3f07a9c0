package physicsminions

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ascent-rl/ascent/answer"
)

// Problem is one olympiad problem as the loop sees it. It is all the HiPhO loader (eval/hipho)
// has to provide.
type Problem struct {
	ID         string // problem id, e.g. "IPhO_2025_1_A_1"
	Exam       string // exam name, e.g. "IPhO_2025"
	Text       string // the full statement: constants sheet, shared context and the question
	NumAnswers int    // how many final answers (boxes) the question asks for
	HasFigures bool   // the problem has figures; text-only mode skips it
}

// Gold is one sub-answer of a problem with the points it is worth.
type Gold struct {
	answer.PhysicsGold         // the gold answer, unit and answer type
	Points             float64 // points awarded when it is right
}

// Exam is one HiPhO exam as read by ReadHiPhO: its problems (all of them, with figures or not)
// and the golds of each problem by id.
type Exam struct {
	Name     string            // e.g. "IPhO_2025"
	Problems []Problem         // in file order
	Golds    map[string][]Gold // problem id → sub-answers
	Max      float64           // full mark: the points of every problem, with figures or not
}

// TextOnly returns the problems without figures and how many were skipped.
func (e *Exam) TextOnly() ([]Problem, int) {
	var out []Problem
	for _, p := range e.Problems {
		if !p.HasFigures {
			out = append(out, p)
		}
	}
	return out, len(e.Problems) - len(out)
}

// hiphoRecord is the part of a HiPhO JSONL line the loop needs.
type hiphoRecord struct {
	ID          string    `json:"id"`
	Context     string    `json:"context"`
	Question    string    `json:"question"`
	Answer      []string  `json:"answer"`
	AnswerType  []string  `json:"answer_type"`
	Unit        []*string `json:"unit"`
	Points      []float64 `json:"points"`
	Modality    string    `json:"modality"`
	Images      []string  `json:"image_question"`
	Information string    `json:"exam_information"`
}

// HiPhOExams lists the exams in a HiPhO data directory (the stems of its *.jsonl files).
func HiPhOExams(dir string) ([]string, error) {
	m, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range m {
		out = append(out, strings.TrimSuffix(filepath.Base(f), ".jsonl"))
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil, fmt.Errorf("physicsminions: no HiPhO exams (*.jsonl) in %s", dir)
	}
	return out, nil
}

// ReadHiPhO reads exam from dir/<exam>.jsonl (the layout of ../shared/data/physics/hipho). An
// unknown exam is an error that lists the valid ones.
func ReadHiPhO(dir, exam string) (*Exam, error) {
	names, err := HiPhOExams(dir)
	if err != nil {
		return nil, err
	}
	if i := sort.SearchStrings(names, exam); i == len(names) || names[i] != exam {
		return nil, fmt.Errorf("physicsminions: no HiPhO exam %q in %s; valid: %s", exam, dir, strings.Join(names, ", "))
	}
	path := filepath.Join(dir, exam+".jsonl")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	e := &Exam{Name: exam, Golds: map[string][]Gold{}}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r hiphoRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		golds, err := r.golds()
		if err != nil {
			return nil, fmt.Errorf("%s:%d: problem %s: %w", path, line, r.ID, err)
		}
		if r.ID == "" || len(golds) == 0 {
			return nil, fmt.Errorf("%s:%d: a problem needs an id and at least one answer", path, line)
		}
		e.Problems = append(e.Problems, Problem{ID: r.ID, Exam: exam, Text: r.text(), NumAnswers: len(golds),
			HasFigures: r.Modality != "text-only" || len(r.Images) > 0})
		e.Golds[r.ID] = golds
		for _, g := range golds {
			e.Max += g.Points
		}
	}
	return e, sc.Err()
}

// text joins the constants sheet, the shared context and the question.
func (r hiphoRecord) text() string {
	var b strings.Builder
	if s := strings.TrimSpace(r.Information); s != "" {
		b.WriteString("Constants and general information:\n" + s + "\n\n")
	}
	if s := strings.TrimSpace(r.Context); s != "" {
		b.WriteString("Context:\n" + s + "\n\n")
	}
	b.WriteString("Question:\n" + strings.TrimSpace(r.Question))
	return b.String()
}

// golds pairs the parallel answer, answer_type, unit and points lists (a missing unit is none).
func (r hiphoRecord) golds() ([]Gold, error) {
	if len(r.AnswerType) != len(r.Answer) || len(r.Points) != len(r.Answer) {
		return nil, fmt.Errorf("%d answers, %d answer types and %d points", len(r.Answer), len(r.AnswerType), len(r.Points))
	}
	out := make([]Gold, len(r.Answer))
	for i, a := range r.Answer {
		t, err := answer.ParseAnswerType(r.AnswerType[i])
		if err != nil {
			return nil, err
		}
		unit := ""
		if i < len(r.Unit) && r.Unit[i] != nil {
			unit = *r.Unit[i]
		}
		out[i] = Gold{PhysicsGold: answer.PhysicsGold{Answer: a, Unit: unit, Type: t}, Points: r.Points[i]}
	}
	return out, nil
}
