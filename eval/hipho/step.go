package hipho

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// JudgeRequest is what a judge sees for one marking criterion.
type JudgeRequest struct {
	Criterion string // the criterion text ("Award 0.2 pt if …")
	Problem   string // the problem as the model saw it (context and question)
	Reference string // the official answers, with units
	Response  string // the model's solution
}

// Judge grades one criterion: it returns the judge model's reply text, from which the awarded
// points are parsed (ParseAward). OpenAIJudge is the implementation for an OpenAI-compatible
// endpoint.
type Judge interface {
	Judge(ctx context.Context, req JudgeRequest) (string, error)
}

// CriterionGrade is the judge's grade of one criterion.
type CriterionGrade struct {
	Scheme     int     `json:"scheme"`     // 0-based scheme index
	Index      int     `json:"index"`      // 0-based criterion index in the scheme
	Allocation float64 `json:"allocation"` // parsed from the criterion text
	Awarded    float64 `json:"awarded"`    // the judge's points clamped to [0, Allocation]
	Status     string  `json:"status"`     // StatusOK, StatusJudgeError, StatusJudgeUnparsable
	Reply      string  `json:"reply,omitempty"`
}

// StepGrade is the step-level grade of one response: every criterion of every scheme, and the
// best complete scheme.
type StepGrade struct {
	Best       int              `json:"best"`    // index of the best complete scheme; -1 when none is complete
	Score      float64          `json:"score"`   // the best complete scheme's points, capped at the problem's full mark
	Schemes    []float64        `json:"schemes"` // each scheme's points (incomplete schemes too)
	Criteria   []CriterionGrade `json:"criteria"`
	Unparsable int              `json:"unparsable"` // judge replies without awarded points
	Errors     int              `json:"errors"`     // judge calls that failed after retries
}

// Reference is the official answers of a problem as the judge sees them.
func Reference(p *Problem) string {
	var b strings.Builder
	for i, a := range p.Answer {
		fmt.Fprintf(&b, "%d. %s", i+1, a)
		if u := p.UnitOf(i); u != "" {
			fmt.Fprintf(&b, " (unit: %s)", u)
		}
		fmt.Fprintf(&b, " [%g pt]\n", p.Points[i])
	}
	return b.String()
}

// GradeSteps grades a response against every criterion of the problem's marking schemes, one judge
// call per criterion (concurrently; the judge bounds its own concurrency). A scheme is complete
// when every criterion's reply was read; a criterion's points are clamped to its allocation; the
// score is the best complete scheme's. A criterion without parsable points is an error.
func GradeSteps(ctx context.Context, j Judge, e *Exam, p *Problem, response string) (*StepGrade, error) {
	schemes, err := Schemes(p)
	if err != nil {
		return nil, err
	}
	g := &StepGrade{Best: -1, Schemes: make([]float64, len(schemes))}
	for s, sc := range schemes {
		for c := range sc {
			g.Criteria = append(g.Criteria, CriterionGrade{Scheme: s, Index: c, Allocation: sc[c].Allocation})
		}
	}
	problem := problemText(e, p)
	ref := Reference(p)
	var wg sync.WaitGroup
	for i := range g.Criteria {
		wg.Go(func() {
			cg := &g.Criteria[i]
			reply, err := j.Judge(ctx, JudgeRequest{Criterion: schemes[cg.Scheme][cg.Index].Text, Problem: problem, Reference: ref, Response: response})
			if err != nil {
				cg.Status, cg.Reply = StatusJudgeError, err.Error()
				return
			}
			cg.Reply = reply
			x, ok := ParseAward(reply)
			if !ok {
				cg.Status = StatusJudgeUnparsable
				return
			}
			cg.Status, cg.Awarded = StatusOK, clamp(x, cg.Allocation)
		})
	}
	wg.Wait()
	complete := make([]bool, len(schemes))
	for s := range complete {
		complete[s] = true
	}
	for _, cg := range g.Criteria {
		switch cg.Status {
		case StatusJudgeError:
			g.Errors++
			complete[cg.Scheme] = false
		case StatusJudgeUnparsable:
			g.Unparsable++
			complete[cg.Scheme] = false
		}
		g.Schemes[cg.Scheme] += cg.Awarded
	}
	for s := range schemes {
		if complete[s] && (g.Best < 0 || g.Schemes[s] > g.Schemes[g.Best]) {
			g.Best = s
		}
	}
	if g.Best >= 0 {
		g.Score = min(g.Schemes[g.Best], p.MaxPoints())
	}
	return g, nil
}

// problemText is the problem as the judge sees it: constants, context and question.
func problemText(e *Exam, p *Problem) string {
	var b strings.Builder
	if info := information(e, p); info != "" {
		b.WriteString(info + "\n\n")
	}
	if c := strings.TrimSpace(p.Context); c != "" {
		b.WriteString(c + "\n\n")
	}
	b.WriteString(strings.TrimSpace(p.Question))
	return b.String()
}
