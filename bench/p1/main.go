// Command p1 runs the P1 recipe on the built-in physics task (`ascent train --preset p1`) for
// several seeds, and optionally its ablations, and records what issue #15 asks of it: held-out
// mean sub-answer accuracy (val/score) and full-problem accuracy (val/accuracy, every sub-answer
// right) after the SFT warm-up and after RL, the curves, and each run's CPU time.
//
//	make build && GOEXPERIMENT=simd go run ./bench/p1 --seeds 1,2,3 --out bench-out/p1 --img docs/img
//	GOEXPERIMENT=simd go run ./bench/p1 --seeds 1 --ablations no_tis,staged,filter --out bench-out/p1
//
// Each run is a separate `ascent train --preset p1` process, one at a time, with --set run.seed=N
// --set eval.every=EVERY and any extra --set overrides; its wall time and user+sys CPU seconds
// come from the process's rusage, so "≤ 10 minutes on 2 cores" can be judged as (user+sys)/2 on a
// shared machine. Outputs: OUT/p1.md (the tables), OUT/p1-subanswer.png (mean sub-answer
// accuracy by RL step), OUT/p1-full.png (full-problem accuracy), OUT/p1-score.png (training
// reward), OUT/p1-length.png (response length), copied to --img when set, and the runs under
// OUT/runs (`ascent dash --runs OUT/runs`).
//
// The ablations change one thing each against the recipe, on the first seed, with settings fixed
// in ablations (see docs/p1.md), and start RL from that seed's SFT model (its step-0 checkpoint,
// AdamW state included) so that only the ablated setting differs: no_tis (algo.tis.cap=0), staged
// (two stages growing the group size and response length) and filter (P1's learnability filter,
// `ascent data filter`, with that SFT model, then RL on the kept problems only).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ascent-rl/ascent/bench/internal/benchrun"
	"github.com/ascent-rl/ascent/track"
)

func main() {
	seeds := flag.String("seeds", "1,2,3", "comma-separated run seeds")
	abl := flag.String("ablations", "", "comma-separated ablations run on the first seed: "+strings.Join(ablationNames(), ", "))
	out := flag.String("out", "bench-out/p1", "output directory")
	img := flag.String("img", "", "also copy the curve PNGs here (e.g. docs/img)")
	bin := flag.String("ascent", "bin/ascent", "the ascent binary (make build)")
	every := flag.Int("every", 25, "evaluate the held-out set every this many RL steps")
	flag.IntVar(&at, "at", 0, "take the held-out evaluation at this RL step as \"after RL\" (runs trained longer than the recipe; 0: the final one)")
	flag.BoolVar(&skipSeeds, "skip-seeds", false, "run only the ablations (on the first seed, whose recipe run must have its SFT checkpoint)")
	flag.BoolVar(&reuse, "reuse", false, "read back a run already finished under --out (summary and timing) instead of rerunning it")
	var sets benchrun.Sets
	flag.Var(&sets, "set", "extra config override passed to every run (repeatable)")
	flag.Parse()
	if err := run(*seeds, *abl, *out, *img, *bin, *every, sets); err != nil {
		fmt.Fprintln(os.Stderr, "bench/p1:", err)
		os.Exit(1)
	}
}

// reuse reads back finished runs instead of rerunning them (--reuse); skipSeeds runs only the
// ablations (--skip-seeds).
var reuse, skipSeeds bool

// at is --at: the evaluation step read as the end of RL (0: the run's last).
var at int

// result is one run's row and curves.
type result struct {
	name                  string
	seed                  uint64
	subBefore, subAfter   float64 // held-out mean sub-answer accuracy (val/score)
	fullBefore, fullAfter float64 // held-out full-problem accuracy (val/accuracy)
	wall, cpu             float64 // seconds; cpu = user + sys of the run's processes
	peakMiB               float64
	steps                 []float64 // RL step of each held-out evaluation (0 = after SFT)
	sub, full             []float64 // held-out sub-answer and full-problem accuracy at those steps
	score, length         []float64 // training reward and response length, per RL step
	note                  string
}

func run(seedList, ablList, out, img, bin string, every int, sets []string) error {
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("%s: %w (run `make build` first, or pass --ascent)", bin, err)
	}
	seeds, err := benchrun.Seeds("--seeds", seedList)
	if err != nil {
		return err
	}
	var abls []ablation
	if ablList != "" {
		for _, n := range strings.Split(ablList, ",") {
			a, err := lookupAblation(strings.TrimSpace(n))
			if err != nil {
				return err
			}
			abls = append(abls, a)
		}
	}
	runs := filepath.Join(out, "runs")
	if err := os.MkdirAll(runs, 0o755); err != nil {
		return err
	}
	var rows, ablRows []result
	for _, seed := range seeds {
		if skipSeeds {
			break
		}
		// The first seed keeps every checkpoint: the filter ablation starts from its SFT model.
		extra := append([]string(nil), sets...)
		if seed == seeds[0] {
			extra = append(extra, "run.keep_checkpoints=0")
		}
		r, err := trainRun(bin, runs, fmt.Sprintf("seed%d", seed), seed, every, extra, "")
		if err != nil {
			return fmt.Errorf("seed %d: %w", seed, err)
		}
		rows = append(rows, r)
	}
	for _, a := range abls {
		r, err := a.run(bin, runs, seeds[0], every, sets)
		if err != nil {
			return fmt.Errorf("ablation %s: %w", a.name, err)
		}
		ablRows = append(ablRows, r)
	}
	table := markdown(rows, ablRows)
	fmt.Print(table)
	if err := os.WriteFile(filepath.Join(out, "p1.md"), []byte(table), 0o644); err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	return plots(out, img, append(rows, ablRows...))
}

// trainRun runs one `ascent train --preset p1` process (with config file cfgFile when set) and
// reads back its summary and metrics.
func trainRun(bin, runs, name string, seed uint64, every int, sets []string, cfgFile string) (result, error) {
	args := []string{"train", "--preset", "p1", "--out", runs, "--set", "run.name=" + name, "--set", fmt.Sprintf("run.seed=%d", seed),
		"--set", fmt.Sprintf("eval.every=%d", every)}
	if cfgFile != "" {
		args = append(args, "--config", cfgFile)
	}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	dir := filepath.Join(runs, name)
	r := result{name: name, seed: seed}
	timing := filepath.Join(runs, name+".time.json")
	var t runTime
	if b, err := os.ReadFile(timing); reuse && err == nil && json.Unmarshal(b, &t) == nil {
		r.wall, r.cpu, r.peakMiB = t.Wall, t.CPU, t.PeakMiB
		fmt.Printf("%s: reusing the finished run in %s\n", name, dir)
	} else {
		if err := os.RemoveAll(dir); err != nil {
			return result{}, err
		}
		if err := timed(&r, filepath.Join(runs, name+".log"), bin, args...); err != nil {
			return result{}, err
		}
		b, _ := json.Marshal(runTime{Wall: r.wall, CPU: r.cpu, PeakMiB: r.peakMiB})
		if err := os.WriteFile(timing, b, 0o644); err != nil {
			return result{}, err
		}
	}
	var sum struct {
		Before      *float64 `json:"eval_before"`
		After       *float64 `json:"eval_after"`
		ScoreBefore *float64 `json:"eval_before_score"`
		ScoreAfter  *float64 `json:"eval_after_score"`
	}
	file := filepath.Join(dir, "summary.json")
	b, err := os.ReadFile(file)
	if os.IsNotExist(err) && at > 0 {
		// A run stopped after the --at evaluation has no summary: the step-0 checkpoint's trainer
		// state holds the evaluation before RL, and --at supplies "after".
		file = filepath.Join(dir, "checkpoints", "step_000000", "state.json")
		b, err = os.ReadFile(file)
		zero := 0.0
		sum.After, sum.ScoreAfter = &zero, &zero
	}
	if err != nil {
		return result{}, err
	}
	if err := json.Unmarshal(b, &sum); err != nil || sum.Before == nil || sum.After == nil || sum.ScoreBefore == nil || sum.ScoreAfter == nil {
		return result{}, fmt.Errorf("%s: want eval_before, eval_after, eval_before_score, eval_after_score (%v)", file, err)
	}
	r.fullBefore, r.fullAfter, r.subBefore, r.subAfter = *sum.Before, *sum.After, *sum.ScoreBefore, *sum.ScoreAfter
	r.steps, r.full, r.sub = []float64{0}, []float64{r.fullBefore}, []float64{r.subBefore}
	if err := readMetrics(filepath.Join(dir, "metrics.jsonl"), &r); err != nil {
		return result{}, err
	}
	if at > 0 {
		if err := cutAt(&r, at); err != nil {
			return result{}, fmt.Errorf("%s: %w", dir, err)
		}
	}
	fmt.Printf("%s: sub-answer %.1f%% -> %.1f%%, full %.1f%% -> %.1f%%, %.0f s wall, %.0f CPU-s, peak %.0f MiB\n",
		name, 100*r.subBefore, 100*r.subAfter, 100*r.fullBefore, 100*r.fullAfter, r.wall, r.cpu, r.peakMiB)
	return r, nil
}

// runTime is a finished run's measured cost, kept beside it for --reuse.
type runTime struct {
	Wall    float64 `json:"wall_s"`
	CPU     float64 `json:"cpu_s"`
	PeakMiB float64 `json:"peak_mib"`
}

// timed runs bin with args, its output into logPath, and adds its wall and CPU time to r.
func timed(r *result, logPath, bin string, args ...string) error {
	u, err := benchrun.Exec("", logPath, bin, args...)
	if err != nil {
		return err
	}
	r.wall += u.Wall
	r.cpu += u.CPU()
	r.peakMiB = max(r.peakMiB, u.PeakMiB)
	return nil
}

// cutAt makes the evaluation at RL step step the run's end: "after RL" and the curves stop there.
func cutAt(r *result, step int) error {
	for i, s := range r.steps {
		if int(s) == step {
			r.steps, r.sub, r.full = r.steps[:i+1], r.sub[:i+1], r.full[:i+1]
			r.subAfter, r.fullAfter = r.sub[i], r.full[i]
			r.score, r.length = r.score[:min(step, len(r.score))], r.length[:min(step, len(r.length))]
			return nil
		}
	}
	return fmt.Errorf("--at %d: no held-out evaluation at that step (evaluated at %v)", step, r.steps)
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
		if v, ok := m.Values["val/score"]; ok {
			r.steps, r.sub, r.full = append(r.steps, float64(m.Step)), append(r.sub, v), append(r.full, m.Values["val/accuracy"])
		}
	}
	return nil
}
