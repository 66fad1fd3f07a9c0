package main

import (
	"fmt"
	"image/color"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// series is one line of a chart.
type series struct {
	label  string
	xs, ys []float64
	dashed bool
	color  color.Color
}

// plots writes the curve files (gonum/plot, as bench/recipe's).
func plots(out string, rows []result) error {
	perStep := func(ys []float64) []float64 {
		xs := make([]float64, len(ys))
		for i := range ys {
			xs[i] = float64(i + 1)
		}
		return xs
	}
	var held, calls, score []series
	for i, r := range rows {
		var xs, with, without []float64
		for _, e := range r.evals {
			xs, with, without = append(xs, float64(e.Step)), append(with, e.WithTools), append(without, e.WithoutTools)
		}
		c := palette(i)
		held = append(held, series{fmt.Sprintf("seed %d, with the tool", r.seed), xs, with, false, c},
			series{fmt.Sprintf("seed %d, without", r.seed), xs, without, true, c})
		calls = append(calls, series{fmt.Sprintf("seed %d", r.seed), perStep(r.calls), r.calls, false, c})
		score = append(score, series{fmt.Sprintf("seed %d", r.seed), perStep(r.score), r.score, false, c})
	}
	for _, ch := range []struct {
		file, title, y string
		lines          []series
	}{
		{"heldout.png", "held-out accuracy (greedy), step 0 = after SFT", "accuracy", held},
		{"calls.png", "tool calls per training response (tools/calls_per_response)", "calls", calls},
		{"score.png", "training reward critic/score/mean", "score", score},
	} {
		p := plot.New()
		p.Title.Text, p.X.Label.Text, p.Y.Label.Text = ch.title, "RL step", ch.y
		for _, s := range ch.lines {
			pts := make(plotter.XYs, len(s.ys))
			for j := range s.ys {
				pts[j] = plotter.XY{X: s.xs[j], Y: s.ys[j]}
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return fmt.Errorf("%s: %w", ch.file, err)
			}
			l.Color = s.color
			if s.dashed {
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			}
			p.Add(l)
			p.Legend.Add(s.label, l)
		}
		if err := p.Save(8*vg.Inch, 5*vg.Inch, filepath.Join(out, ch.file)); err != nil {
			return err
		}
	}
	return nil
}

func palette(i int) color.Color {
	cs := []color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255}, {148, 103, 189, 255}}
	return cs[i%len(cs)]
}
