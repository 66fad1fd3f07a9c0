package reward

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/answer"
)

func TestPhysicsRewardIsTheMeanOfSubAnswerCorrectness(t *testing.T) {
	twoGolds := `[{"answer": "5.31\\times10^{-11}", "unit": "m", "type": "Numerical Value"}, {"answer": "v = \\sqrt{2 g h}", "type": "Expression"}]`
	cases := []struct {
		name, solution, truth string
		score                 float64
		status                answer.Status
		acc                   bool
	}{
		{"both right, a unit converted", `\boxed{0.0531} nm and \boxed{v=\sqrt{2hg}}`, twoGolds, 1, answer.StatusOK, true},
		{"one of two right", `\boxed{5.31\times10^{-11}} m, \boxed{v=\sqrt{gh}}`, twoGolds, 0.5, answer.StatusOK, false},
		{"the wrong dimension is wrong", `\boxed{5.31\times10^{-11}} s, \boxed{\sqrt{2gh}}`, twoGolds, 0.5, answer.StatusOK, false},
		{"the last boxes count, in order", `draft \boxed{1} \boxed{2}; final \boxed{53.1} pm \boxed{\sqrt{2gh}}`, twoGolds, 1, answer.StatusOK, true},
		{"no box at all is unparsable", `v is sqrt(2gh)`, twoGolds, 0, answer.StatusUnparsable, false},
		{"a HiPhO row as ground truth", `\boxed{B} \boxed{3.0} s`, `{"answer": ["\\boxed{B}", "\\boxed{3}"], "unit": [null, "s"], "answer_type": ["Multiple Choice", "Numerical Value"]}`, 1, answer.StatusOK, true},
		{"a plain ground truth is one math answer", `\boxed{\frac{1}{2}}`, `0.5`, 1, answer.StatusOK, true},
		{"a malformed ground truth is an error", `\boxed{1}`, `[{"answer": "1", "type": "Number"}]`, 0, answer.StatusError, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Score(context.Background(), Request{DataSource: "physics", Solution: c.solution, GroundTruth: c.truth})
			if r.Score != c.score || r.Status != c.status || r.Correct != c.acc {
				t.Fatalf("%+v; want score %g status %s acc %v", r, c.score, c.status, c.acc)
			}
			if c.status == answer.StatusError {
				if !strings.Contains(r.Detail, "sub-answer 1") {
					t.Fatalf("error %v does not name the sub-answer", r.Detail)
				}
				return
			}
			var d struct {
				Verdicts []map[string]any `json:"verdicts"`
			}
			if err := json.Unmarshal([]byte(r.Detail), &d); err != nil || len(d.Verdicts) == 0 {
				t.Fatalf("no per-sub-answer verdicts in the detail %q: %v", r.Detail, err)
			}
			vs := d.Verdicts
			right := 0
			for _, v := range vs {
				if v["correct"] == true {
					right++
				}
				if v["status"] == "" {
					t.Fatalf("verdict without status: %v", v)
				}
			}
			if float64(right)/float64(len(vs)) != c.score {
				t.Fatalf("verdicts %v do not average to %g", vs, c.score)
			}
		})
	}
}
