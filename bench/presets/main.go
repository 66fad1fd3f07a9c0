// Command presets runs every method preset on the built-in task for the same budget, from the same
// SFT warm-up, and writes a comparison table and curves.
//
//	GOEXPERIMENT=simd go run ./bench/presets --steps 20 --out bench-out/presets
//
// It trains one SFT warm-up (the default recipe's), then each preset for --steps RL steps from that
// checkpoint, and reports held-out accuracy before and after, the final token entropy, the number of
// distinct correct responses per prompt in the last step (a diversity measure), and wall time.
// Outputs: OUT/presets.md (the table), OUT/score.png and OUT/entropy.png (curves), OUT/runs/ (the
// runs, viewable with `ascent dash --runs OUT/runs`).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/engine/openai"
	"github.com/ascent-rl/ascent/trainer"
)

func main() {
	steps := flag.Int("steps", 20, "RL steps per preset")
	def, err := trainer.DefaultConfig("justrl")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/presets:", err)
		os.Exit(1)
	}
	sftSteps := flag.Int("sft-steps", def.SFT.Steps, "SFT warm-up steps (shared by all presets; default: the default recipe's)")
	out := flag.String("out", "bench-out/presets", "output directory")
	only := flag.String("presets", strings.Join(algo.PresetNames(), ","), "comma-separated presets")
	seed := flag.Uint64("seed", 1, "run seed")
	flag.Parse()
	if err := run(*steps, *sftSteps, *out, strings.Split(*only, ","), *seed); err != nil {
		fmt.Fprintln(os.Stderr, "bench/presets:", err)
		os.Exit(1)
	}
}

// result is one preset's row.
type result struct {
	preset               string
	before, after        float64
	entropy, distinct    float64
	seconds              float64
	score, entropyByStep []float64
}

func run(steps, sftSteps int, out string, presets []string, seed uint64) error {
	runs := filepath.Join(out, "runs")
	ctx := context.Background()
	sets := func(extra ...string) []string {
		return append([]string{"run.out=" + runs, fmt.Sprintf("run.seed=%d", seed)}, extra...)
	}
	fmt.Printf("SFT warm-up: %d steps\n", sftSteps)
	cfg, err := trainer.LoadConfig("justrl", "", sets("run.name=sft", "run.steps=0", fmt.Sprintf("sft.steps=%d", sftSteps)))
	if err != nil {
		return err
	}
	sum, err := trainer.Run(ctx, cfg, "", nil, local.NewLearner, openai.Dial)
	if err != nil {
		return err
	}
	ckpt := filepath.Join(sum.RunDir, "checkpoints", "step_000000", "engine")
	var rows []result
	for _, p := range presets {
		fmt.Printf("preset %s: %d steps\n", p, steps)
		cfg, err := trainer.LoadConfig(p, "", sets("run.name="+p, fmt.Sprintf("run.steps=%d", steps), "sft.steps=0",
			"model.init="+ckpt, "run.samples_per_step=100000"))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		start := time.Now()
		s, err := trainer.Run(ctx, cfg, "", nil, local.NewLearner, openai.Dial)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		r := result{preset: p, before: s.EvalBefore, after: s.EvalAfter, seconds: time.Since(start).Seconds()}
		if err := readRun(s.RunDir, steps, &r); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		rows = append(rows, r)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "| preset | held-out before | held-out after | entropy (last step) | distinct correct / prompt | wall time |\n|---|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(&sb, "| %s | %.1f%% | %.1f%% | %.3f | %.2f | %.0f s |\n", r.preset, 100*r.before, 100*r.after, r.entropy, r.distinct, r.seconds)
	}
	fmt.Print(sb.String())
	if err := os.WriteFile(filepath.Join(out, "presets.md"), []byte(sb.String()), 0o644); err != nil {
		return err
	}
	if err := curves(filepath.Join(out, "score.png"), "critic/score/mean", rows, func(r result) []float64 { return r.score }); err != nil {
		return err
	}
	return curves(filepath.Join(out, "entropy.png"), "actor/entropy", rows, func(r result) []float64 { return r.entropyByStep })
}

// readRun fills the curves, the final entropy and the diversity of the last step's correct answers.
func readRun(dir string, steps int, r *result) error {
	f, err := os.Open(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := map[string]float64{}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return err
		}
		r.score = append(r.score, m["critic/score/mean"])
		r.entropyByStep = append(r.entropyByStep, m["actor/entropy"])
		r.entropy = m["actor/entropy"]
	}
	sf, err := os.Open(filepath.Join(dir, "samples", fmt.Sprintf("step_%d.jsonl", steps)))
	if err != nil {
		return err
	}
	defer sf.Close()
	correct := map[string]map[string]bool{}
	prompts := map[string]bool{}
	ss := bufio.NewScanner(sf)
	ss.Buffer(make([]byte, 1<<20), 1<<20)
	for ss.Scan() {
		var s struct{ Prompt, Response, Verdict string }
		if err := json.Unmarshal(ss.Bytes(), &s); err != nil {
			return err
		}
		prompts[s.Prompt] = true
		if s.Verdict == "correct" {
			if correct[s.Prompt] == nil {
				correct[s.Prompt] = map[string]bool{}
			}
			correct[s.Prompt][s.Response] = true
		}
	}
	n := 0
	for _, c := range correct {
		n += len(c)
	}
	if len(prompts) > 0 {
		r.distinct = float64(n) / float64(len(prompts))
	}
	return nil
}

// curves draws one metric per preset against the step.
func curves(path, metric string, rows []result, get func(result) []float64) error {
	p := plot.New()
	p.Title.Text = metric + " by preset"
	p.X.Label.Text = "RL step"
	p.Y.Label.Text = metric
	for i, r := range rows {
		ys := get(r)
		pts := make(plotter.XYs, len(ys))
		for j, y := range ys {
			pts[j] = plotter.XY{X: float64(j + 1), Y: y}
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		l.Color = palette(i)
		p.Add(l)
		p.Legend.Add(r.preset, l)
	}
	return p.Save(8*vg.Inch, 5*vg.Inch, path)
}

func palette(i int) color.Color {
	cs := []color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
		{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255},
		{188, 189, 34, 255}, {23, 190, 207, 255}, {0, 0, 0, 255}}
	return cs[i%len(cs)]
}
