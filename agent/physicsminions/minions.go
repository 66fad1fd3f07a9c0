// Package physicsminions is the text-only PhysicsMinions loop (arXiv 2509.24855) on the agent
// runtime: in the Logic Studio a solver writes a structured solution and an introspector revises
// it from a bug report; in the Review Studio a physics verifier (constants, units, plausibility)
// and then a general verifier (logic, derivation, arithmetic) review it. A solution is accepted
// once it passes both reviewers CV times in a row, discarded for a fresh one after CV failures in
// a row, and the budget ends the loop with the best solution so far. The Visual Studio (figures)
// is out of scope: problems with figures are skipped. See docs/physicsminions.md.
//
//	ascent agent physicsminions --endpoint http://127.0.0.1:8000/v1 --model M --bench hipho:IPhO_2025 --out DIR
package physicsminions

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/ascent-rl/ascent/agent"
)

// DefaultCV is the number of consecutive passes that accepts a solution and of consecutive
// failures that discards it, as in the paper.
const DefaultCV = 2

// Workflow is the first half of every role header ("physicsminions/solver", ...).
const Workflow = "physicsminions"

// The roles, as sent in the role header and named in the trace.
const (
	RoleSolver       = "solver"           // Logic Studio: a fresh structured solution
	RoleIntrospector = "introspector"     // Logic Studio: revises a solution from a bug report
	RolePhysics      = "physics_verifier" // Review Studio, stage 1: constants, units, plausibility
	RoleGeneral      = "general_verifier" // Review Studio, stage 2: logic, derivation, arithmetic
)

// The ways a problem's loop ends.
const (
	StatusAccepted    = "accepted"     // a solution passed both reviewers CV times in a row
	StatusBudgetEnded = "budget_ended" // the budget ended the loop; the best solution so far is final
	StatusBaseline    = "baseline"     // --baseline: the solver's one solution
)

// Minions runs the loop on problems, one session (trace and budget) per problem.
type Minions struct {
	Client   *agent.Client // the endpoint (Workflow "physicsminions")
	Prompts  agent.Prompts // role templates (Workflow "physicsminions")
	Budget   agent.Budget  // hard limit per problem
	CV       int           // consecutive verdicts to accept or discard (0: DefaultCV)
	Baseline bool          // the solver alone, one call per problem
	TraceDir string        // one trace per problem, <dir>/<problem id>.jsonl ("" keeps traces in memory)
}

// Result is what one problem's loop did.
type Result struct {
	Problem       string  `json:"problem"`              // problem id
	Exam          string  `json:"exam"`                 // exam name
	Status        string  `json:"status"`               // accepted, budget_ended or baseline
	BudgetEnd     string  `json:"budget_end,omitempty"` // the limit that ended the loop
	Solution      string  `json:"solution"`             // the final solution
	Passes        int     `json:"passes"`               // consecutive passes of the final solution
	Rounds        int     `json:"rounds"`               // rounds started
	Calls         int     `json:"calls"`                // calls made (resumed ones included)
	Resumed       int     `json:"resumed"`              // calls served from an earlier run's trace
	Tokens        int     `json:"tokens"`               // prompt + completion tokens
	WallMS        float64 `json:"wall_ms"`              // wall time of the problem
	Solutions     int     `json:"solutions"`            // fresh solver solutions (1 + restarts)
	Revisions     int     `json:"revisions"`            // introspector revisions
	ParseFailures int     `json:"parse_failures"`       // reviewer replies without a verdict line
	Trace         string  `json:"trace,omitempty"`      // the trace file
}

// verdictLine is the last line of a review.
var verdictLine = regexp.MustCompile(`(?i)^verdict\s*:\s*(pass|fail)\.?$`)

// ParseVerdict reads a review: its last non-empty line must be "VERDICT: PASS" or
// "VERDICT: FAIL" (case and markdown emphasis aside); the rest is the bug report.
func ParseVerdict(reply string) (pass bool, report string, err error) {
	lines := strings.Split(strings.TrimRight(reply, " \t\r\n"), "\n")
	last := strings.Trim(strings.NewReplacer("*", "", "`", "").Replace(lines[len(lines)-1]), " \t\r#_")
	m := verdictLine.FindStringSubmatch(last)
	if m == nil {
		return false, "", errors.New(`the review does not end with a line "VERDICT: PASS" or "VERDICT: FAIL"`)
	}
	return strings.EqualFold(m[1], "pass"), strings.TrimSpace(strings.Join(lines[:len(lines)-1], "\n")), nil
}

// parseVerdict is the trace's verdict parser.
func parseVerdict(reply string) (string, error) {
	pass, _, err := ParseVerdict(reply)
	if err != nil {
		return "", err
	}
	if pass {
		return "PASS", nil
	}
	return "FAIL", nil
}

// TracePath is the trace file of problem id under dir.
func TracePath(dir, id string) string {
	safe := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r < ' ' {
			return '_'
		}
		return r
	}, id)
	return filepath.Join(dir, safe+".jsonl")
}

// Solve runs the loop on p (resuming its trace when one exists) and writes the final record. A call
// that fails after its retries ends it with an error naming the problem and no final record, so a
// rerun resumes where it stopped.
func (m *Minions) Solve(ctx context.Context, p Problem) (Result, error) {
	start := time.Now()
	r := Result{Problem: p.ID, Exam: p.Exam}
	if p.HasFigures {
		return r, fmt.Errorf("physicsminions: problem %s (%s) has figures; text-only mode skips it", p.ID, p.Exam)
	}
	path := ""
	if m.TraceDir != "" {
		if err := os.MkdirAll(m.TraceDir, 0o755); err != nil {
			return r, err
		}
		path = TracePath(m.TraceDir, p.ID)
		r.Trace = path
	}
	tr, err := agent.OpenTrace(path)
	if err != nil {
		return r, fmt.Errorf("physicsminions: problem %s: %w", p.ID, err)
	}
	l := &loop{m: m, s: agent.NewSession(m.Client, tr, m.Budget), p: p, r: &r}
	if m.Baseline {
		err = l.baseline(ctx)
	} else {
		err = l.run(ctx)
	}
	r.Tokens, r.Resumed, r.WallMS = l.s.Tokens(), tr.Resumed(), float64(time.Since(start))/float64(time.Millisecond)
	if err != nil {
		return r, fmt.Errorf("physicsminions: problem %s (%s): %w", p.ID, p.Exam, err)
	}
	err = l.s.Finish(r.BudgetEnd, map[string]any{"problem": p.ID, "exam": p.Exam, "status": r.Status, "passes": r.Passes,
		"solutions": r.Solutions, "revisions": r.Revisions, "parse_failures": r.ParseFailures, "solution": r.Solution})
	return r, err
}
