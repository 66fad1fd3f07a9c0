package eval

import (
	"context"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/reward"
)

// A reward function registered once grades evaluation samples as it scores training rollouts.
func TestRuleGraderGradesThroughTheRewardRegistry(t *testing.T) {
	reward.Register("test/ends-in-ok", func(_ context.Context, req reward.Request) reward.Result {
		ok := strings.HasSuffix(req.Solution, "ok")
		return reward.Result{Score: map[bool]float64{true: 1}[ok], Verdict: answer.Verdict{Correct: ok, Status: answer.StatusOK, Pred: "custom"}}
	})
	cases := []struct {
		name     string
		grader   *RuleGrader
		response string
		correct  bool
		pred     string
	}{
		{"the default is the general verifier", NewRuleGrader(), `so \boxed{0.5}`, true, "0.5"},
		{"the default rejects a wrong answer", NewRuleGrader(), `so \boxed{3}`, false, "3"},
		{"a registered reward function grades", &RuleGrader{DataSource: "test/ends-in-ok"}, "this is ok", true, "custom"},
		{"and rejects", &RuleGrader{DataSource: "test/ends-in-ok"}, `\boxed{1/2}`, false, "custom"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := c.grader.Grade(context.Background(), GradeInput{Gold: `\frac{1}{2}`, Response: c.response})
			if v.Correct != c.correct || v.Pred != c.pred || v.Status != answer.StatusOK || v.GradedBy != "rule" {
				t.Errorf("verdict %+v, want correct %v with pred %q", v, c.correct, c.pred)
			}
		})
	}
	v := (&RuleGrader{DataSource: "no/such"}).Grade(context.Background(), GradeInput{Gold: "1", Response: "1"})
	if v.Status != answer.StatusError || !strings.Contains(v.Detail, "answer") {
		t.Errorf("unknown data_source: %+v, want an error status listing the known ones", v)
	}
}
