package physicsminions

import (
	"context"
	"fmt"

	"github.com/ascent-rl/ascent/answer"
)

// MedalNone is the medal of an exam scored without medal thresholds.
const MedalNone = "none"

// Grade is the score of one final solution.
type Grade struct {
	Points  float64 `json:"points"`  // points awarded
	Max     float64 `json:"max"`     // points available
	Correct []bool  `json:"correct"` // per sub-answer
}

// Scorer grades final solutions and turns exam scores into medals. AnswerScorer is the
// answer-level one; the HiPhO scorer (eval/hipho, with marking schemes and medal thresholds)
// takes its place when it is wired in.
type Scorer interface {
	// Score grades the final solution of problem p.
	Score(ctx context.Context, p Problem, solution string) (Grade, error)
	// Exam returns the full mark of exam and the medal its score earns ("none" without thresholds).
	Exam(exam string, score float64) (max float64, medal string)
}

// AnswerScorer grades answer-level: the solution's last N boxes against the N golds with
// answer.GradePhysics, each right sub-answer earning its points. It awards no medals.
type AnswerScorer struct {
	exams map[string]*Exam
}

// NewAnswerScorer scores the problems of exams.
func NewAnswerScorer(exams ...*Exam) *AnswerScorer {
	s := &AnswerScorer{exams: map[string]*Exam{}}
	for _, e := range exams {
		s.exams[e.Name] = e
	}
	return s
}

// Score implements Scorer.
func (s *AnswerScorer) Score(_ context.Context, p Problem, solution string) (Grade, error) {
	e, ok := s.exams[p.Exam]
	if !ok {
		return Grade{}, fmt.Errorf("physicsminions: problem %s: exam %q is not loaded in the scorer", p.ID, p.Exam)
	}
	golds, ok := e.Golds[p.ID]
	if !ok {
		return Grade{}, fmt.Errorf("physicsminions: problem %s: no golds in exam %s", p.ID, p.Exam)
	}
	pg := make([]answer.PhysicsGold, len(golds))
	var g Grade
	for i, x := range golds {
		pg[i] = x.PhysicsGold
		g.Max += x.Points
	}
	res := answer.GradePhysics(solution, pg, answer.DefaultOptions())
	g.Correct = make([]bool, len(golds))
	for i, v := range res.Verdicts {
		if v.Correct {
			g.Correct[i] = true
			g.Points += golds[i].Points
		}
	}
	return g, nil
}

// Exam implements Scorer: the full mark counts every problem, with figures or not.
func (s *AnswerScorer) Exam(exam string, _ float64) (float64, string) {
	if e, ok := s.exams[exam]; ok {
		return e.Max, MedalNone
	}
	return 0, MedalNone
}

// ExamScore is one exam in results.json.
type ExamScore struct {
	Score    float64            `json:"score"`    // points awarded
	Max      float64            `json:"max"`      // full mark of the exam
	Medal    string             `json:"medal"`    // from the scorer ("none" for answer-level scoring)
	Problems map[string]float64 `json:"problems"` // problem id → points (skipped problems are absent)
	Skipped  int                `json:"skipped"`  // problems with figures, not attempted in text-only mode
}

// Tally sums graded problems into exam scores; skipped counts problems with figures per exam.
func Tally(s Scorer, problems []Problem, grades []Grade, skipped map[string]int) map[string]*ExamScore {
	out := map[string]*ExamScore{}
	get := func(exam string) *ExamScore {
		if e, ok := out[exam]; ok {
			return e
		}
		e := &ExamScore{Problems: map[string]float64{}}
		out[exam] = e
		return e
	}
	for i, p := range problems {
		e := get(p.Exam)
		e.Problems[p.ID] = grades[i].Points
		e.Score += grades[i].Points
	}
	for exam, n := range skipped {
		get(exam).Skipped = n
	}
	for n, e := range out {
		e.Max, e.Medal = s.Exam(n, e.Score)
	}
	return out
}
