// Command tools runs the tool-use recipe (`ascent train --preset tools`: SFT then RL on
// large-operand arithmetic with the calculator tool) for several seeds and records what the tools
// issue asks of it: held-out accuracy with the tool after SFT and after RL (the lift), held-out
// accuracy of the same policies without the tool, tool calls per response and the tool error
// rate, the curves, and wall and CPU time.
//
//	make build && GOEXPERIMENT=simd go run ./bench/tools --seeds 1,2,3 --out bench-out/tools
//
// Each seed is a separate `ascent train --preset tools` process (its CPU time and peak RSS are
// measured from its rusage), with --set run.seed=N --set eval.every=EVERY and any extra --set.
// Outputs: OUT/tools.md (the table), OUT/heldout.png (held-out accuracy with and without the tool
// by RL step), OUT/calls.png (tool calls per training response), OUT/score.png (training reward),
// and the runs under OUT/runs.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ascent-rl/ascent/bench/internal/benchrun"
	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/track"
	"github.com/ascent-rl/ascent/trainer"
)

func main() {
	seeds := flag.String("seeds", "1,2,3", "comma-separated run seeds")
	out := flag.String("out", "bench-out/tools", "output directory")
	bin := flag.String("ascent", "bin/ascent", "the ascent binary (make build)")
	every := flag.Int("every", 25, "evaluate the held-out set every this many RL steps (the curve's resolution)")
	reuse := flag.Bool("reuse", false, "read back a seed whose run already finished (summary.json) instead of running it again; its time is then not measured")
	var sets benchrun.Sets
	flag.Var(&sets, "set", "extra config override passed to every run (repeatable)")
	flag.Parse()
	if err := run(*seeds, *out, *bin, *every, *reuse, sets); err != nil {
		fmt.Fprintln(os.Stderr, "bench/tools:", err)
		os.Exit(1)
	}
}

// result is one seed's row and curves.
type result struct {
	seed                 uint64
	evals                []trainer.ToolEval // every held-out evaluation, step 0 first
	calls, errs, score   []float64          // per RL step: tool calls per response, tool error ratio, reward
	wall, user, sys, mib float64
}

func (r result) first() trainer.ToolEval { return r.evals[0] }
func (r result) last() trainer.ToolEval  { return r.evals[len(r.evals)-1] }

func run(seedList, out, bin string, every int, reuse bool, sets []string) error {
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s: %w (run `make build` first, or pass --ascent)", bin, err)
	}
	runs := filepath.Join(out, "runs")
	if err := os.MkdirAll(runs, 0o755); err != nil {
		return err
	}
	seeds, err := benchrun.Seeds("--seeds", seedList)
	if err != nil {
		return err
	}
	var rows []result
	for _, seed := range seeds {
		r, err := runSeed(bin, runs, seed, every, reuse, sets)
		if err != nil {
			return fmt.Errorf("seed %d: %w", seed, err)
		}
		rows = append(rows, r)
	}
	table := markdown(rows)
	fmt.Print(table)
	if err := os.WriteFile(filepath.Join(out, "tools.md"), []byte(table), 0o644); err != nil {
		return err
	}
	return plots(out, rows)
}

// runSeed runs one `ascent train --preset tools` process and reads back its evaluations and metrics.
func runSeed(bin, runs string, seed uint64, every int, reuse bool, sets []string) (result, error) {
	name := fmt.Sprintf("seed%d", seed)
	args := []string{"train", "--preset", trainer.ToolsPreset, "--out", runs, "--set", "run.name=" + name,
		"--set", fmt.Sprintf("run.seed=%d", seed), "--set", fmt.Sprintf("eval.every=%d", every)}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	dir := filepath.Join(runs, name)
	r := result{seed: seed}
	if _, err := os.Stat(filepath.Join(dir, "summary.json")); !reuse || err != nil {
		var err error
		if r, err = execSeed(bin, dir, name, seed, args); err != nil {
			return result{}, err
		}
	}
	var err error
	if r.evals, err = trainer.ReadToolEvals(filepath.Join(dir, trainer.FileToolEval)); err != nil {
		return result{}, err
	}
	if len(r.evals) < 2 || r.evals[0].Step != 0 {
		return result{}, fmt.Errorf("%s: want evaluations at step 0 and after RL, got %d", trainer.FileToolEval, len(r.evals))
	}
	rows, bad, err := track.ReadMetrics(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		return result{}, err
	}
	if len(bad) > 0 {
		return result{}, fmt.Errorf("%s/metrics.jsonl: %d lines do not parse", dir, len(bad))
	}
	for _, m := range rows {
		r.calls = append(r.calls, m.Values[metric.ToolCallsPerResponse])
		r.errs = append(r.errs, m.Values[metric.ToolErrorRatio])
		r.score = append(r.score, m.Values[metric.ScoreMean])
	}
	var sum struct {
		EvalAfter *float64 `json:"eval_after"`
	}
	if b, err := os.ReadFile(filepath.Join(dir, "summary.json")); err != nil || json.Unmarshal(b, &sum) != nil || sum.EvalAfter == nil {
		return result{}, fmt.Errorf("%s/summary.json: no eval_after (%v)", dir, err)
	}
	if *sum.EvalAfter != r.last().WithTools {
		return result{}, fmt.Errorf("%s: summary eval_after %v differs from the last tool evaluation %v", dir, *sum.EvalAfter, r.last().WithTools)
	}
	fmt.Printf("seed %d: held-out with the tool %.1f%% -> %.1f%%, without %.1f%% -> %.1f%%, %.0f s wall, %.0f s CPU\n", seed,
		100*r.first().WithTools, 100*r.last().WithTools, 100*r.first().WithoutTools, 100*r.last().WithoutTools, r.wall, r.user+r.sys)
	return r, nil
}

// execSeed runs one training process, measuring its wall and CPU time and peak RSS.
func execSeed(bin, dir, name string, seed uint64, args []string) (result, error) {
	if err := os.RemoveAll(dir); err != nil {
		return result{}, err
	}
	u, err := benchrun.Exec(fmt.Sprintf("seed %d: ", seed), filepath.Join(filepath.Dir(dir), name+".log"), bin, args...)
	if err != nil {
		return result{}, err
	}
	return result{seed: seed, wall: u.Wall, user: u.User, sys: u.Sys, mib: u.PeakMiB}, nil
}

// markdown is the results table, with the mean lift.
func markdown(rows []result) string {
	var sb strings.Builder
	sb.WriteString("| seed | with tool after SFT | with tool after RL | lift (points) | without tool after SFT / RL | calls per response (train, first / last step) | tool error rate (train, mean) | wall | (user+sys)/2 | peak RSS |\n")
	sb.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	var lift, minLift float64
	for i, r := range rows {
		l := 100 * (r.last().WithTools - r.first().WithTools)
		lift += l
		if i == 0 || l < minLift {
			minLift = l
		}
		cost := "read back (--reuse) | — | —"
		if r.wall > 0 {
			cost = fmt.Sprintf("%.0f s | %.0f s | %.0f MiB", r.wall, (r.user+r.sys)/2, r.mib)
		}
		fmt.Fprintf(&sb, "| %d | %.1f%% | %.1f%% | %+.1f | %.1f%% / %.1f%% | %.2f / %.2f | %.1f%% | %s |\n",
			r.seed, 100*r.first().WithTools, 100*r.last().WithTools, l, 100*r.first().WithoutTools, 100*r.last().WithoutTools,
			at(r.calls, 0), at(r.calls, len(r.calls)-1), 100*mean(r.errs), cost)
	}
	if len(rows) > 0 {
		fmt.Fprintf(&sb, "\nMean lift %+.1f points, smallest %+.1f, over %d seeds.\n", lift/float64(len(rows)), minLift, len(rows))
	}
	return sb.String()
}

func at(xs []float64, i int) float64 {
	if i < 0 || i >= len(xs) {
		return 0
	}
	return xs[i]
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
