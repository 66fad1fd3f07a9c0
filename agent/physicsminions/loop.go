package physicsminions

import (
	"context"
	"errors"

	"github.com/ascent-rl/ascent/agent"
)

// loop is the state of one problem's run.
type loop struct {
	m    *Minions
	s    *agent.Session
	p    Problem
	r    *Result
	best struct {
		solution string
		passes   int
		set      bool
	}
}

// cv is the configured CV or DefaultCV.
func (l *loop) cv() int {
	if l.m.CV > 0 {
		return l.m.CV
	}
	return DefaultCV
}

// errBudget stops the loop when a limit is reached before a call.
var errBudget = errors.New("budget ended")

// consider keeps the best solution: most consecutive passes, then latest.
func (l *loop) consider(solution string, passes int) {
	if !l.best.set || passes >= l.best.passes {
		l.best.solution, l.best.passes, l.best.set = solution, passes, true
	}
}

// call renders role's prompt and makes one call in round, after checking the budget.
func (l *loop) call(ctx context.Context, role string, round int, data map[string]any, parse func(string) (string, error)) (agent.Reply, error) {
	if end := l.s.Exhausted(round); end != "" {
		l.r.BudgetEnd = end
		return agent.Reply{}, errBudget
	}
	data["Problem"], data["NumAnswers"], data["Round"] = l.p.Text, l.p.NumAnswers, round
	sys, err := l.m.Prompts.Render("system", data)
	if err != nil {
		return agent.Reply{}, err
	}
	user, err := l.m.Prompts.Render(role, data)
	if err != nil {
		return agent.Reply{}, err
	}
	l.r.Calls++
	return l.s.Call(ctx, role, round, []agent.Message{{Role: "system", Content: sys}, {Role: "user", Content: user}}, parse)
}

// baseline is the solver alone: one call.
func (l *loop) baseline(ctx context.Context) error {
	l.r.Rounds, l.r.Status = 1, StatusBaseline
	rep, err := l.call(ctx, RoleSolver, 1, map[string]any{}, nil)
	if errors.Is(err, errBudget) {
		l.r.Status = StatusBudgetEnded
		return nil
	}
	if err != nil {
		return err
	}
	l.r.Solution, l.r.Solutions = rep.Content, 1
	return nil
}

// review asks one reviewer about solution: passed, or the bug report. A reply without a verdict
// line is counted and treated as a failure whose report is the whole reply.
func (l *loop) review(ctx context.Context, role string, round int, solution string) (bool, string, error) {
	rep, err := l.call(ctx, role, round, map[string]any{"Solution": solution}, parseVerdict)
	var pe *agent.ParseError
	if errors.As(err, &pe) {
		l.r.ParseFailures++
		return false, "The " + role + " gave no verdict line. Its review was:\n" + rep.Content, nil
	}
	if err != nil {
		return false, "", err
	}
	pass, report, _ := ParseVerdict(rep.Content)
	return pass, "Bug report from the " + role + ":\n" + report, nil
}

// run is the solve–review loop; it ends accepted or at the budget, with the best solution.
func (l *loop) run(ctx context.Context) error {
	err := l.rounds(ctx)
	if errors.Is(err, errBudget) {
		l.r.Status, err = StatusBudgetEnded, nil
	}
	if l.r.Status == StatusBudgetEnded {
		l.r.Solution, l.r.Passes = l.best.solution, l.best.passes
	}
	return err
}

func (l *loop) rounds(ctx context.Context) error {
	var solution, report string
	passes, fails := 0, 0
	for round := 1; ; round++ {
		if end := l.s.Exhausted(round); end != "" {
			l.r.BudgetEnd = end
			return errBudget
		}
		l.r.Rounds = round
		switch {
		case solution == "":
			rep, err := l.call(ctx, RoleSolver, round, map[string]any{}, nil)
			if err != nil {
				return err
			}
			solution, report, passes, fails = rep.Content, "", 0, 0
			l.r.Solutions++
			l.consider(solution, 0)
		case report != "":
			rep, err := l.call(ctx, RoleIntrospector, round, map[string]any{"Solution": solution, "Report": report}, nil)
			if err != nil {
				return err
			}
			solution, report = rep.Content, ""
			l.r.Revisions++
			l.consider(solution, 0)
		}
		pass, rep, err := l.review(ctx, RolePhysics, round, solution)
		if err == nil && pass {
			pass, rep, err = l.review(ctx, RoleGeneral, round, solution)
		}
		if err != nil {
			return err
		}
		if pass {
			passes, fails = passes+1, 0
			l.consider(solution, passes)
			if passes >= l.cv() {
				l.r.Status, l.r.Solution, l.r.Passes = StatusAccepted, solution, passes
				return nil
			}
			continue
		}
		passes, fails, report = 0, fails+1, rep
		l.consider(solution, 0)
		if fails >= l.cv() {
			solution, report = "", "" // discard: the next round asks the solver afresh
		}
	}
}
