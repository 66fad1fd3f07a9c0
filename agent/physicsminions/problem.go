package physicsminions

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/eval/hipho"
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

// Exam is one HiPhO exam as the loop reads it (ReadHiPhO, over eval/hipho's loader): its
// problems (all of them, with figures or not) and the golds of each problem by id.
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

// HiPhOExams lists the exams in a HiPhO data directory (eval/hipho's Names).
func HiPhOExams(dir string) ([]string, error) { return hipho.Names(dir) }

// ReadHiPhO reads exam from dir with eval/hipho's loader (the layout of
// ../shared/data/physics/hipho) and turns it into the loop's problems and golds. An unknown exam
// is an error that lists the valid ones.
func ReadHiPhO(dir, exam string) (*Exam, error) {
	names, err := hipho.Names(dir)
	if err != nil {
		return nil, err
	}
	if i := sort.SearchStrings(names, exam); i == len(names) || names[i] != exam {
		return nil, fmt.Errorf("physicsminions: no HiPhO exam %q in %s; valid: %s", exam, dir, strings.Join(names, ", "))
	}
	he, err := hipho.Load(dir, exam)
	if err != nil {
		return nil, err
	}
	e := &Exam{Name: exam, Golds: map[string][]Gold{}}
	for i := range he.Problems {
		hp := &he.Problems[i]
		golds, err := hipho.Golds(hp)
		if err != nil {
			return nil, fmt.Errorf("physicsminions: %s: %w", exam, err)
		}
		if hp.ID == "" || len(golds) == 0 || len(hp.Points) != len(golds) {
			return nil, fmt.Errorf("physicsminions: %s problem %q: a problem needs an id and answers with points (%d answers, %d points)", exam, hp.ID, len(golds), len(hp.Points))
		}
		e.Problems = append(e.Problems, Problem{ID: hp.ID, Exam: exam, Text: problemText(hp), NumAnswers: len(golds),
			HasFigures: hp.Modality != hipho.TextOnly || len(hp.ImageQuestion) > 0})
		for j, g := range golds {
			e.Golds[hp.ID] = append(e.Golds[hp.ID], Gold{PhysicsGold: g, Points: hp.Points[j]})
			e.Max += hp.Points[j]
		}
	}
	return e, nil
}

// problemText joins the constants sheet, the shared context and the question.
func problemText(p *hipho.Problem) string {
	var b strings.Builder
	if s := strings.TrimSpace(p.ExamInformation); s != "" {
		b.WriteString("Constants and general information:\n" + s + "\n\n")
	}
	if s := strings.TrimSpace(p.Context); s != "" {
		b.WriteString("Context:\n" + s + "\n\n")
	}
	b.WriteString("Question:\n" + strings.TrimSpace(p.Question))
	return b.String()
}
