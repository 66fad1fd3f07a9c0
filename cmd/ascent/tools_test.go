package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/agent/agenttest"
	"github.com/ascent-rl/ascent/serve"
)

// TestToolsEvalScoresAModelThatCallsTheCalculator scripts a model that calls calc on the prompt's
// expression and then boxes the tool's answer: every problem is solved with one call each.
func TestToolsEvalScoresAModelThatCallsTheCalculator(t *testing.T) {
	srv := agenttest.New(func(_ int, c agenttest.Call) agenttest.Answer {
		last := c.Messages[len(c.Messages)-1]
		if last.Role == "tool" {
			return agenttest.Answer{Content: `\boxed{` + last.Content + `}`}
		}
		expr := strings.TrimSuffix(strings.TrimPrefix(last.Content, "Calculate "), " with the calculator.")
		b, _ := json.Marshal(map[string]string{"expression": expr})
		return agenttest.Answer{ToolCalls: []agenttest.ToolCall{{ID: "c1", Name: "calc", Arguments: string(b)}}}
	}, "m")
	defer srv.Close()
	out := t.TempDir()
	stdout, err := runAscent(t, "tools", "eval", "--endpoint", srv.URL, "--model", "m", "--problems", "5", "--out", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	b, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Accuracy         float64 `json:"accuracy"`
		CallsPerResponse float64 `json:"calls_per_response"`
		ToolErrorRatio   float64 `json:"tool_error_ratio"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if res.Accuracy != 1 || res.CallsPerResponse != 1 || res.ToolErrorRatio != 0 {
		t.Fatalf("results %s", b)
	}
}

// TestToolsEvalAgainstAscentServe evaluates `ascent serve`'s untrained tiny model: its replies are
// nonsense, so it solves nothing, but every conversation finishes.
func TestToolsEvalAgainstAscentServe(t *testing.T) {
	url := agenttest.ServeTiny(t)
	out := t.TempDir()
	stdout, err := runAscent(t, "tools", "eval", "--endpoint", url, "--model", serve.BuiltinTiny, "--problems", "3", "--max-tokens", "16", "--out", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if !strings.Contains(stdout, "0/3 correct") {
		t.Fatalf("stdout %q", stdout)
	}
}
