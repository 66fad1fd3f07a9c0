package main

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/track"
)

// series is one line (or set of points) of a chart.
type series struct {
	name   string
	xs, ys []float64
	points bool // scatter instead of a line
}

// chart writes one PNG with the given series.
func chart(path, title, xl, yl string, ss []series) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xl
	p.Y.Label.Text = yl
	p.Legend.Top = true
	for i, s := range ss {
		pts := make(plotter.XYs, 0, len(s.xs))
		for j := range s.xs {
			if !math.IsNaN(s.ys[j]) {
				pts = append(pts, plotter.XY{X: s.xs[j], Y: s.ys[j]})
			}
		}
		if len(pts) == 0 {
			continue
		}
		if s.points || len(pts) == 1 {
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			sc.Color = palette(i)
			p.Add(sc)
			p.Legend.Add(s.name, sc)
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		l.Color = palette(i)
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(s.name, l)
	}
	return p.Save(7*vg.Inch, 4.5*vg.Inch, path)
}

func palette(i int) color.Color {
	cs := []color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
		{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255}, {188, 189, 34, 255}, {23, 190, 207, 255}}
	return cs[i%len(cs)]
}

// perStep is the series of a per-step metric of each seed's run of each spec.
func perStep(b *bench, seeds []uint64, key string, specs ...runSpec) []series {
	var out []series
	for _, s := range specs {
		have := b.have(s, seeds)
		for _, seed := range sortedSeeds(have) {
			steps, vs := have[seed].curve(key)
			out = append(out, series{name: fmt.Sprintf("%s s%d", s.name, seed), xs: ints(steps), ys: vs})
		}
	}
	return out
}

// perEval is the series of a held-out metric at each evaluation (step 0 included).
func perEval(b *bench, seeds []uint64, key string, specs ...runSpec) []series {
	var out []series
	for _, s := range specs {
		have := b.have(s, seeds)
		for _, seed := range sortedSeeds(have) {
			var xs, ys []float64
			for _, e := range have[seed].Evals {
				xs, ys = append(xs, float64(e.Step)), append(ys, e.Values[key])
			}
			out = append(out, series{name: fmt.Sprintf("%s s%d", s.name, seed), xs: xs, ys: ys})
		}
	}
	return out
}

func ints(xs []int) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}

// save writes charts named fidelity-N-SUFFIX.png under dir and returns their file names.
func save(dir string, n int, charts map[string]func(path string) error) ([]string, error) {
	var names []string
	for suffix := range charts {
		names = append(names, suffix)
	}
	sort.Strings(names)
	var files []string
	for _, s := range names {
		f := fmt.Sprintf("fidelity-%d-%s.png", n, s)
		if err := charts[s](filepath.Join(dir, f)); err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

func plotLaw(b *bench, seeds []uint64, dir string) ([]string, error) {
	return save(dir, 1, map[string]func(string) error{
		"law": func(path string) error {
			var ss []series
			for _, seed := range sortedSeeds(b.have(runGRPO, seeds)) {
				r := b.have(runGRPO, seeds)[seed]
				h, acc := lawPoints(r)
				ss = append(ss, series{name: fmt.Sprintf("grpo s%d evaluations", seed), xs: h, ys: acc, points: true})
				if fit, err := track.FitEntropyLaw(h, acc); err == nil {
					lo, hi := math.Inf(1), math.Inf(-1)
					for _, v := range h {
						lo, hi = math.Min(lo, v), math.Max(hi, v)
					}
					var xs, ys []float64
					for i := 0; i <= 20; i++ {
						x := lo + (hi-lo)*float64(i)/20
						xs, ys = append(xs, x), append(ys, fit.Predict(x))
					}
					ss = append(ss, series{name: fmt.Sprintf("s%d fit R² %.2f", seed, fit.R2), xs: xs, ys: ys})
				}
			}
			return chart(path, "held-out accuracy against policy entropy (GRPO)", "entropy H", "greedy accuracy", ss)
		},
		"entropy": func(path string) error {
			return chart(path, "policy entropy by RL step (GRPO)", "RL step", "actor/entropy", perStep(b, seeds, metric.Entropy, runGRPO))
		},
	})
}

func plotCov(b *bench, seeds []uint64, dir string) ([]string, error) {
	return save(dir, 2, map[string]func(string) error{
		"cov": func(path string) error {
			var ss []series
			for _, seed := range sortedSeeds(b.have(runGRPO, seeds)) {
				r := b.have(runGRPO, seeds)[seed]
				var xs, cov, dh []float64
				for _, s := range r.Steps {
					c, ok1 := r.at(metric.LogpAdvCov, s)
					h0, ok2 := r.at(metric.Entropy, s)
					h1, ok3 := r.at(metric.Entropy, s+1)
					if ok1 && ok2 && ok3 {
						xs, cov, dh = append(xs, float64(s)), append(cov, c), append(dh, 10*(h0-h1))
					}
				}
				ss = append(ss, series{name: fmt.Sprintf("s%d Cov(log π, A)", seed), xs: xs, ys: cov},
					series{name: fmt.Sprintf("s%d 10·(H_t − H_t+1)", seed), xs: xs, ys: dh})
			}
			return chart(path, "covariance term and entropy change by step (GRPO)", "RL step", "value", ss)
		},
	})
}

func plotCovMethods(b *bench, seeds []uint64, dir string) ([]string, error) {
	specs := []runSpec{runGRPO, runClipCov, runKLCov}
	return save(dir, 3, map[string]func(string) error{
		"entropy": func(path string) error {
			return chart(path, "policy entropy: GRPO, Clip-Cov, KL-Cov", "RL step", "actor/entropy", perStep(b, seeds, metric.Entropy, specs...))
		},
		"accuracy": func(path string) error {
			return chart(path, "held-out greedy accuracy", "RL step", "val/accuracy", perEval(b, seeds, keyAcc, specs...))
		},
		"pass16": func(path string) error {
			return chart(path, "held-out pass@16", "RL step", keyPassK, perEval(b, seeds, keyPassK, specs...))
		},
	})
}

// passAtKSeries is final pass@k against k for each spec's seeds.
func passAtKSeries(b *bench, seeds []uint64, specs ...runSpec) []series {
	var out []series
	for _, s := range specs {
		have := b.have(s, seeds)
		for _, seed := range sortedSeeds(have) {
			e, _ := have[seed].eval(-1)
			var xs, ys []float64
			for k, v := range e.Values {
				if after, ok := strings.CutPrefix(k, metric.ValPassAt); ok {
					if kk, err := strconv.Atoi(after); err == nil {
						xs, ys = append(xs, float64(kk)), append(ys, v)
					}
				}
			}
			idx := make([]int, len(xs))
			for i := range idx {
				idx[i] = i
			}
			sort.Slice(idx, func(i, j int) bool { return xs[idx[i]] < xs[idx[j]] })
			sx, sy := make([]float64, len(xs)), make([]float64, len(xs))
			for i, j := range idx {
				sx[i], sy[i] = math.Log2(xs[j]), ys[j]
			}
			out = append(out, series{name: fmt.Sprintf("%s s%d", s.name, seed), xs: sx, ys: sy})
		}
	}
	return out
}

func plotFlow(b *bench, seeds []uint64, dir string) ([]string, error) {
	specs := []runSpec{runGRPO, runFlowRL, runPPO}
	return save(dir, 4, map[string]func(string) error{
		"passk": func(path string) error {
			return chart(path, "final held-out pass@k (k = 1, 2, 4, 8, 16)", "log2 k", "pass@k", passAtKSeries(b, seeds, specs...))
		},
		"distinct": func(path string) error {
			return chart(path, "distinct correct answers per problem (16 samples)", "RL step", keyDistinct, perEval(b, seeds, keyDistinct, specs...))
		},
	})
}

func plotTTRL(b *bench, seeds []uint64, dir string) ([]string, error) {
	return save(dir, 5, map[string]func(string) error{
		"pass1": func(path string) error {
			ss := perEval(b, seeds, keyPass1, runTTRL)
			for _, s := range perEval(b, seeds, keyMaj, runTTRL) {
				s.name = strings.Replace(s.name, "ttrl", "maj@16", 1)
				ss = append(ss, s)
			}
			return chart(path, "TTRL on arith: sampled pass@1 and maj@16", "RL step", "accuracy", ss)
		},
		"labels": func(path string) error {
			ss := perStep(b, seeds, metric.TTRLLabelAcc, runTTRL)
			for _, s := range perStep(b, seeds, metric.TTRLRewardAcc, runTTRL) {
				s.name += " reward acc"
				ss = append(ss, s)
			}
			return chart(path, "TTRL label accuracy and reward accuracy", "RL step", "fraction", ss)
		},
	})
}

func plotHPT(b *bench, seeds []uint64, dir string) ([]string, error) {
	specs := []runSpec{runHPT, runSFTOnly, runRLOnly, runSFTRL}
	return save(dir, 6, map[string]func(string) error{
		"accuracy": func(path string) error {
			return chart(path, "from the weak start: held-out greedy accuracy", "RL step", "val/accuracy", perEval(b, seeds, keyAcc, specs...))
		},
		"passk": func(path string) error {
			return chart(path, "final held-out pass@k", "log2 k", "pass@k", passAtKSeries(b, seeds, specs...))
		},
	})
}

func plotJustRL(b *bench, seeds []uint64, dir string) ([]string, error) {
	specs := []runSpec{runJust, runJustLen, runJustLenient}
	return save(dir, 7, map[string]func(string) error{
		"accuracy": func(path string) error {
			return chart(path, "JustRL and its ablations: held-out greedy accuracy", "RL step", "val/accuracy", perEval(b, seeds, keyAcc, specs...))
		},
		"entropy": func(path string) error {
			return chart(path, "JustRL and its ablations: policy entropy", "RL step", "actor/entropy", perStep(b, seeds, metric.Entropy, specs...))
		},
		"length": func(path string) error {
			return chart(path, "JustRL and its ablations: response length", "RL step", "tokens", perStep(b, seeds, metric.RespLenMean, specs...))
		},
	})
}
