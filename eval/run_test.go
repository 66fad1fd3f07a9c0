package eval

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tinyBench writes a three-problem benchmark file and returns its path and problems.
func tinyBench(t *testing.T) (string, []Problem) {
	probs := []Problem{{ID: "a", Problem: "What is 2+3?", Answer: "5"}, {ID: "b", Problem: "What is 7*6?", Answer: "42"},
		{ID: "c", Problem: "What is 10-9?", Answer: "1"}}
	path := filepath.Join(t.TempDir(), "tiny.jsonl")
	var sb strings.Builder
	for _, p := range probs {
		b, _ := json.Marshal(map[string]string{"id": p.ID, "problem": p.Problem, "answer": p.Answer})
		sb.Write(append(b, '\n'))
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, probs
}

// fastRetry keeps failing tests quick.
var fastRetry = Retry{Attempts: 3, Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

// expectedAvg recomputes avg@k from the seeds stored in samples.jsonl: the fake server answers correctly
// exactly for even seeds.
func expectedAvg(t *testing.T, samples []Sample) float64 {
	per := map[string][2]int{}
	for _, s := range samples {
		c := per[s.ProblemID]
		c[1]++
		if s.Seed%2 == 0 {
			c[0]++
		}
		per[s.ProblemID] = c
	}
	sum := 0.0
	for _, c := range per {
		sum += float64(c[0]) / float64(c[1])
	}
	return sum / float64(len(per))
}

func TestRunGeneratesGradesAndWritesOutputs(t *testing.T) {
	for _, api := range []API{APIChat, APICompletions} {
		t.Run("through the "+string(api)+" API", func(t *testing.T) {
			path, probs := tinyBench(t)
			llm := newFakeLLM(t, probs)
			gen, err := NewOpenAIGenerator(llm.url(), "fake-model", "", api, fastRetry)
			if err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			sampling := JustRLSampling()
			sampling.Seed = 3
			res, err := Run(context.Background(), RunOptions{Benchmarks: []string{path}, KAll: 8, Sampling: sampling,
				Concurrency: 4, OutDir: out, Score: ScoreOptions{Bootstrap: 100, Seed: 1}}, gen, NewRuleGrader())
			if err != nil {
				t.Fatal(err)
			}
			samples, err := loadSamples(filepath.Join(out, SamplesFile))
			if err != nil {
				t.Fatal(err)
			}
			if len(samples) != 24 || llm.requests.Load() != 24 {
				t.Fatalf("%d samples on disk and %d requests, want 24", len(samples), llm.requests.Load())
			}
			b := res.Benchmarks["tiny"]
			if want := expectedAvg(t, samples); b.AvgAtK != want || want == 0 || want == 1 {
				t.Errorf("avg@8 = %g, want %g (from the seeds on disk)", b.AvgAtK, want)
			}
			for _, s := range samples {
				if !s.Graded || s.Correct != (s.Seed%2 == 0) || !strings.HasSuffix(s.Prompt, JustRLSuffix) {
					t.Fatalf("sample %+v graded wrongly or prompt without suffix", s)
				}
			}
			body := llm.bodies[0]
			if body["temperature"] != 0.7 || body["top_p"] != 0.9 || body["max_tokens"] != 31744.0 || body["model"] != "fake-model" {
				t.Errorf("request carried %v", body)
			}
			var raw map[string]any
			data, _ := os.ReadFile(filepath.Join(out, ResultsFile))
			if err := json.Unmarshal(data, &raw); err != nil {
				t.Fatal(err)
			}
			tiny := raw["benchmarks"].(map[string]any)["tiny"].(map[string]any)
			for _, k := range []string{"n_problems", "k", "avg_at_k", "pass_at_k", "maj_at_k", "ci95"} {
				if _, ok := tiny[k]; !ok {
					t.Errorf("results.json benchmark entry lacks %q", k)
				}
			}
			if _, ok := raw["average"]; !ok || raw["grader"] == "" {
				t.Errorf("results.json lacks average or grader: %v", raw)
			}
			if md, err := os.ReadFile(filepath.Join(out, ReportFile)); err != nil || !strings.Contains(string(md), "Grader:") {
				t.Errorf("report.md missing or without grader line: %v", err)
			}
		})
	}
}

func TestRunResumesFromSamplesOnDisk(t *testing.T) {
	path, probs := tinyBench(t)
	llm := newFakeLLM(t, probs)
	llm.failFrom = 6 // the first five requests succeed, then the server answers 503
	gen, _ := NewOpenAIGenerator(llm.url(), "m", "", APIChat, fastRetry)
	out := t.TempDir()
	opt := RunOptions{Benchmarks: []string{path}, KAll: 4, Sampling: JustRLSampling(), Concurrency: 1, OutDir: out}
	_, err := Run(context.Background(), opt, gen, NewRuleGrader())
	if err == nil || !strings.Contains(err.Error(), "after 3 attempts") || !strings.Contains(err.Error(), "5 of 12 new samples were saved") {
		t.Fatalf("error %v, want a bounded-retry failure that reports the 5 saved samples", err)
	}
	saved, _ := loadSamples(filepath.Join(out, SamplesFile))
	if len(saved) != 5 {
		t.Fatalf("%d samples kept after the failure, want 5", len(saved))
	}
	llm.failFrom = 0
	before := llm.requests.Load()
	res, err := Run(context.Background(), opt, gen, NewRuleGrader())
	if err != nil {
		t.Fatal(err)
	}
	if got := llm.requests.Load() - before; got != 7 {
		t.Errorf("resume sent %d requests, want the 7 missing samples", got)
	}
	if b := res.Benchmarks["tiny"]; b.NSamples != 12 || b.K != 4 {
		t.Errorf("after resume: %d samples, k = %d", b.NSamples, b.K)
	}
	hotter := opt
	hotter.Sampling.Temperature = 1.0
	if _, err := Run(context.Background(), hotter, gen, NewRuleGrader()); err == nil || !strings.Contains(err.Error(), "another output directory") {
		t.Errorf("resuming with another temperature: %v", err)
	}
	other, _ := NewOpenAIGenerator(llm.url(), "another-model", "", APIChat, fastRetry)
	if _, err := Run(context.Background(), opt, other, NewRuleGrader()); err == nil || !strings.Contains(err.Error(), "another output directory") {
		t.Errorf("resuming another model's directory: %v", err)
	}
}

func TestRunSurvivesATruncatedLastLine(t *testing.T) {
	path, probs := tinyBench(t)
	llm := newFakeLLM(t, probs)
	gen, _ := NewOpenAIGenerator(llm.url(), "m", "", APIChat, fastRetry)
	out := t.TempDir()
	opt := RunOptions{Benchmarks: []string{path}, KAll: 2, Sampling: JustRLSampling(), Concurrency: 2, OutDir: out}
	if _, err := Run(context.Background(), opt, gen, NewRuleGrader()); err != nil {
		t.Fatal(err)
	}
	sp := filepath.Join(out, SamplesFile)
	data, _ := os.ReadFile(sp)
	os.WriteFile(sp, data[:len(data)-20], 0o644) // a crash in the middle of the last line
	before := llm.requests.Load()
	res, err := Run(context.Background(), opt, gen, NewRuleGrader())
	if err != nil {
		t.Fatal(err)
	}
	if llm.requests.Load()-before != 1 || res.Benchmarks["tiny"].NSamples != 6 {
		t.Errorf("resume after a torn line regenerated %d samples", llm.requests.Load()-before)
	}
}

func TestGeneratorErrors(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL + "/v1"
	dead.Close()
	notFound := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error": {"message": "The model does-not-exist does not exist."}}`))
	}))
	defer notFound.Close()
	tests := []struct {
		name, url, want string
	}{
		{"a server that is down fails after the bounded retries", deadURL, "unreachable or failing after 3 attempts"},
		{"an unknown model fails at once without retries", notFound.URL + "/v1", "404"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gen, _ := NewOpenAIGenerator(tc.url, "does-not-exist", "", APIChat, fastRetry)
			start := time.Now()
			_, err := gen.Generate(context.Background(), "hi", JustRLSampling())
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.url) {
				t.Fatalf("error %v, want it to name %s and contain %q", err, tc.url, tc.want)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("took %s", time.Since(start))
			}
		})
	}
	if _, err := NewOpenAIGenerator("http://x/v1", "m", "", API("grpc"), fastRetry); err == nil || !strings.Contains(err.Error(), "chat") {
		t.Errorf("unknown API accepted or error does not list the known ones: %v", err)
	}
}
