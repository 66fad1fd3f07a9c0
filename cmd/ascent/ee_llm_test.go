package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/agent/agenttest"
	"github.com/ascent-rl/ascent/internal/testutil"
)

// eeData writes the first n dev sentences to a temp file.
func eeData(t *testing.T, n int) string {
	t.Helper()
	b, err := os.ReadFile(testutil.SharedPath(t, "data", "ee", "dev.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfterN(string(b), "\n", n+1)
	p := filepath.Join(t.TempDir(), "data.jsonl")
	if err := os.WriteFile(p, []byte(strings.Join(lines[:n], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func lineCount(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

func TestEEExtractAndAnnotateCommands(t *testing.T) {
	ont, data := testutil.SharedPath(t, "data", "ee", "ontology.jsonl"), eeData(t, 3)
	srv := agenttest.New(func(n int, c agenttest.Call) agenttest.Answer { return agenttest.Answer{Content: "[]"} }, "m")
	defer srv.Close()
	base := []string{"--ontology", ont, "--data", data, "--k", "10", "--size", "5", "--json"}
	cases := []struct {
		name    string
		args    []string
		wantErr string         // substring of the error ("" for success)
		files   map[string]int // file → lines expected
	}{
		{name: "extract", args: []string{"ee", "extract", "--endpoint", srv.URL, "--model", "m"},
			files: map[string]int{"predictions.jsonl": 3, "scores.json": 1, "trace.jsonl": 0}},
		{name: "annotate", args: []string{"ee", "annotate", "--annotator", srv.URL + ",m,You are annotator a1.",
			"--annotator", srv.URL + ",m,You are annotator a2.", "--annotator", srv.URL + ",m", "--escalate", srv.URL + ",m"},
			files: map[string]int{"annotations.jsonl": 3, "votes.jsonl": 9, "majority.jsonl": 3, "resolutions.jsonl": 3, "trace_a3.jsonl": 0, "trace_escalate.jsonl": 1}},
		{name: "unreachable endpoint", args: []string{"ee", "extract", "--endpoint", "http://127.0.0.1:1/v1", "--model", "m"},
			wantErr: "http://127.0.0.1:1/v1"},
		{name: "unlisted model", args: []string{"ee", "annotate", "--annotator", srv.URL + ",m", "--annotator", srv.URL + ",other"},
			wantErr: `does not serve model "other"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			before := len(srv.Calls())
			stdout, err := runAscent(t, append(append(tc.args, base...), "--out", out)...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v; want one naming %q", err, tc.wantErr)
				}
				if n := len(srv.Calls()) - before; n != 0 {
					t.Errorf("%d chat calls before the error; want none", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var sum struct {
				Stats struct{ Sentences int } `json:"stats"`
			}
			if err := json.Unmarshal([]byte(stdout), &sum); err != nil || sum.Stats.Sentences != 3 {
				t.Errorf("summary %q: %v", stdout, err)
			}
			for f, n := range tc.files {
				if got := lineCount(t, filepath.Join(out, f)); got != n && (n != 0 || got == 0) {
					t.Errorf("%s has %d lines; want %d", f, got, n)
				}
			}
		})
	}
}
