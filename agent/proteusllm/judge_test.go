package proteusllm

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/agent"
	"github.com/ascent-rl/ascent/agent/agenttest"
	"github.com/ascent-rl/ascent/internal/testutil"
	"github.com/ascent-rl/ascent/proteus"
)

func TestTheJudgeScoresCachesAndStaysWithinItsBound(t *testing.T) {
	disc, err := proteus.LoadCohort(testutil.SharedPath(t, "data", "omics", "cohort_a"))
	if err != nil {
		t.Fatal(err)
	}
	s := proteus.NewStudy(disc, "builtin")
	proteus.Builtin(s)
	n := len(s.Hypotheses)
	srv := agenttest.New(func(i int, c agenttest.Call) agenttest.Answer {
		if i == 1 {
			return agenttest.Answer{Content: `{"novelty": 9}`} // out of range: a counted failure
		}
		if !strings.Contains(c.Messages[0].Content, "p = ") {
			return agenttest.Answer{Status: 400}
		}
		return agenttest.Answer{Content: `{"novelty": 2, "soundness": 5, "evidence": 4, "clarity": 3}`}
	}, "m")
	defer srv.Close()
	c, _ := agent.NewClient(agent.Config{Endpoint: srv.URL, Model: "m", Workflow: "proteus"})
	cache := filepath.Join(t.TempDir(), "judge.json")
	judge := func(max int) JudgeStats {
		tr, _ := agent.OpenTrace("")
		j := &Judge{Session: agent.NewSession(c, tr, agent.Budget{}), Prompts: agent.Prompts{Workflow: "proteus"}, Cache: cache, MaxCalls: max}
		st, err := j.Score(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := judge(4)
	if st.NewCalls != 4 || st.Scored != 3 || st.Failed != 1 || st.Skipped != n-4 {
		t.Fatalf("first run %+v (n = %d)", st, n)
	}
	if sc := s.Hypotheses[0].Score; sc == nil || sc.Total != 3.5 || sc.Axes["soundness"] != 5 {
		t.Fatalf("score %+v", sc)
	}
	for _, h := range s.Hypotheses {
		h.Score = nil
	}
	st = judge(0)
	if st.Cached != 3 || st.NewCalls != n-3 || st.Scored != n {
		t.Fatalf("second run %+v", st)
	}
	if calls := len(srv.Calls()); calls != 4+n-3 {
		t.Fatalf("server saw %d calls", calls)
	}
	for _, call := range srv.Calls() {
		if call.Role != "proteus/judge" {
			t.Fatalf("role %q", call.Role)
		}
	}
}
