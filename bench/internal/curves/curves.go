// Package curves draws the benchmark commands' training curves (one line per run) as PNG files
// with gonum/plot: bench/recipe's and bench/p1's held-out accuracy, reward and length by RL step.
package curves

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Series is one line: its legend label and points (X[i], Y[i]).
type Series struct {
	Label string
	X, Y  []float64
}

// PerStep is the x axis 1..len(ys) of a metric logged once per RL step.
func PerStep(ys []float64) []float64 {
	xs := make([]float64, len(ys))
	for i := range ys {
		xs[i] = float64(i + 1)
	}
	return xs
}

// Save draws the series on one chart (8 × 5 inches) and writes it to path (PNG by extension).
func Save(path, title, xLabel, yLabel string, series []Series) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for i, s := range series {
		if len(s.X) != len(s.Y) {
			return fmt.Errorf("%s: series %q has %d x and %d y values", path, s.Label, len(s.X), len(s.Y))
		}
		pts := make(plotter.XYs, len(s.Y))
		for j := range s.Y {
			pts[j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		l.Color = Palette(i)
		p.Add(l)
		p.Legend.Add(s.Label, l)
	}
	return p.Save(8*vg.Inch, 5*vg.Inch, path)
}

// Palette is the i-th line colour (matplotlib's tab10 order, cycling after five).
func Palette(i int) color.Color {
	cs := []color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255}, {148, 103, 189, 255}}
	return cs[i%len(cs)]
}
