package hipho

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// job is one problem to grade.
type job struct {
	e    *Exam
	p    *Problem
	resp string
	has  bool
}

// ScoreResponses grades one model's responses and sums them per exam: the exams of
// Options.Exams, or those the responses answer. Problems without a response score 0 (counted as
// missing). A response names its problem by id (its exam is found from the id, or given); an id
// no exam has, a duplicate id, or responses from several models are errors.
func (b *Benchmark) ScoreResponses(ctx context.Context, resps []Response) (*Result, error) {
	res := &Result{Exams: map[string]ExamScore{}, Grades: map[string]ProblemGrade{}}
	byID := map[string]string{}
	touched := map[string]bool{}
	for i, r := range resps {
		if i > 0 && r.Model != resps[0].Model {
			return nil, fmt.Errorf("hipho: responses from several models (%q, %q): score them one model at a time (ScoreByModel)", resps[0].Model, r.Model)
		}
		res.Model = r.Model
		exam := r.Exam
		if exam == "" {
			if exam = b.examOf[r.ID]; exam == "" {
				return nil, fmt.Errorf("hipho: response for unknown problem %q (ids look like IPhO_2025_1_A_1)", r.ID)
			}
		}
		e, ok := b.exams[exam]
		if !ok {
			return nil, fmt.Errorf("hipho: response %q: unknown exam %q; known: %s", r.ID, exam, strings.Join(b.names, ", "))
		}
		if e.Problem(r.ID) == nil {
			return nil, fmt.Errorf("hipho: exam %s has no problem %q", exam, r.ID)
		}
		if _, dup := byID[r.ID]; dup {
			return nil, fmt.Errorf("hipho: two responses for problem %s (model %q)", r.ID, r.Model)
		}
		byID[r.ID], touched[exam] = r.Response, true
	}
	names := b.opt.Exams
	if len(names) == 0 {
		for n := range touched {
			names = append(names, n)
		}
		sort.Strings(names)
	}
	var jobs []job
	used := 0
	for _, n := range names {
		e, err := b.Exam(n)
		if err != nil {
			return nil, err
		}
		for i := range e.Problems {
			p := &e.Problems[i]
			r, has := byID[p.ID]
			if has {
				used++
			}
			jobs = append(jobs, job{e: e, p: p, resp: r, has: has})
		}
	}
	res.Counts.Skipped = len(byID) - used
	grades := make([]ProblemGrade, len(jobs))
	errs := make([]error, len(jobs))
	pool(len(jobs), b.opt.Workers, func(i int) { grades[i], errs[i] = b.grade(ctx, jobs[i]) })
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("hipho: exam %s problem %s: %w", jobs[i].e.Name, jobs[i].p.ID, err)
		}
	}
	for i, g := range grades {
		e := jobs[i].e
		es, ok := res.Exams[e.Name]
		if !ok {
			es = ExamScore{Max: round6(e.MaxPoints()), Medal: None, Problems: map[string]float64{}}
		}
		es.Problems[g.ID] = g.Score
		es.Score = round6(es.Score + g.Score)
		res.Exams[e.Name] = es
		res.Grades[g.ID] = g
		c := &res.Counts
		c.Problems++
		switch g.Status {
		case StatusNoAnswer:
			c.NoAnswer++
		case StatusMissing:
			c.Missing++
		}
		if g.Step != nil {
			c.StepGraded++
		}
		c.JudgeCalls += g.Judge.Calls
		c.JudgeAccepted += g.Judge.Accepted
		c.JudgeUnparsable += g.Judge.Unparsable
		c.JudgeErrors += g.Judge.Errors
	}
	for name, es := range res.Exams {
		es.Medal = b.Medal(name, es.Score)
		res.Exams[name] = es
	}
	return res, nil
}

// Medal is the medal score earns in exam against its official thresholds ("none" below bronze
// or for an exam without thresholds, CPhO 2025).
func (b *Benchmark) Medal(exam string, score float64) string {
	if th, ok := b.thresholds[exam]; ok {
		return th.Medal(score)
	}
	return None
}

// JudgeUse counts one problem's judge requests.
type JudgeUse struct {
	Calls      int `json:"calls,omitempty"`
	Accepted   int `json:"accepted,omitempty"`   // rule misses the judge accepted
	Unparsable int `json:"unparsable,omitempty"` // replies without points
	Errors     int `json:"errors,omitempty"`     // failed calls
}

// grade grades one problem: answer-level, then (with a judge, unless grading is answer-level) the
// rule misses re-checked when asked and the marking schemes step-level; the better of the two
// levels is the problem's score. A response without a box scores 0 without any judge call, and
// one with full marks answer-level is not step-graded.
func (b *Benchmark) grade(ctx context.Context, j job) (ProblemGrade, error) {
	if !j.has {
		return ProblemGrade{ID: j.p.ID, Max: j.p.MaxPoints(), Status: StatusMissing, Level: "answer"}, nil
	}
	g, err := GradeAnswer(j.p, j.resp, b.opt.Verify)
	if err != nil || g.Status == StatusNoAnswer {
		return g, err
	}
	judge := b.opt.Judge
	if judge == nil || b.opt.Grading == GradingAnswer {
		g.Score = round6(g.Score)
		return g, nil
	}
	if b.opt.RecheckWithJudge {
		b.recheck(ctx, j, &g)
	}
	if len(j.p.Marking.Schemes) > 0 && g.Score < g.Max-1e-9 { // full marks answer-level cannot improve
		sg, err := GradeSteps(ctx, judge, j.e, j.p, j.resp)
		if err != nil {
			return g, err
		}
		g.Step = sg
		g.Judge.Calls += len(sg.Criteria)
		g.Judge.Unparsable += sg.Unparsable
		g.Judge.Errors += sg.Errors
		switch {
		case sg.Best < 0 && sg.Errors > 0:
			g.Status = StatusJudgeError
		case sg.Best < 0:
			g.Status = StatusJudgeUnparsable
		case sg.Score > g.Score:
			g.Score, g.Level = sg.Score, "step"
		}
	}
	g.Score = round6(g.Score)
	return g, nil
}

// recheck asks the judge about each sub-answer the rule check rejected; an accepted one earns its
// points.
func (b *Benchmark) recheck(ctx context.Context, j job, g *ProblemGrade) {
	n := len(g.Sub)
	for i := range g.Sub {
		s := &g.Sub[i]
		if s.Verdict.Correct || s.Points <= 0 || strings.TrimSpace(j.p.Answer[i]) == "" {
			continue // right, worthless, or no gold to compare with (Open-Ended: step-level only)
		}
		unit := ""
		if u := j.p.UnitOf(i); u != "" {
			unit = " (unit: " + u + ")"
		}
		crit := fmt.Sprintf("Award %g pt if final answer %d of %d of the solution (its boxed answers, in order) is equivalent to the official answer %s%s; an equivalent form, or the same value in other units, counts. Otherwise, award 0 pt.",
			s.Points, i+1, n, j.p.Answer[i], unit)
		g.Judge.Calls++
		reply, err := b.opt.Judge.Judge(ctx, JudgeRequest{Criterion: crit, Problem: problemText(j.e, j.p), Reference: Reference(j.p), Response: j.resp})
		if err != nil {
			g.Judge.Errors++
			continue
		}
		x, ok := ParseAward(reply)
		if !ok {
			g.Judge.Unparsable++
			continue
		}
		if x >= s.Points-1e-9 {
			s.Judged, s.Earned = true, s.Points
			g.Score += s.Points
			g.Answer += s.Points
			g.Judge.Accepted++
		}
	}
}
