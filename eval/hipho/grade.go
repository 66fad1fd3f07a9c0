package hipho

import (
	"fmt"

	"github.com/ascent-rl/ascent/answer"
)

// Problem grade statuses.
const (
	StatusOK              = "ok"               // graded
	StatusNoAnswer        = "no_answer"        // the response has no \boxed{}: 0 points
	StatusMissing         = "missing"          // no response for the problem: 0 points
	StatusJudgeError      = "judge_error"      // a judge call failed after its retries (answer-level kept)
	StatusJudgeUnparsable = "judge_unparsable" // a judge reply had no awarded points (answer-level kept)
)

// SubGrade is the answer-level grade of one required answer.
type SubGrade struct {
	Verdict answer.Verdict `json:"verdict"`          // the physics verifier's verdict
	Points  float64        `json:"points"`           // what the sub-answer is worth
	Earned  float64        `json:"earned"`           // Points when correct, else 0
	Judged  bool           `json:"judged,omitempty"` // the judge re-checked a rule miss and accepted it
}

// ProblemGrade is the grade of one response to one problem.
type ProblemGrade struct {
	ID     string     `json:"id"`
	Score  float64    `json:"score"`          // points awarded
	Max    float64    `json:"max"`            // the problem's full mark
	Status string     `json:"status"`         // StatusOK, StatusNoAnswer, …
	Level  string     `json:"level"`          // "answer" or "step": which grading gave Score
	Answer float64    `json:"answer_score"`   // answer-level points
	Step   *StepGrade `json:"step,omitempty"` // step-level grade, when marking schemes were used
	Sub    []SubGrade `json:"sub_answers"`    // answer-level detail, one per required answer
	Judge  JudgeUse   `json:"judge,omitzero"` // the judge requests this grade made
}

// Golds converts the problem's parallel answer lists into the physics verifier's golds. An
// unknown answer type is an error naming the problem.
func Golds(p *Problem) ([]answer.PhysicsGold, error) {
	out := make([]answer.PhysicsGold, len(p.Answer))
	for i, a := range p.Answer {
		t, err := answer.ParseAnswerType(p.AnswerType[i])
		if err != nil {
			return nil, fmt.Errorf("problem %s answer %d: %w", p.ID, i+1, err)
		}
		out[i] = answer.PhysicsGold{Answer: a, Unit: p.UnitOf(i), Type: t}
	}
	return out, nil
}

// GradeAnswer grades a response answer-level: its last N boxes are matched in order to the N golds
// by answer.GradePhysics, and each correct sub-answer earns its points. A response without any box
// scores 0 with StatusNoAnswer.
func GradeAnswer(p *Problem, response string, opt answer.Options) (ProblemGrade, error) {
	golds, err := Golds(p)
	if err != nil {
		return ProblemGrade{}, err
	}
	g := ProblemGrade{ID: p.ID, Max: p.MaxPoints(), Status: StatusOK, Level: "answer", Sub: make([]SubGrade, len(golds))}
	res := answer.GradePhysics(response, golds, opt)
	for i, v := range res.Verdicts {
		g.Sub[i] = SubGrade{Verdict: v, Points: p.Points[i]}
		if v.Correct {
			g.Sub[i].Earned = p.Points[i]
			g.Score += p.Points[i]
		}
	}
	if res.Boxes == 0 {
		g.Status, g.Score = StatusNoAnswer, 0
		for i := range g.Sub {
			g.Sub[i].Earned = 0
		}
	}
	g.Answer = g.Score
	return g, nil
}
