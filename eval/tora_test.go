package eval

import (
	"context"
	"encoding/json"
	"github.com/ascent-rl/ascent/internal/testutil"
	"math"
	"os"
	"testing"
)

// TestRescoringToRAReproducesThePublishedGSM8KScores re-grades ToRA's released GSM8K trajectories
// (one greedy sample per problem, two models) with Ascent's rule checker and compares per-model accuracy
// with the figures in ToRA's README (84.3 and 80.7).
func TestRescoringToRAReproducesThePublishedGSM8KScores(t *testing.T) {
	path := testutil.SharedPath(t, "data/published/tora_gsm8k.jsonl")
	var expected struct {
		Models []struct {
			Model string  `json:"model"`
			Score float64 `json:"readme_published_score"`
		} `json:"models"`
	}
	data, err := os.ReadFile(testutil.SharedPath(t, "data/published/tora_gsm8k.expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &expected); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []struct{ name, predField string }{
		{"extracting answers from the responses", ""},
		{"comparing ToRA's own extracted predictions", "source_pred"},
	} {
		t.Run(mode.name, func(t *testing.T) {
			g, err := Rescore(context.Background(), path, "", RescoreOptions{GroupBy: "model", PredField: mode.predField}, NewRuleGrader())
			if err != nil {
				t.Fatal(err)
			}
			if len(g.Groups) != len(expected.Models) {
				t.Fatalf("%d groups, want %d", len(g.Groups), len(expected.Models))
			}
			for _, m := range expected.Models {
				r := g.Groups[m.Model]
				if r == nil {
					t.Fatalf("no group for %s", m.Model)
				}
				b := r.Benchmarks["gsm8k"]
				got := 100 * b.AvgAtK
				t.Logf("%s: ascent %.2f, published %.1f (n=%d, k=%d, status %v)", m.Model, got, m.Score, b.NProblems, b.K, b.Status)
				if b.NProblems != 1319 || b.K != 1 {
					t.Errorf("%s: %d problems with k=%d, want 1319 and 1", m.Model, b.NProblems, b.K)
				}
				if math.Abs(got-m.Score) > 1 {
					t.Errorf("%s: ascent %.2f is more than 1 point from the published %.1f", m.Model, got, m.Score)
				}
			}
		})
	}
}
