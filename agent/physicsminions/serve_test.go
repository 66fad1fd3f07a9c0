package physicsminions

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/agent"
	"github.com/ascent-rl/ascent/agent/agenttest"
	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/serve"
)

// TestTheLoopAgainstAscentServe runs the loop over HTTP against `ascent serve` with the builtin
// tiny model: its replies are nonsense, so every review lacks a verdict; the loop, the trace and
// the scoring must still be right. The prompts are overridden with short ones, because the tiny
// model's context is 512 tokens.
func TestTheLoopAgainstAscentServe(t *testing.T) {
	url := agenttest.ServeTiny(t)
	ctx := context.Background()
	prompts := t.TempDir()
	for role, text := range map[string]string{"system": "Be brief.", RoleSolver: "Solve: {{.Problem}}",
		RoleIntrospector: "Fix: {{.Solution}}", RolePhysics: "Check: {{.Solution}}", RoleGeneral: "Check: {{.Solution}}"} {
		if err := os.WriteFile(filepath.Join(prompts, role+".tmpl"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := agent.NewClient(agent.Config{Endpoint: url, Model: serve.BuiltinTiny, Workflow: Workflow, MaxTokens: 24})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckModel(ctx); err != nil {
		t.Fatal(err)
	}
	m := &Minions{Client: c, Prompts: agent.Prompts{Workflow: Workflow, Dir: prompts}, Budget: agent.Budget{MaxRounds: 3}, TraceDir: t.TempDir()}
	p := Problem{ID: "T_1", Exam: "T", Text: "How many moles are in 12 g of carbon-12?", NumAnswers: 1}
	r, err := m.Solve(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	// no verdicts: solver, review (fail); revision, review (fail: 2 in a row, discard); solver, review
	want := []string{S, P, I, P, S, P}
	roles, calls, final := traceRoles(t, r.Trace)
	if !reflect.DeepEqual(roles, want) {
		t.Fatalf("trace roles %v, want %v", roles, want)
	}
	if r.Status != StatusBudgetEnded || r.BudgetEnd != agent.EndRounds || r.ParseFailures != 3 || r.Solutions != 2 || r.Revisions != 1 {
		t.Errorf("result %+v", r)
	}
	for _, c := range calls {
		if c.Complete == 0 || c.Prompt == 0 || c.Reply == "" {
			t.Errorf("%s call has no usage or reply: %+v", c.Role, c)
		}
		if (c.Role == P) != strings.HasPrefix(c.Verdict, "parse_error:") {
			t.Errorf("%s call verdict %q", c.Role, c.Verdict)
		}
	}
	// the best solution is the latest (all have 0 passes): the second solver's
	if r.Solution != calls[4].Reply || final.Outcome["solution"] != r.Solution || final.Outcome["parse_failures"] != float64(3) {
		t.Errorf("final solution %q, outcome %v; want the last solver reply %q", r.Solution, final.Outcome, calls[4].Reply)
	}
	e := &Exam{Name: "T", Problems: []Problem{p}, Max: 1, Golds: map[string][]Gold{"T_1": {{PhysicsGold: answer.PhysicsGold{Answer: `\boxed{1}`, Unit: "mol", Type: answer.TypeNumerical}, Points: 1}}}}
	g, err := NewAnswerScorer(e).Score(ctx, p, r.Solution)
	if err != nil {
		t.Fatal(err)
	}
	want1 := answer.GradePhysics(r.Solution, []answer.PhysicsGold{e.Golds["T_1"][0].PhysicsGold}, answer.DefaultOptions()).Verdicts[0].Correct
	if g.Max != 1 || g.Correct[0] != want1 || (g.Points == 1) != want1 {
		t.Errorf("grade %+v of %q", g, r.Solution)
	}
}
