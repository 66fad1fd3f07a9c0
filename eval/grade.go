package eval

import (
	"context"
	"fmt"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/reward"
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

// Verdict is a grader's decision on one sample: the verifier's answer.Verdict (the verdict type the
// reward functions return, so training and evaluation judge alike) with what evaluation adds.
type Verdict struct {
	answer.Verdict        // final decision, status (ok, unparsable, timeout, error, judge_error), pred, detail
	VoteKey        string // normalised answer for majority voting; "" when no answer was found
	GradedBy       string // "rule" or "judge"
}

// StatusJudgeError is the status of a sample whose judge could not be reached; the rule's decision
// stands.
const StatusJudgeError answer.Status = "judge_error"

// Grader decides whether a response answers a problem correctly.
type Grader interface {
	// Grade returns the verdict on one sample; it reports failures in Verdict.Status, never by panicking.
	Grade(ctx context.Context, in GradeInput) Verdict
	// Name describes the grader for reports (e.g. "rule (answer.Verify)").
	Name() string
}

// RuleGrader grades responses with a reward function of the reward registry, the one training
// uses: by default reward.Answer (answer extraction — last \boxed{...} and fallbacks — and
// equivalence). An answer someone already extracted is compared with answer.Equivalent.
type RuleGrader struct {
	// DataSource names the reward function ("" is reward.AnswerDataSource).
	DataSource string
	// Options are the equivalence options for given answers (answer.DefaultOptions() by default).
	Options answer.Options
}

// NewRuleGrader returns a RuleGrader on reward.Answer with answer.DefaultOptions().
func NewRuleGrader() *RuleGrader { return &RuleGrader{Options: answer.DefaultOptions()} }

// dataSource is the reward function's name.
func (g *RuleGrader) dataSource() string {
	if g.DataSource == "" {
		return reward.AnswerDataSource
	}
	return g.DataSource
}

// Name implements Grader.
func (g *RuleGrader) Name() string {
	return fmt.Sprintf("rule (reward %q: ascent answer.Verify extraction + equivalence)", g.dataSource())
}

// Grade implements Grader.
func (g *RuleGrader) Grade(ctx context.Context, in GradeInput) Verdict {
	var v answer.Verdict
	if in.PredGiven {
		v = answer.Equivalent(in.Gold, in.Pred, g.Options)
		if v.Pred == "" {
			v.Pred = in.Pred
		}
	} else {
		v = reward.Score(ctx, reward.Request{DataSource: g.dataSource(), Solution: in.Response, GroundTruth: in.Gold}).Verdict
	}
	out := Verdict{Verdict: v, GradedBy: "rule"}
	if out.Status == "" {
		out.Status = answer.StatusOK
	}
	if v.Pred != "" {
		out.VoteKey = answer.Normalize(v.Pred)
	}
	return out
}
