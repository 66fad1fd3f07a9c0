package dash

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/types"

	"github.com/ascent-rl/ascent/track"
)

// AssetsHost is where the embedded echarts.min.js is served; go-echarts is pointed at it so no
// page ever references a CDN.
const AssetsHost = "/static/"

// series is one line of a chart: a name, the metric it follows live (empty: static) and its
// points as (x, y).
type series struct {
	Name   string
	Key    string
	Points [][2]float64
}

// chartView is a rendered chart: the go-echarts element and script, plus what the page's
// live-update script needs (the chart id and the metric key of each series, in order).
type chartView struct {
	ID    string
	Title string
	Keys  []string
	HTML  template.HTML
}

// lineChart renders a line chart over a numeric x axis with go-echarts.
func lineChart(id, title, subtitle, xName string, ss []series, seriesOpts map[string][]charts.SeriesOpts) chartView {
	line := charts.NewLine()
	line.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, Width: "100%", Height: "300px", AssetsHost: AssetsHost}),
		charts.WithTitleOpts(opts.Title{Title: title, Subtitle: subtitle}),
		charts.WithAnimation(false),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "bottom", Type: "scroll"}),
		charts.WithGridOpts(opts.Grid{Top: "60", Bottom: "60", Left: "60", Right: "30"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: xName, NameLocation: "middle", NameGap: 25, Scale: opts.Bool(true)}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Scale: opts.Bool(true)}),
		charts.WithDataZoomOpts(opts.DataZoom{Type: "inside"}),
	)
	keys := make([]string, len(ss))
	for i, s := range ss {
		keys[i] = s.Key
		data := make([]opts.LineData, 0, len(s.Points))
		for _, p := range s.Points {
			if finite(p[0]) && finite(p[1]) { // JSON cannot carry NaN/Inf
				data = append(data, opts.LineData{Value: []any{p[0], p[1]}})
			}
		}
		o := []charts.SeriesOpts{charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(len(data) < 60)})}
		o = append(o, seriesOpts[s.Name]...)
		line.AddSeries(s.Name, data, o...)
	}
	snip := line.RenderSnippet()
	return chartView{ID: id, Title: title, Keys: keys, HTML: template.HTML(snip.Element + snip.Script)}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// metricPoints returns a metric's (step, value) points.
func metricPoints(rows []track.Row, key string) [][2]float64 {
	steps, vals := track.Series(rows, key)
	out := make([][2]float64, len(steps))
	for i := range steps {
		out[i] = [2]float64{float64(steps[i]), vals[i]}
	}
	return out
}

// chartID makes a JS-identifier-safe element id (go-echarts uses it in variable names).
func chartID(prefix, name string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// runCharts renders the run view's charts. Charts without data are left out unless live (a
// running run may log those metrics later).
func runCharts(rows []track.Row, live bool) []chartView {
	var out []chartView
	for _, spec := range track.RunCharts {
		if !live && !track.HasAny(rows, spec.Keys) {
			continue
		}
		ss := make([]series, len(spec.Keys))
		for i, k := range spec.Keys {
			ss[i] = series{Name: k, Key: k, Points: metricPoints(rows, k)}
		}
		out = append(out, lineChart(chartID("chart_", spec.ID), spec.Title, "", "step", ss, nil))
	}
	return out
}

// lawChart draws the entropy-law fit: observed points, the fitted curve from H=0 and the ceiling.
func lawChart(f track.EntropyFit) chartView {
	hmax := 0.0
	obs := make([][2]float64, len(f.H))
	for i := range f.H {
		obs[i] = [2]float64{f.H[i], f.R[i]}
		hmax = math.Max(hmax, f.H[i])
	}
	const n = 60
	curve := make([][2]float64, n+1)
	for i := range curve {
		h := hmax * 1.05 * float64(i) / n
		curve[i] = [2]float64{h, f.Predict(h)}
	}
	sub := fmt.Sprintf("R = −%.4g·exp(H) + %.4g   R² = %.3f   predicted ceiling R(H=0) = b − a = %.4g   (%d steps of %s)",
		f.A, f.B, f.R2, f.Ceiling, f.N, f.Metric)
	so := map[string][]charts.SeriesOpts{
		"observed": {charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true), SymbolSize: 8}),
			charts.WithLineStyleOpts(opts.LineStyle{Opacity: opts.Float(0)})},
		"fit": {charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false), Smooth: opts.Bool(true)})},
		"ceiling": {charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true), SymbolSize: 14, Symbol: "diamond"}),
			charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right", Formatter: types.FuncStr(fmt.Sprintf("ceiling %.4g", f.Ceiling))})},
	}
	return lineChart("chart_entropy_law", "Entropy–performance law", sub, "entropy H", []series{
		{Name: "observed", Points: obs},
		{Name: "fit", Points: curve},
		{Name: "ceiling", Points: [][2]float64{{0, f.Ceiling}}},
	}, so)
}

// compareCharts overlays each CompareMetrics metric across runs: one series per run.
func compareCharts(runs []*track.RunData) []chartView {
	var out []chartView
	for _, k := range track.CompareMetrics {
		var ss []series
		for _, d := range runs {
			if pts := metricPoints(d.Rows, k); len(pts) > 0 {
				ss = append(ss, series{Name: d.Info.ID, Points: pts})
			}
		}
		if len(ss) > 0 {
			out = append(out, lineChart(chartID("cmp_", k), k, "", "step", ss, nil))
		}
	}
	return out
}
