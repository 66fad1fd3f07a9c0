package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/ascent-rl/ascent/agent/agenttest"
	"github.com/ascent-rl/ascent/internal/testutil"
)

func runAscent(t *testing.T, args ...string) (string, error) {
	t.Helper()
	// cobra keeps flag values between Execute calls: reset them so each test starts clean
	if c, _, err := rootCmd.Find(args); err == nil {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if sv, ok := f.Value.(pflag.SliceValue); ok {
				_ = sv.Replace(nil)
				if f.DefValue != "[]" {
					_ = f.Value.Set(strings.Trim(f.DefValue, "[]"))
				}
			} else {
				_ = f.Value.Set(f.DefValue)
			}
			f.Changed = false
		})
	}
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&out)
	rootCmd.SetArgs(args)
	err := rootCmd.Execute()
	return out.String(), err
}

func TestProteusWritesHypothesesGraphAndReport(t *testing.T) {
	data := testutil.SharedPath(t, "data", "omics")
	out := t.TempDir()
	stdout, err := runAscent(t, "proteus", "--data", filepath.Join(data, "cohort_a"), "--validate", filepath.Join(data, "cohort_b"), "--out", out, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Hypotheses, Replicated int
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil || sum.Hypotheses == 0 || sum.Replicated == 0 {
		t.Fatalf("summary %q: %v", stdout, err)
	}
	f, err := os.Open(filepath.Join(out, "hypotheses.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	lines := 0
	for sc.Scan() {
		lines++
		var h map[string]any
		if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"entity_a", "relation", "entity_b", "direction", "effect", "p", "q", "n", "replicated", "evidence"} {
			if _, ok := h[k]; !ok {
				t.Errorf("hypothesis line %d lacks %q", lines, k)
			}
		}
	}
	if lines != sum.Hypotheses {
		t.Errorf("%d lines for %d hypotheses", lines, sum.Hypotheses)
	}
	report, _ := os.ReadFile(filepath.Join(out, "report.md"))
	for _, want := range []string{"## Hypotheses", "km_protein_NT5E.png", "forest_hazard_ratio.png"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, png := range []string{"km_protein_NT5E.png", "forest_hazard_ratio.png", "graph.json"} {
		if st, err := os.Stat(filepath.Join(out, png)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", png, err)
		}
	}
}

func TestProteusLLMPlannerRejectsAnUnservedModelBeforeAnyRound(t *testing.T) {
	srv := agenttest.New(func(int, agenttest.Call) agenttest.Answer { return agenttest.Answer{Content: "{}"} }, "served")
	defer srv.Close()
	data := testutil.SharedPath(t, "data", "omics", "cohort_a")
	_, err := runAscent(t, "proteus", "--data", data, "--planner", "llm", "--endpoint", srv.URL, "--model", "absent", "--out", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "served") {
		t.Fatalf("want an error listing the served model, got %v", err)
	}
	if len(srv.Calls()) != 0 {
		t.Fatal("a chat call was made before the model check")
	}
}

func TestProteusLLMPlannerAndJudgeEndToEndOverHTTP(t *testing.T) {
	srv := agenttest.New(func(n int, c agenttest.Call) agenttest.Answer {
		prompt := c.Messages[len(c.Messages)-1].Content
		switch {
		case c.Role == "proteus/judge":
			return agenttest.Answer{Content: `{"novelty": 3, "soundness": 4, "evidence": 5, "clarity": 4}`}
		case !strings.Contains(prompt, "- e"):
			return agenttest.Answer{Content: `{"directions": [{"entity_a": "mutation:*", "relation": "mutation_association", "entity_b": "protein:IMPDH2", "tool": "mann_whitney", "why": "TP53 targets"}], "hypotheses": [], "stop": false}`}
		default:
			i := strings.Index(prompt, "- e")
			id := strings.SplitN(prompt[i+2:], ":", 2)[0]
			return agenttest.Answer{Content: `{"directions": [], "hypotheses": [{"evidence": ["` + id + `"], "statement": "TP53 raises IMPDH2."}], "stop": true}`}
		}
	}, "m")
	defer srv.Close()
	data := testutil.SharedPath(t, "data", "omics")
	out := t.TempDir()
	stdout, err := runAscent(t, "proteus", "--data", filepath.Join(data, "cohort_a"), "--validate", filepath.Join(data, "cohort_b"),
		"--planner", "llm", "--endpoint", srv.URL, "--model", "m", "--judge", "--out", out, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Hypotheses, Replicated, Judged int
		Calls                          int `json:"llm_calls"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil || sum.Hypotheses != 1 || sum.Replicated != 1 || sum.Judged != 1 || sum.Calls != 2 {
		t.Fatalf("summary %s (%v)", stdout, err)
	}
	b, _ := os.ReadFile(filepath.Join(out, "hypotheses.jsonl"))
	for _, want := range []string{`"entity_a":"mutation:TP53"`, `"entity_b":"protein:IMPDH2"`, `"test":"mann_whitney"`, `"planner":"llm"`, `"total":4`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("hypotheses.jsonl lacks %s:\n%s", want, b)
		}
	}
	for _, f := range []string{"trace.jsonl", "judge_trace.jsonl", "judge_cache.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}
