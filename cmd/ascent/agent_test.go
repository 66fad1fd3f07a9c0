package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/agent/agenttest"
	"github.com/ascent-rl/ascent/internal/testutil"
)

// minionsScript solves IPhO 2025 1.A.1 right and everything else wrong; the reviewers always pass.
func minionsScript(_ int, c agenttest.Call) agenttest.Answer {
	if c.Role != "physicsminions/solver" {
		return agenttest.Answer{Content: "ok\nVERDICT: PASS"}
	}
	if strings.Contains(c.Messages[1].Content, "Determine the electron's velocity $v$ in a circular orbit of radius $r$.") {
		return agenttest.Answer{Content: `Newton: \boxed{v = \sqrt{\frac{e^2}{4 \pi \varepsilon_0 m_e r}}}`}
	}
	return agenttest.Answer{Content: `\boxed{7.77 \times 10^{99}}`}
}

func TestAgentPhysicsMinionsScoresAnExam(t *testing.T) {
	data := testutil.SharedPath(t, "data", "physics", "hipho")
	for _, mode := range []string{"minions", "baseline"} {
		t.Run(mode, func(t *testing.T) {
			srv := agenttest.New(minionsScript, "m")
			defer srv.Close()
			out := t.TempDir()
			args := []string{"agent", "physicsminions", "--endpoint", srv.URL, "--model", "m", "--bench", "hipho:IPhO_2025", "--data", data, "--out", out}
			if mode == "baseline" {
				args = append(args, "--baseline")
			}
			stdout, err := runAscent(t, args...)
			if err != nil {
				t.Fatalf("%v\n%s", err, stdout)
			}
			perProblem := map[string]int{"minions": 5, "baseline": 1}[mode]
			if n := len(srv.Calls()); n != 8*perProblem {
				t.Errorf("%d calls, want %d (8 text-only problems)", n, 8*perProblem)
			}
			b, err := os.ReadFile(filepath.Join(out, "results.json"))
			if err != nil {
				t.Fatal(err)
			}
			var res struct {
				Mode  string
				Exams map[string]struct {
					Score, Max float64
					Medal      string
					Problems   map[string]float64
					Skipped    int
				}
				Runs map[string]struct {
					Status        string
					Calls, Tokens int
					WallMS        float64 `json:"wall_ms"`
					Points        float64
				}
			}
			if err := json.Unmarshal(b, &res); err != nil {
				t.Fatal(err)
			}
			x := res.Exams["IPhO_2025"]
			if res.Mode != mode || math.Abs(x.Score-0.2) > 1e-9 || math.Abs(x.Max-29.4) > 1e-9 || x.Medal != "none" || len(x.Problems) != 8 || x.Skipped != 31 {
				t.Errorf("results %s", b)
			}
			want := map[string]string{"minions": "accepted", "baseline": "baseline"}[mode]
			for id, r := range res.Runs {
				if r.Status != want || r.Calls != perProblem || r.Tokens == 0 || r.WallMS <= 0 {
					t.Errorf("%s: %+v", id, r)
				}
				if _, err := os.Stat(filepath.Join(out, "traces", id+".jsonl")); err != nil {
					t.Errorf("no trace for %s: %v", id, err)
				}
			}
			if !strings.Contains(stdout, "31 with figures skipped") || !strings.Contains(stdout, "IPhO_2025: 0.2 / 29.4 points (medal none)") {
				t.Errorf("stdout:\n%s", stdout)
			}
		})
	}
}

func TestAgentPhysicsMinionsRejectsBadInput(t *testing.T) {
	data := testutil.SharedPath(t, "data", "physics", "hipho")
	srv := agenttest.New(minionsScript, "served-model")
	defer srv.Close()
	tests := []struct {
		name, endpoint, model, bench string
		want                         []string
	}{
		{"an unreachable endpoint", "http://127.0.0.1:1/v1", "m", "hipho:IPhO_2025", []string{"http://127.0.0.1:1/v1", "connection refused"}},
		{"a model the server does not list", srv.URL, "other", "hipho:IPhO_2025", []string{srv.URL, `"other"`, "served-model"}},
		{"an unknown exam", srv.URL, "served-model", "hipho:IPhO_2099", []string{"IPhO_2099", "valid:", "IPhO_2025", "F=MA_2024"}},
		{"a bench that is not HiPhO", srv.URL, "served-model", "gsm8k", []string{"hipho:EXAM"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runAscent(t, "agent", "physicsminions", "--endpoint", tc.endpoint, "--model", tc.model, "--bench", tc.bench, "--data", data, "--out", t.TempDir())
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("%d chat calls were made; bad input must fail before any problem is attempted", n)
	}
}
