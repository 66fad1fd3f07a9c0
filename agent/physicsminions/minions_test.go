package physicsminions

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/agent"
	"github.com/ascent-rl/ascent/agent/agenttest"
)

// Short names for the role sequences the tests expect.
const (
	S = RoleSolver
	I = RoleIntrospector
	P = RolePhysics
	G = RoleGeneral
)

const (
	pass = "Units and constants check out.\nVERDICT: PASS"
	fail = "Step 2 drops a factor of 2.\nVERDICT: FAIL"
)

// roleScript answers each role from its own queue of replies; a call beyond the queue is a 400.
type roleScript struct {
	mu      sync.Mutex
	replies map[string][]agenttest.Answer
}

func (r *roleScript) answer(_ int, c agenttest.Call) agenttest.Answer {
	r.mu.Lock()
	defer r.mu.Unlock()
	role := strings.TrimPrefix(c.Role, Workflow+"/")
	q := r.replies[role]
	if len(q) == 0 {
		return agenttest.Answer{Status: 400}
	}
	r.replies[role] = q[1:]
	return q[0]
}

func say(texts ...string) []agenttest.Answer {
	out := make([]agenttest.Answer, len(texts))
	for i, t := range texts {
		out[i] = agenttest.Answer{Content: t}
	}
	return out
}

var testProblem = Problem{ID: "T_1", Exam: "T", Text: "A ball falls from 20 m with g = 10 m/s^2. How long does it fall?", NumAnswers: 1}

// traceRoles reads a trace file: the roles of its call records, its call records and its final record.
func traceRoles(t *testing.T, path string) ([]string, []agent.Record, agent.Record) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var roles []string
	var calls []agent.Record
	var final agent.Record
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r agent.Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		switch r.Kind {
		case "call":
			roles, calls = append(roles, r.Role), append(calls, r)
		case "final":
			final = r
		}
	}
	return roles, calls, final
}

func newMinions(t *testing.T, url string, cfg agent.Config, budget agent.Budget) *Minions {
	t.Helper()
	cfg.Endpoint, cfg.Model, cfg.Workflow = url, "m", Workflow
	c, err := agent.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckModel(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &Minions{Client: c, Prompts: agent.Prompts{Workflow: Workflow}, Budget: budget, TraceDir: t.TempDir()}
}

func TestTheLoopFollowsTheStoppingRules(t *testing.T) {
	tests := []struct {
		name     string
		replies  map[string][]agenttest.Answer
		cfg      agent.Config
		budget   agent.Budget
		baseline bool
		cv       int
		roles    []string // the trace's call sequence
		status   string
		final    string // the final solution
		passes   int
		extra    func(t *testing.T, r Result, calls []agent.Record, srv []agenttest.Call)
	}{
		{name: "accept after two passes", replies: map[string][]agenttest.Answer{S: say(`t = \boxed{2} s`), P: say(pass, pass), G: say(pass, pass)},
			roles: []string{S, P, G, P, G}, status: StatusAccepted, final: `t = \boxed{2} s`, passes: 2},
		{name: "CV = 3 takes three passes", cv: 3, replies: map[string][]agenttest.Answer{S: say(`\boxed{2} s`), P: say(pass, pass, pass), G: say(pass, pass, pass)},
			roles: []string{S, P, G, P, G, P, G}, status: StatusAccepted, final: `\boxed{2} s`, passes: 3},
		{name: "fail, revise, accept", replies: map[string][]agenttest.Answer{S: say(`\boxed{4} s`), I: say(`\boxed{2} s`), P: say(fail, pass, pass), G: say(pass, pass)},
			roles: []string{S, P, I, P, G, P, G}, status: StatusAccepted, final: `\boxed{2} s`, passes: 2,
			extra: func(t *testing.T, r Result, calls []agent.Record, _ []agenttest.Call) {
				user := calls[2].Messages[1].Content
				if !strings.Contains(user, `\boxed{4} s`) || !strings.Contains(user, "Step 2 drops a factor of 2.") || strings.Contains(user, "VERDICT") {
					t.Errorf("the introspector's prompt lacks the solution or the bug report (or keeps the verdict line):\n%s", user)
				}
				if calls[1].Verdict != "FAIL" || calls[3].Verdict != "PASS" || r.Revisions != 1 || r.Solutions != 1 {
					t.Errorf("verdicts %q %q, result %+v", calls[1].Verdict, calls[3].Verdict, r)
				}
			}},
		{name: "two failures restart with a fresh solution", replies: map[string][]agenttest.Answer{S: say(`\boxed{4} s`, `\boxed{2} s`), I: say(`\boxed{3} s`),
			P: say(fail, pass, pass, pass), G: say(fail, pass, pass)},
			roles: []string{S, P, I, P, G, S, P, G, P, G}, status: StatusAccepted, final: `\boxed{2} s`, passes: 2,
			extra: func(t *testing.T, r Result, calls []agent.Record, _ []agenttest.Call) {
				if r.Solutions != 2 || r.Revisions != 1 {
					t.Errorf("result %+v, want 2 solutions and 1 revision", r)
				}
				if calls[5].Round != 3 || strings.Contains(calls[5].Messages[1].Content, `\boxed{3}`) {
					t.Errorf("the fresh solver call (round %d) is not fresh:\n%s", calls[5].Round, calls[5].Messages[1].Content)
				}
			}},
		{name: "a missing verdict line is a counted failure", replies: map[string][]agenttest.Answer{S: say(`\boxed{4} s`), I: say(`\boxed{2} s`),
			P: say("I think it is fine.", pass, pass), G: say(pass, "Looks right.\nVERDICT: **PASS**")},
			roles: []string{S, P, I, P, G, P, G}, status: StatusAccepted, final: `\boxed{2} s`, passes: 2,
			extra: func(t *testing.T, r Result, calls []agent.Record, _ []agenttest.Call) {
				if r.ParseFailures != 1 || !strings.HasPrefix(calls[1].Verdict, "parse_error:") {
					t.Errorf("parse failures %d, verdict %q", r.ParseFailures, calls[1].Verdict)
				}
				if !strings.Contains(calls[2].Messages[1].Content, "I think it is fine.") {
					t.Error("the verdict-less review is not handed to the introspector")
				}
			}},
		{name: "a server that times out, then recovers", replies: map[string][]agenttest.Answer{
			S: {{Content: "slow", Delay: 2 * time.Second}, {Content: `\boxed{2} s`}}, P: say(pass, pass), G: say(pass, pass)},
			cfg:   agent.Config{Timeout: 300 * time.Millisecond, Backoff: 10 * time.Millisecond},
			roles: []string{S, P, G, P, G}, status: StatusAccepted, final: `\boxed{2} s`, passes: 2,
			extra: func(t *testing.T, r Result, calls []agent.Record, srv []agenttest.Call) {
				if calls[0].Attempts != 2 || len(srv) != 6 || srv[0].Role != "physicsminions/solver" || srv[1].Role != "physicsminions/solver" {
					t.Errorf("attempts %d, %d requests (want the solver twice, then 4 reviews)", calls[0].Attempts, len(srv))
				}
			}},
		{name: "the round budget ends the loop with the best solution", budget: agent.Budget{MaxRounds: 3},
			replies: map[string][]agenttest.Answer{S: say(`\boxed{2} s`), I: say(`\boxed{5} s`), P: say(pass, fail, fail), G: say(pass)},
			roles:   []string{S, P, G, P, I, P}, status: StatusBudgetEnded, final: `\boxed{2} s`, passes: 1,
			extra: func(t *testing.T, r Result, _ []agent.Record, _ []agenttest.Call) {
				if r.BudgetEnd != agent.EndRounds {
					t.Errorf("budget end %q", r.BudgetEnd)
				}
			}},
		{name: "the token budget ends the loop after the first solution", budget: agent.Budget{MaxTokens: 10},
			replies: map[string][]agenttest.Answer{S: say(`\boxed{2} s`)},
			roles:   []string{S}, status: StatusBudgetEnded, final: `\boxed{2} s`, passes: 0},
		{name: "baseline is the solver alone", baseline: true, replies: map[string][]agenttest.Answer{S: say(`\boxed{2} s`)},
			roles: []string{S}, status: StatusBaseline, final: `\boxed{2} s`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			script := &roleScript{replies: tc.replies}
			srv := agenttest.New(script.answer, "m")
			defer srv.Close()
			m := newMinions(t, srv.URL, tc.cfg, tc.budget)
			m.Baseline, m.CV = tc.baseline, tc.cv
			r, err := m.Solve(context.Background(), testProblem)
			if err != nil {
				t.Fatal(err)
			}
			roles, calls, final := traceRoles(t, r.Trace)
			if !reflect.DeepEqual(roles, tc.roles) {
				t.Errorf("trace roles %v, want %v", roles, tc.roles)
			}
			for _, c := range srv.Calls() {
				if !strings.HasPrefix(c.Role, Workflow+"/") {
					t.Errorf("role header %q", c.Role)
				}
			}
			if r.Status != tc.status || r.Solution != tc.final || r.Passes != tc.passes || r.Calls != len(tc.roles) {
				t.Errorf("result %+v, want status %s, solution %q, %d passes, %d calls", r, tc.status, tc.final, tc.passes, len(tc.roles))
			}
			if final.Kind != "final" || final.Outcome["solution"] != tc.final || final.Outcome["status"] != tc.status || final.Calls != len(tc.roles) {
				t.Errorf("final record %+v", final)
			}
			if tc.status == StatusBudgetEnded && final.BudgetEnd == "" {
				t.Error("a budget-ended run has no budget_end in its final record")
			}
			if tc.extra != nil {
				tc.extra(t, r, calls, srv.Calls())
			}
		})
	}
}

func TestAnInterruptedRunResumesWithoutRepeatingCalls(t *testing.T) {
	dir := t.TempDir()
	down := &roleScript{replies: map[string][]agenttest.Answer{S: say(`\boxed{4} s`), I: say(`\boxed{2} s`), P: say(fail)}}
	srv := agenttest.New(down.answer, "m")
	m := newMinions(t, srv.URL, agent.Config{Retries: -1}, agent.Budget{})
	m.TraceDir = dir
	if _, err := m.Solve(context.Background(), testProblem); err == nil || !strings.Contains(err.Error(), "T_1") {
		t.Fatalf("the interrupted run returned %v, want an error naming the problem", err) // the 2nd physics review gets a 400
	}
	srv.Close()
	up := &roleScript{replies: map[string][]agenttest.Answer{P: say(pass, pass), G: say(pass, pass)}}
	srv2 := agenttest.New(up.answer, "m")
	defer srv2.Close()
	m2 := newMinions(t, srv2.URL, agent.Config{}, agent.Budget{})
	m2.TraceDir = dir
	r, err := m2.Solve(context.Background(), testProblem)
	if err != nil {
		t.Fatal(err)
	}
	var sent []string
	for _, c := range srv2.Calls() {
		sent = append(sent, strings.TrimPrefix(c.Role, Workflow+"/"))
	}
	if want := []string{P, G, P, G}; !reflect.DeepEqual(sent, want) {
		t.Errorf("the resumed run sent %v, want %v (solver, review and revision come from the trace)", sent, want)
	}
	roles, _, _ := traceRoles(t, filepath.Join(dir, "T_1.jsonl"))
	if want := []string{S, P, I, P, G, P, G}; !reflect.DeepEqual(roles, want) || r.Resumed != 3 || r.Solution != `\boxed{2} s` {
		t.Errorf("trace roles %v, resumed %d, solution %q", roles, r.Resumed, r.Solution)
	}
}

func TestParseVerdict(t *testing.T) {
	tests := []struct {
		reply  string
		pass   bool
		report string
		bad    bool
	}{
		{"fine\nVERDICT: PASS", true, "fine", false},
		{"wrong unit\nverdict: fail.\n\n", false, "wrong unit", false},
		{"**VERDICT: FAIL**", false, "", false},
		{"VERDICT: PASS\nbut actually no", false, "", true},
		{"", false, "", true},
		{"VERDICT: MAYBE", false, "", true},
	}
	for _, tc := range tests {
		pass, report, err := ParseVerdict(tc.reply)
		if (err != nil) != tc.bad || pass != tc.pass || report != tc.report {
			t.Errorf("ParseVerdict(%q) = %v, %q, %v", tc.reply, pass, report, err)
		}
	}
}
