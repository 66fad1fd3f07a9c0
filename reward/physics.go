package reward

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ascent-rl/ascent/answer"
)

// Physics is P1's reward (arXiv 2511.13612): the mean correctness of a problem's required
// answers, like unit tests — the response's last N \boxed{} against the N golds in order, each
// compared by its answer type and unit (answer.GradePhysics). A 4-answer problem with 3 right
// scores 0.75. The verdict is Correct when every sub-answer is right; its Pred lists the
// sub-answers' predictions joined by " | ", and its Detail is the JSON of the per-sub-answer
// verdicts ({"boxes": n, "verdicts": [{correct, status, pred, gold, detail}, …]}), which the
// samples file keeps.
//
// The ground truth is JSON, either a list of golds
//
//	[{"answer": "5.31\\times10^{-11}", "unit": "m", "type": "Numerical Value"}, {"answer": "v=\\sqrt{2gh}", "type": "Expression"}]
//
// (optional "tolerance": relative tolerance of a Numerical Value) or a HiPhO row's parallel lists
// {"answer": [...], "unit": [...], "answer_type": [...]}. A ground truth that is not JSON is one
// Open-Ended gold compared as a math answer.
func Physics(ctx context.Context, req Request) Result {
	golds, err := PhysicsGolds(req.GroundTruth)
	if err != nil {
		return failed(answer.StatusError, err.Error())
	}
	res := answer.GradePhysics(req.Solution, golds, options(ctx))
	verdicts := make([]map[string]any, len(res.Verdicts))
	preds := make([]string, len(res.Verdicts))
	status, all, unparsable := answer.StatusOK, true, 0
	for i, v := range res.Verdicts {
		verdicts[i] = map[string]any{"correct": v.Correct, "status": string(v.Status), "pred": v.Pred, "gold": golds[i].Answer, "detail": v.Detail}
		preds[i] = v.Pred
		all = all && v.Correct
		switch v.Status {
		case answer.StatusError, answer.StatusTimeout:
			status = v.Status
		case answer.StatusUnparsable:
			unparsable++
		}
	}
	if status == answer.StatusOK && unparsable == len(res.Verdicts) {
		status = answer.StatusUnparsable
	}
	detail, _ := json.Marshal(map[string]any{"boxes": res.Boxes, "verdicts": verdicts})
	return Result{Score: res.Score, Verdict: answer.Verdict{Correct: all && status == answer.StatusOK, Status: status,
		Pred: strings.Join(preds, " | "), Detail: string(detail)}}
}

// physicsGold is one gold of a physics ground truth.
type physicsGold struct {
	Answer    string  `json:"answer"`
	Unit      *string `json:"unit"`
	Type      string  `json:"type"`
	Tolerance float64 `json:"tolerance"`
}

// PhysicsGolds parses a physics ground truth (see Physics). Errors name the sub-answer and field.
func PhysicsGolds(truth string) ([]answer.PhysicsGold, error) {
	t := strings.TrimSpace(truth)
	switch {
	case t == "":
		return nil, fmt.Errorf("physics ground truth is empty")
	case t[0] == '[':
		var raw []physicsGold
		if err := json.Unmarshal([]byte(t), &raw); err != nil {
			return nil, fmt.Errorf("physics ground truth: want [{\"answer\", \"unit\", \"type\"}, …]: %w", err)
		}
		out := make([]answer.PhysicsGold, len(raw))
		for i, g := range raw {
			typ, err := answer.ParseAnswerType(g.Type)
			if err != nil {
				return nil, fmt.Errorf("physics ground truth sub-answer %d: %w", i+1, err)
			}
			if strings.TrimSpace(g.Answer) == "" {
				return nil, fmt.Errorf("physics ground truth sub-answer %d: empty answer", i+1)
			}
			out[i] = answer.PhysicsGold{Answer: g.Answer, Type: typ, Tolerance: g.Tolerance}
			if g.Unit != nil {
				out[i].Unit = *g.Unit
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("physics ground truth: no golds")
		}
		return out, nil
	case t[0] == '{':
		var row struct {
			Answer []string  `json:"answer"`
			Unit   []*string `json:"unit"`
			Type   []string  `json:"answer_type"`
		}
		if err := json.Unmarshal([]byte(t), &row); err != nil {
			return nil, fmt.Errorf("physics ground truth: want {\"answer\": [...], \"unit\": [...], \"answer_type\": [...]}: %w", err)
		}
		if len(row.Answer) == 0 || len(row.Type) != len(row.Answer) || (len(row.Unit) != len(row.Answer) && len(row.Unit) > 1) {
			return nil, fmt.Errorf("physics ground truth: answer, unit, answer_type have lengths %d, %d, %d; want equal", len(row.Answer), len(row.Unit), len(row.Type))
		}
		list := make([]physicsGold, len(row.Answer))
		for i := range row.Answer {
			list[i] = physicsGold{Answer: row.Answer[i], Type: row.Type[i]}
			if len(row.Unit) > 0 {
				list[i].Unit = row.Unit[min(i, len(row.Unit)-1)]
			}
		}
		b, _ := json.Marshal(list)
		return PhysicsGolds(string(b))
	}
	return []answer.PhysicsGold{{Answer: t, Type: answer.TypeOpen}}, nil
}

func init() { Register("physics", Physics) }
