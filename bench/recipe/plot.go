package main

import (
	"fmt"
	"image/color"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// plots writes the three curve files, one line per seed.
func plots(out string, rows []result) error {
	perStep := func(ys []float64) ([]float64, []float64) {
		xs := make([]float64, len(ys))
		for i := range ys {
			xs[i] = float64(i + 1)
		}
		return xs, ys
	}
	charts := []struct {
		file, title, y string
		get            func(result) ([]float64, []float64)
	}{
		{"heldout.png", "held-out accuracy (greedy), step 0 = after SFT", "accuracy", func(r result) ([]float64, []float64) { return r.steps, r.heldout }},
		{"score.png", "training reward critic/score/mean", "score", func(r result) ([]float64, []float64) { return perStep(r.score) }},
		{"length.png", "response_length/mean", "tokens", func(r result) ([]float64, []float64) { return perStep(r.length) }},
	}
	for _, c := range charts {
		p := plot.New()
		p.Title.Text = c.title
		p.X.Label.Text = "RL step"
		p.Y.Label.Text = c.y
		for i, r := range rows {
			xs, ys := c.get(r)
			pts := make(plotter.XYs, len(ys))
			for j := range ys {
				pts[j] = plotter.XY{X: xs[j], Y: ys[j]}
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return fmt.Errorf("%s: %w", c.file, err)
			}
			l.Color = palette(i)
			p.Add(l)
			p.Legend.Add(fmt.Sprintf("seed %d", r.seed), l)
		}
		if err := p.Save(8*vg.Inch, 5*vg.Inch, filepath.Join(out, c.file)); err != nil {
			return err
		}
	}
	return nil
}

func palette(i int) color.Color {
	cs := []color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255}, {148, 103, 189, 255}}
	return cs[i%len(cs)]
}
