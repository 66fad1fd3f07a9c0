package eval

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeLines(t *testing.T, lines ...string) string {
	path := filepath.Join(t.TempDir(), "responses.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadResponsesErrorsNameLineAndField(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		opt   RescoreOptions
		wants []string
	}{
		{"a row without an id", `{"response": "x", "gold": "1"}`, RescoreOptions{}, []string{"line 2", `"problem_id"`}},
		{"a row without a response", `{"id": "p", "gold": "1"}`, RescoreOptions{}, []string{"line 2", `"response"`}},
		{"a row without gold or benchmark", `{"id": "p", "response": "x"}`, RescoreOptions{}, []string{"line 2", `"gold"`}},
		{"a row whose id is not in the benchmark", `{"id": "zzz", "response": "x", "benchmark": "aime2024"}`, RescoreOptions{}, []string{"line 2", `"zzz"`, "aime2024"}},
		{"a row without model when grouping by model", `{"id": "p", "response": "x", "gold": "1"}`, RescoreOptions{GroupBy: "model"}, []string{"line 2", `"model"`}},
		{"a negative sample_index", `{"id": "p", "response": "x", "gold": "1", "sample_index": -1}`, RescoreOptions{}, []string{"line 2", "sample_index"}},
		{"a row without the prediction field", `{"id": "p", "response": "x", "gold": "1"}`, RescoreOptions{PredField: "pred"}, []string{"line 2", `"pred"`}},
		{"an unknown benchmark", `{"id": "p", "response": "x", "benchmark": "aime2099"}`, RescoreOptions{}, []string{"line 2", "aime2099", "math500"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first := `{"id": "ok", "response": "\\boxed{1}", "gold": "1", "model": "m", "pred": "1"}`
			path := writeLines(t, first, tc.line)
			_, _, err := ReadResponses(path, tc.opt)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range append(tc.wants, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	if _, _, err := ReadResponses(writeLines(t, `{"id":"p","response":"x","gold":"1"}`), RescoreOptions{GroupBy: "temperature"}); err == nil || !strings.Contains(err.Error(), "model") {
		t.Errorf("unknown group-by field: %v", err)
	}
}

func TestRescoreLooksUpGoldAndGroupsByModel(t *testing.T) {
	aime, err := Load("aime2024")
	if err != nil {
		t.Fatal(err)
	}
	p0, p1 := aime.Problems[0], aime.Problems[1]
	line := func(model, id, resp string, idx int) string {
		b, _ := json.Marshal(map[string]any{"model": model, "problem_id": id, "response": resp, "benchmark": "aime24", "sample_index": idx})
		return string(b)
	}
	path := writeLines(t,
		line("good", p0.ID, `so \boxed{`+p0.Answer+`}`, 0), line("good", p0.ID, `so \boxed{`+p0.Answer+`}`, 1),
		line("good", p1.ID, `so \boxed{`+p1.Answer+`}`, 0), line("good", p1.ID, ``, 1),
		line("bad", p0.ID, `\boxed{-1}`, 0), line("bad", p1.ID, `\boxed{-1}`, 0),
	)
	out := t.TempDir()
	g, err := Rescore(context.Background(), path, out, RescoreOptions{GroupBy: "model", Score: ScoreOptions{Bootstrap: 50}}, NewRuleGrader())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(g.Order, ",") != "good,bad" {
		t.Fatalf("groups %v", g.Order)
	}
	good, bad := g.Groups["good"].Benchmarks["aime2024"], g.Groups["bad"].Benchmarks["aime2024"]
	if good.AvgAtK != 0.75 || good.K != 2 || good.MajAtK != 1 || good.PassAtK["2"] != 1 || good.NoAnswer != 1 || good.Title != "AIME24" {
		t.Errorf("good model: %+v", good)
	}
	if bad.AvgAtK != 0 || bad.K != 1 {
		t.Errorf("bad model: %+v", bad)
	}
	var raw map[string]any
	data, _ := os.ReadFile(filepath.Join(out, ResultsFile))
	if err := json.Unmarshal(data, &raw); err != nil || raw["groups"] == nil {
		t.Fatalf("grouped results.json: %v %s", err, data)
	}
	samples, err := loadSamples(filepath.Join(out, SamplesFile))
	if err != nil || len(samples) != 6 || samples[0].Gold == "" {
		t.Errorf("samples.jsonl: %v, %d rows", err, len(samples))
	}
}

// BenchmarkScore1000Responses grades and aggregates 1,000 responses of about 4,000 characters each
// (the acceptance target is under one second on two cores).
func BenchmarkScore1000Responses(b *testing.B) {
	bench, err := Load("math500")
	if err != nil {
		b.Fatal(err)
	}
	filler := strings.Repeat("We expand the expression and simplify term by term, checking each step carefully. ", 48) // ≈4,000 chars
	base := make([]Sample, 1000)
	for i := range base {
		p := bench.Problems[i%len(bench.Problems)]
		ans := p.Answer
		if i%3 == 0 {
			ans = "7"
		}
		base[i] = Sample{Benchmark: "math500", ProblemID: p.ID, SampleIndex: i / len(bench.Problems), Gold: p.Answer,
			Response: filler + `Therefore the final answer is $\boxed{` + ans + `}$.`}
	}
	g := NewRuleGrader()
	b.ResetTimer()
	for range b.N {
		s := append([]Sample(nil), base...)
		if err := GradeSamples(context.Background(), s, g, ScoreOptions{}, nil); err != nil {
			b.Fatal(err)
		}
		res, err := Aggregate(s, []string{"math500"}, nil, ScoreOptions{Bootstrap: 1000, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		if acc := res.Benchmarks["math500"].AvgAtK; acc < 0.6 || acc > 0.68 {
			b.Fatalf("accuracy %g: the grader did not see 2/3 of the responses as correct", acc)
		}
	}
}

func FuzzReadResponses(f *testing.F) {
	f.Add([]byte(`{"id": "p", "response": "\\boxed{1}", "gold": "1", "sample_index": 2}`))
	f.Add([]byte(`{"problem_id": 5, "response": "", "benchmark": "aime24"}`))
	f.Add([]byte(`{"id": "x", "response": "r", "gold": "1", "sample_index": 1.5}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "r.jsonl")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		samples, _, err := ReadResponses(path, RescoreOptions{})
		if err == nil && len(samples) == 0 {
			t.Fatal("no error and no samples")
		}
	})
}
