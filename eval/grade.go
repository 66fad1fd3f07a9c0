package eval

import (
	"context"

	"github.com/ascent-rl/ascent/answer"
)

// GradeInput is what a grader sees of one sample.
type GradeInput struct {
	Problem  string // the question (the judge shows it; the rule checker ignores it)
	Gold     string // reference answer
	Response string // the full model output
	// Pred, when PredGiven, is an answer someone else already extracted (e.g. ToRA's `pred`); the grader
	// compares it with Gold instead of extracting from Response.
	Pred      string
	PredGiven bool
}

// Verdict is a grader's decision on one sample.
type Verdict struct {
	Correct  bool   // final decision
	Status   string // verifier status: ok, unparsable, timeout, error (and judge_error from the judge)
	Pred     string // extracted (or given) answer
	VoteKey  string // normalised answer for majority voting; "" when no answer was found
	GradedBy string // "rule" or "judge"
	Detail   string // free-form detail from the verifier or judge
}

// Grader decides whether a response answers a problem correctly.
type Grader interface {
	// Grade returns the verdict on one sample; it reports failures in Verdict.Status, never by panicking.
	Grade(ctx context.Context, in GradeInput) Verdict
	// Name describes the grader for reports (e.g. "rule (answer.Verify)").
	Name() string
}

// RuleGrader is the rule-based checker: answer extraction (last \boxed{...} and fallbacks) and
// equivalence from package answer.
type RuleGrader struct {
	Options answer.Options // extraction and equivalence options (answer.DefaultOptions() by default)
}

// NewRuleGrader returns a RuleGrader with answer.DefaultOptions().
func NewRuleGrader() *RuleGrader { return &RuleGrader{Options: answer.DefaultOptions()} }

// Name implements Grader.
func (g *RuleGrader) Name() string { return "rule (ascent answer.Verify: extraction + equivalence)" }

// Grade implements Grader.
func (g *RuleGrader) Grade(_ context.Context, in GradeInput) Verdict {
	var v answer.Verdict
	if in.PredGiven {
		v = answer.Equivalent(in.Gold, in.Pred, g.Options)
		if v.Pred == "" {
			v.Pred = in.Pred
		}
	} else {
		v = answer.Verify(in.Gold, in.Response, g.Options)
	}
	out := Verdict{Correct: v.Correct, Status: string(v.Status), Pred: v.Pred, GradedBy: "rule", Detail: v.Detail}
	if out.Status == "" {
		out.Status = string(answer.StatusOK)
	}
	if v.Pred != "" {
		out.VoteKey = answer.Normalize(v.Pred)
	}
	return out
}
