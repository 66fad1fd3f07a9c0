package physicsminions

import (
	"context"
	"fmt"
	"math"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/eval/hipho"
)

// HiPhOScorer scores final solutions with the HiPhO benchmark's grader (eval/hipho): answer-level
// points per sub-answer, and medals against the official thresholds.
type HiPhOScorer struct {
	B *hipho.Benchmark
}

// Score implements Scorer.
func (s HiPhOScorer) Score(_ context.Context, p Problem, solution string) (Grade, error) {
	e, err := s.B.Exam(p.Exam)
	if err != nil {
		return Grade{}, err
	}
	prob := e.Problem(p.ID)
	if prob == nil {
		return Grade{}, fmt.Errorf("physicsminions: exam %s has no problem %q", p.Exam, p.ID)
	}
	g, err := hipho.GradeAnswer(prob, solution, answer.DefaultOptions())
	if err != nil {
		return Grade{}, err
	}
	out := Grade{Points: g.Score, Max: g.Max}
	for _, sg := range g.Sub {
		out.Correct = append(out.Correct, sg.Verdict.Correct)
	}
	return out, nil
}

// Exam implements Scorer: the exam's full mark (problems with figures included, as the medal
// thresholds are for whole exams) and the medal score earns.
func (s HiPhOScorer) Exam(exam string, score float64) (float64, string) {
	e, err := s.B.Exam(exam)
	if err != nil {
		return 0, MedalNone
	}
	return math.Round(e.MaxPoints()*1e6) / 1e6, s.B.Medal(exam, score) // sums of tenths print as tenths
}
