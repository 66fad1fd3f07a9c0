package proteusllm

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/agent"
	"github.com/ascent-rl/ascent/agent/agenttest"
	"github.com/ascent-rl/ascent/internal/testutil"
	"github.com/ascent-rl/ascent/proteus"
)

// edgeFor finds the evidence edge id the prompt lists for a relation.
func edgeFor(prompt, prefix string) string {
	m := regexp.MustCompile(`- (e\d+): ` + regexp.QuoteMeta(prefix)).FindStringSubmatch(prompt)
	if m == nil {
		return "e0"
	}
	return m[1]
}

func TestTheLLMPlannerRunsToolsItChoosesAndRejectsMalformedCalls(t *testing.T) {
	disc, err := proteus.LoadCohort(testutil.SharedPath(t, "data", "omics", "cohort_a"))
	if err != nil {
		t.Fatal(err)
	}
	script := func(n int, c agenttest.Call) agenttest.Answer {
		prompt := c.Messages[len(c.Messages)-1].Content
		switch n {
		case 0:
			return agenttest.Answer{Content: "```json\n" + `{"directions": [
 {"entity_a": "protein:*", "relation": "differential_abundance", "entity_b": "clinical:tumor_vs_normal", "tool": "welch_t", "why": "screen"},
 {"entity_a": "protein:NT5E", "relation": "survival_association", "entity_b": "clinical:overall_survival", "tool": "cox", "why": "prognosis"},
 {"entity_a": "protein:ACTB", "relation": "differential_abundance", "entity_b": "clinical:tumor_vs_normal", "tool": "t_test", "why": "bad tool"},
 {"entity_a": "protein:ACTB", "relation": "stage_association", "entity_b": "clinical:stage", "tool": "cox", "why": "wrong tool"}
], "hypotheses": [], "stop": false}` + "\n```"}
		case 1:
			return agenttest.Answer{Content: "Let me think about which proteins matter most."}
		default:
			clu := edgeFor(prompt, "protein:CLU differential_abundance")
			nt5e := edgeFor(prompt, "protein:NT5E survival_association")
			return agenttest.Answer{Content: `{"directions": [], "hypotheses": [
 {"evidence": ["` + clu + `"], "statement": "CLU is higher in tumours."},
 {"evidence": ["` + nt5e + `"], "statement": "High NT5E predicts worse survival."},
 {"evidence": ["e999999"], "statement": "made up"}], "stop": false}`}
		}
	}
	srv := agenttest.New(script, "m")
	defer srv.Close()
	c, err := agent.NewClient(agent.Config{Endpoint: srv.URL, Model: "m", Workflow: "proteus"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckModel(context.Background()); err != nil {
		t.Fatal(err)
	}
	tracePath := filepath.Join(t.TempDir(), "trace.jsonl")
	tr, err := agent.OpenTrace(tracePath)
	if err != nil {
		t.Fatal(err)
	}
	s := proteus.NewStudy(disc, "llm")
	p := &Planner{Session: agent.NewSession(c, tr, agent.Budget{MaxRounds: 3}), Prompts: agent.Prompts{Workflow: "proteus"}}
	st, err := p.Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls()
	if len(calls) != 3 {
		t.Fatalf("%d calls, want 3 (budget of 3 rounds)", len(calls))
	}
	for _, c := range calls {
		if c.Role != "proteus/planner" {
			t.Errorf("role header %q", c.Role)
		}
	}
	if st.BudgetEnd != agent.EndRounds || st.Directions != 2 || st.Hypotheses != 2 || st.Rejected != 4 {
		t.Fatalf("stats %+v", st)
	}
	for _, want := range []string{`no tool "t_test"; known:`, "tool does not apply", "malformed reply", `evidence "e999999"`} {
		if !strings.Contains(strings.Join(st.Reasons, "\n"), want) {
			t.Errorf("reasons lack %q:\n%s", want, strings.Join(st.Reasons, "\n"))
		}
	}
	// the rejection of round 1 is fed back in round 2
	if !strings.Contains(calls[1].Messages[1].Content, "t_test") {
		t.Error("round 2 prompt does not report round 1's rejected tool call")
	}
	// every number of a hypothesis is an edge's
	for _, h := range s.Hypotheses {
		e := s.Graph.Edge(h.Evidence[0])
		if e == nil || e.P != h.P || e.Effect != h.Effect || e.Statistic != h.Statistic || e.Q != h.Q || h.Planner != "llm" {
			t.Errorf("hypothesis %+v does not carry edge %+v", h, e)
		}
	}
	if h := s.Hypotheses[0]; h.EntityA != "protein:CLU" || h.Direction != "higher_in_tumor" || h.Q >= 0.05 {
		t.Errorf("first hypothesis %+v", h)
	}
	if h := s.Hypotheses[1]; h.EntityA != "protein:NT5E" || h.Direction != "worse_survival_when_high" || h.Test != "cox" {
		t.Errorf("second hypothesis %+v", h)
	}
	b, _ := os.ReadFile(tracePath)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 4 {
		t.Fatalf("trace has %d lines, want 3 calls and a final record", len(lines))
	}
	var last agent.Record
	json.Unmarshal([]byte(lines[3]), &last)
	if last.Kind != "final" || last.BudgetEnd != agent.EndRounds || last.Outcome["rejected"].(float64) != 4 {
		t.Errorf("final record %+v", last)
	}
	if !strings.Contains(lines[1], `"verdict":"parse_error`) {
		t.Errorf("round 2 record %s", lines[1])
	}
	// the research process is in the graph: the LLM's directions and the calls they ran
	dirs := 0
	for _, n := range s.Graph.Nodes {
		if n.Kind == proteus.KindDirection && n.Attrs["planner"] == "llm" {
			dirs++
		}
	}
	if dirs != 2 {
		t.Errorf("%d llm direction nodes, want 2", dirs)
	}
}

func TestTheModelStoppingEndsTheRunWithoutABudgetEnd(t *testing.T) {
	disc, err := proteus.LoadCohort(testutil.SharedPath(t, "data", "omics", "cohort_a"))
	if err != nil {
		t.Fatal(err)
	}
	srv := agenttest.New(func(int, agenttest.Call) agenttest.Answer {
		return agenttest.Answer{Content: `{"directions": [], "hypotheses": [], "stop": true}`}
	}, "m")
	defer srv.Close()
	c, _ := agent.NewClient(agent.Config{Endpoint: srv.URL, Model: "m", Workflow: "proteus"})
	tr, _ := agent.OpenTrace("")
	p := &Planner{Session: agent.NewSession(c, tr, agent.Budget{MaxRounds: 5}), Prompts: agent.Prompts{Workflow: "proteus"}}
	st, err := p.Run(context.Background(), proteus.NewStudy(disc, "llm"))
	if err != nil || st.Rounds != 1 || st.BudgetEnd != "" || len(srv.Calls()) != 1 {
		t.Fatalf("stats %+v, err %v", st, err)
	}
}

func TestAnInterruptedPlannerRunResumesFromItsTrace(t *testing.T) {
	dir := testutil.SharedPath(t, "data", "omics", "cohort_a")
	dead := true
	srv := agenttest.New(func(n int, c agenttest.Call) agenttest.Answer {
		prompt := c.Messages[len(c.Messages)-1].Content
		switch {
		case strings.Contains(prompt, "Round 1 "):
			return agenttest.Answer{Content: `{"directions": [{"entity_a": "protein:*", "relation": "stage_association", "entity_b": "clinical:stage", "tool": "spearman"}]}`}
		case strings.Contains(prompt, "Round 2 "):
			return agenttest.Answer{Content: `{"directions": [{"entity_a": "protein:PCNA", "relation": "correlation", "entity_b": "mrna:SERBP1", "tool": "pearson"}]}`}
		case dead:
			return agenttest.Answer{Status: 400} // the run dies in round 3
		default:
			return agenttest.Answer{Content: `{"hypotheses": [{"evidence": ["` + edgeFor(prompt, "protein:PCNA correlation") + `"]}], "stop": true}`}
		}
	}, "m")
	defer srv.Close()
	trace := filepath.Join(t.TempDir(), "trace.jsonl")
	run := func() (*proteus.Study, Stats, int, error) {
		disc, err := proteus.LoadCohort(dir)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := agent.NewClient(agent.Config{Endpoint: srv.URL, Model: "m", Workflow: "proteus", Retries: -1})
		tr, err := agent.OpenTrace(trace)
		if err != nil {
			t.Fatal(err)
		}
		s := proteus.NewStudy(disc, "llm")
		p := &Planner{Session: agent.NewSession(c, tr, agent.Budget{MaxRounds: 6}), Prompts: agent.Prompts{Workflow: "proteus"}}
		st, err := p.Run(context.Background(), s)
		return s, st, tr.Resumed(), err
	}
	if _, _, _, err := run(); err == nil {
		t.Fatal("the first run should stop at the failed call")
	}
	dead = false
	s, st, resumed, err := run()
	if err != nil {
		t.Fatal(err)
	}
	if resumed != 2 || len(srv.Calls()) != 4 {
		t.Fatalf("resumed %d calls, server saw %d (want 2 resumed, 3 + 1 calls)", resumed, len(srv.Calls()))
	}
	if st.Hypotheses != 1 || s.Hypotheses[0].EntityA != "protein:PCNA" || s.Hypotheses[0].Direction != "positive" {
		t.Fatalf("stats %+v, hypotheses %+v", st, s.Hypotheses)
	}
}
