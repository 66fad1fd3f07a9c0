package main

// ascent eval --bench hipho[:EXAM,…]: olympiad scoring with points and medals (package eval/hipho).
//
//	ascent eval --bench hipho:IPhO_2025 --responses responses.jsonl --grading answer --out runs/hipho
//	ascent eval --bench hipho --endpoint http://127.0.0.1:8000/v1 --model M --out runs/hipho
//	ascent eval --bench hipho --responses r.jsonl --judge-endpoint URL --judge-model J --out runs/hipho

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/eval"
	"github.com/ascent-rl/ascent/eval/hipho"
	"github.com/ascent-rl/ascent/internal/atomicfile"
)

// hiphoFlags are the flags only the HiPhO benchmark reads.
type hiphoFlags struct {
	grading, dir string
	allModal     bool
}

func addHiPhOFlags(fl interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
}, h *hiphoFlags) {
	fl.StringVar(&h.grading, "grading", hipho.GradingAuto, "HiPhO: auto (answer-level, plus marking schemes when a judge is set), answer (answer-level everywhere, no judge) or step (a judge is required)")
	fl.StringVar(&h.dir, "hipho-dir", hipho.DefaultDir, "HiPhO: the folder with the exam files and hipho.json")
	fl.BoolVar(&h.allModal, "all-modalities", false, "HiPhO: score problems with figures too (default: text-only problems, P1's setting)")
}

// runHiPhO scores HiPhO exams from --responses or from a model, writing results.json (with the
// "exams" layout: score, max, medal, problems) and report.md (a leaderboard-style medal table).
func runHiPhO(ctx context.Context, cmd *cobra.Command, f evalFlags, h hiphoFlags) error {
	names, err := hipho.ParseBench(f.bench)
	if err != nil {
		return err
	}
	opt := hipho.Options{Dir: h.dir, Exams: names, TextOnly: !h.allModal, Grading: h.grading}
	if f.judgeEndpoint != "" || f.judgeModel != "" {
		if f.judgeEndpoint == "" || f.judgeModel == "" {
			return fmt.Errorf("eval: the judge needs both --judge-endpoint and --judge-model")
		}
		key := f.judgeKey
		if key == "" {
			key = f.apiKey
		}
		if opt.Judge, err = hipho.NewOpenAIJudge(hipho.JudgeConfig{Endpoint: f.judgeEndpoint, Model: f.judgeModel, APIKey: key,
			Timeout: f.timeout, Attempts: f.retries, CacheDir: filepath.Join(f.out, "judge-cache")}); err != nil {
			return err
		}
	}
	b, err := hipho.New(opt)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return err
	}
	var resps []hipho.Response
	switch {
	case f.responses != "":
		fh, err := os.Open(f.responses)
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		resps, err = hipho.ReadResponses(fh)
		fh.Close()
		if err != nil {
			return fmt.Errorf("%w (%s)", err, f.responses)
		}
		if len(resps) == 0 {
			return fmt.Errorf("eval: %s holds no responses (want {\"id\": <problem id>, \"response\": <text>} lines)", f.responses)
		}
	default:
		gen, err := hiphoGenerator(f)
		if err != nil {
			return err
		}
		if resps, err = generateHiPhO(ctx, cmd, b, names, gen, f); err != nil {
			return err
		}
	}
	results, err := b.ScoreByModel(ctx, resps)
	if err != nil {
		return err
	}
	return writeHiPhO(cmd, f.out, b, results)
}

// hiphoGenerator is --endpoint's OpenAI generator or --model's local checkpoint.
func hiphoGenerator(f evalFlags) (eval.Generator, error) {
	retry := eval.Retry{Attempts: f.retries, Timeout: f.timeout}
	switch {
	case f.endpoint != "":
		return eval.NewOpenAIGenerator(f.endpoint, f.model, f.apiKey, eval.API(f.api), retry)
	case f.model != "":
		return localGenerator(f)
	}
	return nil, fmt.Errorf("eval: give --endpoint URL and --model NAME, or --model CHECKPOINT_DIR, to generate; or --responses FILE to score")
}

// generateHiPhO samples one response per problem (P1's prompt) and writes them to
// responses.jsonl in --out, in the layout --responses reads.
func generateHiPhO(ctx context.Context, cmd *cobra.Command, b *hipho.Benchmark, names []string, gen eval.Generator, f evalFlags) ([]hipho.Response, error) {
	items, err := b.Items(names)
	if err != nil {
		return nil, err
	}
	conc := max(f.concurrency, 1)
	if f.endpoint == "" {
		conc = 1 // the local engine serialises sampling
	}
	resps := make([]hipho.Response, len(items))
	errs := make([]error, len(items))
	next := make(chan int)
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for i := range next {
				it := items[i]
				g, err := gen.Generate(ctx, it.Prompt, eval.SamplingParams{Temperature: f.temperature, TopP: f.topP, MaxTokens: f.maxTokens, Seed: f.seed + uint64(i)})
				if err != nil {
					errs[i] = fmt.Errorf("eval: %s problem %s: %w", it.Exam, it.ID, err)
					continue
				}
				resps[i] = hipho.Response{ID: it.ID, Exam: it.Exam, Response: g.Text, Model: gen.Name()}
			}
		})
	}
	for i := range items {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	var buf strings.Builder
	for _, r := range resps {
		line, _ := json.Marshal(r)
		buf.Write(line)
		buf.WriteByte('\n')
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "eval: %d HiPhO responses from %s\n", len(resps), gen.Name())
	return resps, atomicfile.WriteFile(filepath.Join(f.out, "responses.jsonl"), []byte(buf.String()), 0o644)
}

// writeHiPhO writes results.json and report.md and prints the medal table.
func writeHiPhO(cmd *cobra.Command, out string, b *hipho.Benchmark, results []*hipho.Result) error {
	type modelResult struct {
		Model  string                     `json:"model"`
		Exams  map[string]hipho.ExamScore `json:"exams"`
		Counts hipho.Counts               `json:"counts"`
	}
	var doc any
	var exams []string
	for _, r := range results {
		for e := range r.Exams {
			if !slices.Contains(exams, e) {
				exams = append(exams, e)
			}
		}
	}
	sort.Strings(exams)
	if len(results) == 1 {
		doc = modelResult{Model: results[0].Model, Exams: results[0].Exams, Counts: results[0].Counts}
	} else {
		var all []modelResult
		for _, r := range results {
			all = append(all, modelResult{Model: r.Model, Exams: r.Exams, Counts: r.Counts})
		}
		doc = map[string]any{"models": all}
	}
	js, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(out, "results.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	table := hipho.MedalTable(hipho.Standings(results), exams)
	var rep strings.Builder
	rep.WriteString("# HiPhO\n\nExam points and medals against the official thresholds (hipho.json).\n\n")
	rep.WriteString(table)
	for _, r := range results {
		c := r.Counts
		fmt.Fprintf(&rep, "\n%s: %d problems scored, %d without a box (no_answer), %d without a response, %d skipped (figures), %d step-graded, judge: %d calls, %d unparsable replies, %d errors\n",
			r.Model, c.Problems, c.NoAnswer, c.Missing, c.Skipped, c.StepGraded, c.JudgeCalls, c.JudgeUnparsable, c.JudgeErrors)
	}
	if err := atomicfile.WriteFile(filepath.Join(out, "report.md"), []byte(rep.String()), 0o644); err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	fmt.Fprintln(w, table)
	fmt.Fprintf(w, "wrote %s/{results.json,report.md}\n", out)
	return nil
}
