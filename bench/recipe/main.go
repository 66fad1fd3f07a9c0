// Command recipe runs the default training recipe (`ascent train` with no arguments) for several
// seeds and records what the RL trainer issue asks of it: held-out accuracy before and after RL
// (the lift over the run's own SFT starting point), the curves, wall time and peak memory.
//
//	make build && GOEXPERIMENT=simd go run ./bench/recipe --seeds 1,2,3 --out bench-out/recipe
//
// Each seed is a separate `ascent train` process (so its peak RSS can be measured), run with
// --set run.seed=N --set eval.every=EVERY and any extra --set overrides. Outputs: OUT/recipe.md
// (the table), OUT/heldout.png (held-out accuracy by RL step), OUT/score.png (training reward),
// OUT/length.png (response length), and the runs under OUT/runs (`ascent dash --runs OUT/runs`).
// --parallel 2 runs two seeds at once: faster in all, but wall times and speeds then describe a
// shared machine.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ascent-rl/ascent/bench/internal/benchrun"
	"github.com/ascent-rl/ascent/track"
)

func main() {
	seeds := flag.String("seeds", "1,2,3", "comma-separated run seeds")
	out := flag.String("out", "bench-out/recipe", "output directory")
	bin := flag.String("ascent", "bin/ascent", "the ascent binary (make build)")
	every := flag.Int("every", 25, "evaluate the held-out set every this many RL steps (the curve's resolution)")
	parallel := flag.Int("parallel", 1, "seeds run at once")
	var sets benchrun.Sets
	flag.Var(&sets, "set", "extra config override passed to every run (repeatable)")
	flag.Parse()
	if err := run(*seeds, *out, *bin, *every, *parallel, sets); err != nil {
		fmt.Fprintln(os.Stderr, "bench/recipe:", err)
		os.Exit(1)
	}
}

// result is one seed's row and curves.
type result struct {
	seed          uint64
	before, after float64
	seconds       float64
	peakMiB       float64
	steps         []float64 // RL step of each held-out evaluation (0 = after SFT)
	heldout       []float64 // held-out accuracy at those steps
	score, length []float64 // training reward and response length, per RL step
}

func run(seedList, out, bin string, every, parallel int, sets []string) error {
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s: %w (run `make build` first, or pass --ascent)", bin, err)
	}
	seeds, err := benchrun.Seeds("--seeds", seedList)
	if err != nil {
		return err
	}
	if parallel < 1 {
		return fmt.Errorf("--parallel = %d, want >= 1", parallel)
	}
	runs := filepath.Join(out, "runs")
	if err := os.MkdirAll(runs, 0o755); err != nil {
		return err
	}
	rows := make([]result, len(seeds))
	errs := make([]error, len(seeds))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, seed := range seeds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			rows[i], errs[i] = runSeed(bin, runs, seed, every, sets)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("seed %d: %w", seeds[i], err)
		}
	}
	table := markdown(rows)
	fmt.Print(table)
	if err := os.WriteFile(filepath.Join(out, "recipe.md"), []byte(table), 0o644); err != nil {
		return err
	}
	return plots(out, rows)
}

// runSeed runs one `ascent train` process and reads back its summary and metrics.
func runSeed(bin, runs string, seed uint64, every int, sets []string) (result, error) {
	name := fmt.Sprintf("seed%d", seed)
	args := []string{"train", "--out", runs, "--set", "run.name=" + name, "--set", fmt.Sprintf("run.seed=%d", seed),
		"--set", fmt.Sprintf("eval.every=%d", every)}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	dir := filepath.Join(runs, name)
	if err := os.RemoveAll(dir); err != nil {
		return result{}, err
	}
	u, err := benchrun.Exec(fmt.Sprintf("seed %d: ", seed), filepath.Join(runs, name+".log"), bin, args...)
	if err != nil {
		return result{}, err
	}
	r := result{seed: seed, seconds: u.Wall, peakMiB: u.PeakMiB}
	var sum struct {
		EvalBefore *float64 `json:"eval_before"`
		EvalAfter  *float64 `json:"eval_after"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		return result{}, err
	}
	if err := json.Unmarshal(b, &sum); err != nil || sum.EvalBefore == nil || sum.EvalAfter == nil {
		return result{}, fmt.Errorf("%s/summary.json: no eval_before/eval_after (%v)", dir, err)
	}
	r.before, r.after = *sum.EvalBefore, *sum.EvalAfter
	r.steps, r.heldout = []float64{0}, []float64{r.before}
	if err := readMetrics(filepath.Join(dir, "metrics.jsonl"), &r); err != nil {
		return result{}, err
	}
	fmt.Printf("seed %d: held-out %.1f%% -> %.1f%% in %.0f s, peak %.0f MiB\n", seed, 100*r.before, 100*r.after, r.seconds, r.peakMiB)
	return r, nil
}

// readMetrics collects the per-step curves from metrics.jsonl.
func readMetrics(path string, r *result) error {
	rows, bad, err := track.ReadMetrics(path)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s: %d lines do not parse (first: line %d)", path, len(bad), bad[0].Line)
	}
	for _, m := range rows {
		r.score = append(r.score, m.Values["critic/score/mean"])
		r.length = append(r.length, m.Values["response_length/mean"])
		if v, ok := m.Values["val/accuracy"]; ok {
			r.steps, r.heldout = append(r.steps, float64(m.Step)), append(r.heldout, v)
		}
	}
	return nil
}

// markdown is the results table, with the mean over seeds.
func markdown(rows []result) string {
	var sb strings.Builder
	sb.WriteString("| seed | held-out after SFT | held-out after RL | lift (points) | wall time | peak RSS |\n|---:|---:|---:|---:|---:|---:|\n")
	var lift, minLift float64
	for i, r := range rows {
		l := 100 * (r.after - r.before)
		lift += l
		if i == 0 || l < minLift {
			minLift = l
		}
		fmt.Fprintf(&sb, "| %d | %.1f%% | %.1f%% | %+.1f | %.0f s | %.0f MiB |\n", r.seed, 100*r.before, 100*r.after, l, r.seconds, r.peakMiB)
	}
	if len(rows) > 0 {
		fmt.Fprintf(&sb, "\nMean lift %+.1f points, smallest %+.1f, over %d seeds.\n", lift/float64(len(rows)), minLift, len(rows))
	}
	return sb.String()
}
