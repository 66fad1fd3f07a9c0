// Command bench/vla runs the simplevla recipe (package vla) for several seeds and ablations, one
// run at a time, and prints a table of held-out success before and after RL, the first pushcut,
// simulator throughput, the simulator's share of rollout time and each run's CPU seconds
// ((user+sys) of this process during the run, as docs/benchmarks.md reports). It writes the
// success curves to OUT/success.png.
//
//	go run ./bench/vla -seeds 1,2,3 -ablations            # the docs/vla.md table
//	go run ./bench/vla -seeds 1 -set steps=4              # a quick look
package main

import (
	"context"
	"flag"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/ascent-rl/ascent/bench/internal/benchrun"
	"github.com/ascent-rl/ascent/vla"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// variant is one configuration of the table.
type variant struct {
	name string
	seed uint64
	sets []string
}

// row is one finished run.
type row struct {
	v   variant
	sum *vla.Summary
	cpu float64
}

func main() {
	seeds := flag.String("seeds", "1,2,3", "comma-separated seeds of the full recipe")
	ablations := flag.Bool("ablations", false, "also run seed 1 without dynamic sampling and at the paper's temperature 1.6")
	only := flag.String("only", "", "run only the variants whose name contains this (simplevla, dynamic, temperature)")
	out := flag.String("out", "bench-out/vla", "runs root and plot directory")
	var sets benchrun.Sets
	flag.Var(&sets, "set", "override a vla config key for every run (repeatable)")
	flag.Parse()
	seedList, err := benchrun.Seeds("-seeds", *seeds)
	if err != nil {
		fail(err)
	}
	var vs []variant
	for _, n := range seedList {
		vs = append(vs, variant{name: "simplevla", seed: n})
	}
	if *ablations {
		vs = append(vs, variant{name: "no dynamic sampling", seed: 1, sets: []string{"dynamic_sampling=false"}},
			variant{name: "temperature 1.6", seed: 1, sets: []string{"temperature=1.6"}})
	}
	var rows []row
	for _, v := range vs {
		if !strings.Contains(v.name, *only) {
			continue
		}
		c := vla.DefaultConfig()
		c.Out, c.Seed, c.Name = *out, v.seed, strings.ReplaceAll(v.name, " ", "-")
		if err := c.Set(append(append([]string(nil), sets...), v.sets...)); err != nil {
			fail(err)
		}
		before := cpuSeconds()
		sum, err := vla.Run(context.Background(), c, os.Stderr)
		if err != nil {
			fail(fmt.Errorf("%s seed %d: %w", v.name, v.seed, err))
		}
		rows = append(rows, row{v: v, sum: sum, cpu: cpuSeconds() - before})
	}
	if len(rows) == 0 {
		fail(fmt.Errorf("-only %q: no variant matches (simplevla, no dynamic sampling, temperature 1.6; -ablations for the last two)", *only))
	}
	fmt.Println("| run | seed | SFT (before RL) | after RL | lift (points) | first pushcut (step, task) | env steps/s | sim share | wall s | CPU s (user+sys) |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		s := r.sum
		cut := "none"
		if s.FirstPushcut >= 0 {
			cut = fmt.Sprintf("%d, task %d", s.FirstPushcut, s.PushcutTask)
		}
		fmt.Printf("| %s | %d | %.1f%% | %.1f%% | %+.1f | %s | %.0f | %.1f%% | %.0f | %.0f |\n", r.v.name, r.v.seed,
			100*s.EvalBefore, 100*s.EvalAfter, 100*(s.EvalAfter-s.EvalBefore), cut, s.StepsPerSec, 100*s.SimShare, s.Seconds, r.cpu)
	}
	if err := plotCurves(filepath.Join(*out, "success.png"), rows); err != nil {
		fail(err)
	}
}

// cpuSeconds is this process's user+sys CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// plotCurves draws every run's held-out success against the RL step.
func plotCurves(path string, rows []row) error {
	p := plot.New()
	p.Title.Text = "held-out success (greedy); step 0 = after one-demo SFT"
	p.X.Label.Text = "RL step"
	p.Y.Label.Text = "success rate"
	cs := []color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255}, {148, 103, 189, 255}}
	for i, r := range rows {
		pts := make(plotter.XYs, len(r.sum.Curve))
		for j, y := range r.sum.Curve {
			pts[j] = plotter.XY{X: float64(r.sum.CurveSteps[j]), Y: y}
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		l.Color = cs[i%len(cs)]
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s seed %d", r.v.name, r.v.seed), l)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return p.Save(8*vg.Inch, 5*vg.Inch, path)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench/vla:", err)
	os.Exit(1)
}
