package proteus

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/ascent-rl/ascent/stats"
)

var (
	colHigh = color.RGBA{R: 200, G: 40, B: 40, A: 255}
	colLow  = color.RGBA{R: 40, G: 80, B: 200, A: 255}
)

// kmPlot draws the Kaplan–Meier curves of the median split behind a survival hypothesis, solid for
// the discovery cohort and dashed for the validation cohort (when given), and saves a PNG.
func kmPlot(path string, h *Hypothesis, cohorts ...*Cohort) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: Kaplan–Meier by median split", h.EntityA)
	p.X.Label.Text = "time"
	p.Y.Label.Text = "survival"
	p.Y.Min, p.Y.Max = 0, 1
	p.Add(plotter.NewGrid())
	for ci, c := range cohorts {
		if c == nil {
			continue
		}
		an, err := c.Resolve(h.EntityA, h.EntityB)
		if err != nil {
			continue
		}
		args, err := an.args("logrank")
		if err != nil {
			continue
		}
		var t []float64
		var s []int
		var g []string
		for i := range args.Time {
			if !math.IsNaN(args.Time[i]) && args.Group[i] != "" {
				t, s, g = append(t, args.Time[i]), append(s, args.Status[i]), append(g, args.Group[i])
			}
		}
		curves, err := stats.KaplanMeier(t, s, g, "group")
		if err != nil {
			return err
		}
		for _, cv := range curves {
			xy := plotter.XYs{{X: 0, Y: 1}}
			for _, st := range cv.Steps {
				xy = append(xy, plotter.XY{X: st.Time, Y: st.Surv})
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return err
			}
			l.StepStyle = plotter.PostStep
			l.Width = vg.Points(1.5)
			l.Color = pickColor(strings.HasSuffix(cv.Stratum, "high"))
			if ci > 0 {
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			}
			p.Add(l)
			med := "not reached"
			if !math.IsNaN(cv.Median) {
				med = fmt.Sprintf("%.0f", cv.Median)
			}
			p.Legend.Add(fmt.Sprintf("%s %s (n=%d, median %s)", c.Name, strings.TrimPrefix(cv.Stratum, "group="), cv.N, med), l)
		}
	}
	p.Legend.Top = true
	return p.Save(7*vg.Inch, 4.5*vg.Inch, path)
}

func pickColor(high bool) color.Color {
	if high {
		return colHigh
	}
	return colLow
}

// interval returns the effect and an approximate 95% interval from the statistic: Wald for
// mean differences and hazard ratios, Fisher z for correlations.
func interval(test string, effect, stat float64, n int) (lo, hi float64, ok bool) {
	const z = 1.959964
	switch test {
	case "welch_t", "student_t", "ols":
		if stat == 0 {
			return 0, 0, false
		}
		se := math.Abs(effect / stat)
		return effect - z*se, effect + z*se, true
	case "cox":
		b := math.Log(effect)
		if stat == 0 {
			return 0, 0, false
		}
		se := math.Abs(b / stat)
		return math.Exp(b - z*se), math.Exp(b + z*se), true
	case "pearson", "spearman":
		if n <= 3 || math.Abs(effect) >= 1 {
			return 0, 0, false
		}
		f := math.Atanh(effect)
		s := 1 / math.Sqrt(float64(n-3))
		return math.Tanh(f - z*s), math.Tanh(f + z*s), true
	}
	return 0, 0, false
}

// forestPlot draws one row per hypothesis (discovery) and its validation, effect with its
// approximate 95% interval, for the hypotheses whose effect is named effectName.
func forestPlot(path, effectName string, hs []*Hypothesis) (bool, error) {
	type row struct {
		label         string
		est, lo, hi   float64
		validationRow bool
	}
	var rows []row
	for _, h := range hs {
		if h.EffectName != effectName {
			continue
		}
		lo, hi, ok := interval(h.Test, h.Effect, h.Statistic, h.N)
		if !ok {
			continue
		}
		name := strings.TrimPrefix(strings.TrimPrefix(h.EntityA, "protein:"), "mutation:")
		if strings.HasPrefix(h.EntityA, "mutation:") {
			name += "→" + h.EntityB
		}
		rows = append(rows, row{label: name + " (" + h.Cohort + ")", est: h.Effect, lo: lo, hi: hi})
		if v := h.Validation; v != nil && v.Edge != "" {
			if lo, hi, ok := interval(v.Test, v.Effect, v.Statistic, v.N); ok {
				rows = append(rows, row{label: name + " (" + v.Cohort + ")", est: v.Effect, lo: lo, hi: hi, validationRow: true})
			}
		}
	}
	if len(rows) == 0 {
		return false, nil
	}
	p := plot.New()
	p.Title.Text = "Forest plot: " + strings.ReplaceAll(effectName, "_", " ") + " (95% interval)"
	p.X.Label.Text = effectName
	names := make([]string, len(rows))
	for i, r := range rows {
		y := float64(len(rows) - 1 - i)
		names[len(rows)-1-i] = r.label
		seg, err := plotter.NewLine(plotter.XYs{{X: r.lo, Y: y}, {X: r.hi, Y: y}})
		if err != nil {
			return false, err
		}
		seg.Width = vg.Points(1.5)
		pt, err := plotter.NewScatter(plotter.XYs{{X: r.est, Y: y}})
		if err != nil {
			return false, err
		}
		pt.Shape = draw.BoxGlyph{}
		pt.Color = pickColor(!r.validationRow)
		seg.Color = pt.Color
		p.Add(seg, pt)
	}
	null := map[string]float64{"hazard_ratio": 1, "prob_superiority": 0.5}[effectName]
	ref, _ := plotter.NewLine(plotter.XYs{{X: null, Y: -0.5}, {X: null, Y: float64(len(rows)) - 0.5}})
	ref.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	p.Add(ref)
	p.NominalY(names...)
	h := vg.Length(1.2+0.3*float64(len(rows))) * vg.Inch
	return true, p.Save(7*vg.Inch, h, path)
}

func pngName(prefix, id string) string {
	r := strings.NewReplacer(":", "_", "/", "_", " ", "_", "|", "_")
	return filepath.Clean(prefix + "_" + r.Replace(id) + ".png")
}
