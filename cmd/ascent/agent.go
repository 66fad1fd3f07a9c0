package main

// `ascent agent`: LLM workflows over any OpenAI-compatible endpoint (see docs/agent.md).
//
//	ascent agent physicsminions --endpoint http://127.0.0.1:8000/v1 --model M --bench hipho:IPhO_2025 --out out/pm
//	ascent agent physicsminions ... --baseline --out out/pm-baseline   # the solver alone, for comparison

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/agent"
	"github.com/ascent-rl/ascent/agent/physicsminions"
	"github.com/ascent-rl/ascent/eval/hipho"
	"github.com/ascent-rl/ascent/internal/atomicfile"
)

// minionsFlags are the flags of `ascent agent physicsminions`.
type minionsFlags struct {
	endpoint, model, apiKey, bench, data, out, prompts string
	baseline                                           bool
	cv, rounds, tokens, callTokens, parallel           int
	wall, timeout                                      time.Duration
}

func init() {
	agentCmd := &cobra.Command{Use: "agent", Short: "LLM workflows over an OpenAI-compatible endpoint (PhysicsMinions)"}
	var f minionsFlags
	pm := &cobra.Command{
		Use:   "physicsminions",
		Short: "Solve HiPhO exams with the PhysicsMinions solve–review loop (text-only) and score them",
		Long: `Runs the text-only PhysicsMinions loop (solver, introspector, physics verifier, general verifier)
on every problem without figures of the exam(s), then scores the final solutions answer-level against
the HiPhO golds. Writes DIR/results.json (exam scores, per-problem calls, tokens and wall time) and one
trace per problem under DIR/traces (an interrupted run resumes from them). See docs/physicsminions.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return f.run(cmd.Context(), cmd.OutOrStdout()) },
	}
	fl := pm.Flags()
	fl.StringVar(&f.endpoint, "endpoint", "", "OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1")
	fl.StringVar(&f.model, "model", "", "model name the endpoint serves")
	fl.StringVar(&f.apiKey, "api-key", "", "bearer key for the endpoint (default: none)")
	fl.StringVar(&f.bench, "bench", "hipho:IPhO_2025", "exams: hipho:EXAM[,EXAM...] or hipho:all")
	fl.StringVar(&f.data, "data", "../shared/data/physics/hipho", "HiPhO data directory (<exam>.jsonl files)")
	fl.StringVar(&f.out, "out", "", "output directory (results.json, traces/)")
	fl.StringVar(&f.prompts, "prompts", "", "directory of prompt templates overriding the embedded ones (system, solver, introspector, physics_verifier, general_verifier .tmpl)")
	fl.BoolVar(&f.baseline, "baseline", false, "the solver alone: one call per problem")
	fl.IntVar(&f.cv, "cv", physicsminions.DefaultCV, "consecutive reviews to accept a solution (passes) or discard it (failures)")
	fl.IntVar(&f.rounds, "max-rounds", 12, "budget per problem: rounds (a round is a solve or revision and its reviews)")
	fl.IntVar(&f.tokens, "max-tokens", 400000, "budget per problem: prompt + completion tokens")
	fl.DurationVar(&f.wall, "max-wall", 30*time.Minute, "budget per problem: wall time")
	fl.DurationVar(&f.timeout, "call-timeout", 10*time.Minute, "timeout of one LLM call")
	fl.IntVar(&f.callTokens, "call-max-tokens", 0, "completion limit of one call (0: the server's default)")
	fl.IntVar(&f.parallel, "parallel", 4, "problems solved at once (also the client's calls in flight)")
	agentCmd.AddCommand(pm)
	rootCmd.AddCommand(agentCmd)
}

// minionsRun is one problem in results.json.
type minionsRun struct {
	physicsminions.Result
	Points  float64 `json:"points"`  // points awarded to the final solution
	Max     float64 `json:"max"`     // points available
	Correct []bool  `json:"correct"` // per sub-answer
}

// minionsResults is results.json.
type minionsResults struct {
	Workflow string                               `json:"workflow"` // "physicsminions"
	Mode     string                               `json:"mode"`     // "minions" or "baseline"
	Endpoint string                               `json:"endpoint"` // the served model's URL
	Model    string                               `json:"model"`    // the served model
	CV       int                                  `json:"cv"`       // consecutive verdicts to accept or discard
	Budget   map[string]any                       `json:"budget"`   // per-problem limits
	Scoring  string                               `json:"scoring"`  // how final solutions were scored
	Exams    map[string]*physicsminions.ExamScore `json:"exams"`    // per exam: score, max, medal, problems
	Runs     map[string]minionsRun                `json:"runs"`     // per problem: status, calls, tokens, wall time, points
	Totals   map[string]any                       `json:"totals"`   // problems, skipped, calls, tokens, wall_ms
}

// exams resolves --bench to loaded HiPhO exams; an unknown exam lists the valid ones.
func (f *minionsFlags) exams() ([]*physicsminions.Exam, error) {
	names, ok := strings.CutPrefix(f.bench, "hipho:")
	if !ok || names == "" {
		return nil, fmt.Errorf("--bench %q: expected hipho:EXAM[,EXAM...] or hipho:all", f.bench)
	}
	list := strings.Split(names, ",")
	if names == "all" {
		all, err := physicsminions.HiPhOExams(f.data)
		if err != nil {
			return nil, err
		}
		list = all
	}
	var out []*physicsminions.Exam
	for _, n := range list {
		e, err := physicsminions.ReadHiPhO(f.data, strings.TrimPrefix(strings.TrimSpace(n), "hipho:"))
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// run checks the input, solves every text-only problem, scores the final solutions and writes
// results.json.
func (f *minionsFlags) run(ctx context.Context, w io.Writer) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if f.endpoint == "" || f.model == "" || f.out == "" {
		return fmt.Errorf("agent physicsminions needs --endpoint URL, --model NAME and --out DIR")
	}
	if f.cv < 1 || f.parallel < 1 {
		return fmt.Errorf("--cv %d and --parallel %d: expected ≥ 1", f.cv, f.parallel)
	}
	exams, err := f.exams()
	if err != nil {
		return err
	}
	c, err := agent.NewClient(agent.Config{Endpoint: f.endpoint, Model: f.model, APIKey: f.apiKey, Workflow: physicsminions.Workflow,
		Timeout: f.timeout, MaxTokens: f.callTokens, Concurrency: f.parallel})
	if err != nil {
		return err
	}
	if err := c.CheckModel(ctx); err != nil {
		return err
	}
	var problems []physicsminions.Problem
	skipped := map[string]int{}
	for _, e := range exams {
		text, n := e.TextOnly()
		problems, skipped[e.Name] = append(problems, text...), n
		fmt.Fprintf(w, "%s: %d text-only problems, %d with figures skipped (text-only mode)\n", e.Name, len(text), n)
	}
	budget := agent.Budget{MaxRounds: f.rounds, MaxTokens: f.tokens, MaxWall: f.wall}
	m := &physicsminions.Minions{Client: c, Prompts: agent.Prompts{Workflow: physicsminions.Workflow, Dir: f.prompts},
		Budget: budget, CV: f.cv, Baseline: f.baseline, TraceDir: filepath.Join(f.out, "traces")}
	results, err := solveAll(ctx, m, problems, f.parallel)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range exams {
		names = append(names, e.Name)
	}
	bench, err := hipho.New(hipho.Options{Dir: f.data, Exams: names, Grading: hipho.GradingAnswer})
	if err != nil {
		return err
	}
	scorer := physicsminions.HiPhOScorer{B: bench}
	res := minionsResults{Workflow: physicsminions.Workflow, Mode: "minions", Endpoint: f.endpoint, Model: f.model, CV: f.cv,
		Budget:  map[string]any{"max_rounds": f.rounds, "max_tokens": f.tokens, "max_wall": f.wall.String()},
		Scoring: "answer-level (eval/hipho: the last boxes against the golds, units converted), medals from the official thresholds", Runs: map[string]minionsRun{}}
	if f.baseline {
		res.Mode = "baseline"
	}
	grades := make([]physicsminions.Grade, len(problems))
	var calls, tokens int
	var wall float64
	for i, p := range problems {
		if grades[i], err = scorer.Score(ctx, p, results[i].Solution); err != nil {
			return err
		}
		r := results[i]
		res.Runs[p.ID] = minionsRun{Result: r, Points: grades[i].Points, Max: grades[i].Max, Correct: grades[i].Correct}
		calls, tokens, wall = calls+r.Calls, tokens+r.Tokens, wall+r.WallMS
		fmt.Fprintf(w, "%-24s %-12s calls %3d  tokens %7d  wall %8.1fs  points %g/%g\n", p.ID, r.Status, r.Calls, r.Tokens, r.WallMS/1000, grades[i].Points, grades[i].Max)
	}
	res.Exams = physicsminions.Tally(scorer, problems, grades, skipped)
	nskip := 0
	for _, n := range skipped {
		nskip += n
	}
	res.Totals = map[string]any{"problems": len(problems), "skipped": nskip, "calls": calls, "tokens": tokens, "wall_ms": wall}
	for _, e := range exams {
		x := res.Exams[e.Name]
		fmt.Fprintf(w, "%s: %g / %g points (medal %s)\n", e.Name, x.Score, x.Max, x.Medal)
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(f.out, "results.json")
	if err := atomicfile.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s (%d calls, %d tokens)\n", path, calls, tokens)
	return nil
}

// solveAll solves problems with up to parallel at once; the first error stops the rest.
func solveAll(ctx context.Context, m *physicsminions.Minions, problems []physicsminions.Problem, parallel int) ([]physicsminions.Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([]physicsminions.Result, len(problems))
	errs := make([]error, len(problems))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, p := range problems {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				errs[i] = ctx.Err()
				return
			}
			if out[i], errs[i] = m.Solve(ctx, p); errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && err != context.Canceled {
			return nil, err
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
