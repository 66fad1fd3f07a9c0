// Package report writes the static report of one run: a self-contained HTML file (charts inlined
// as PNG data URIs, no scripts, no network) plus the PNG charts next to it, drawn with gonum/plot.
// The command that uses it:
//
//	ascent runs report RUN --runs ./runs --out run.html    # writes run.html and run_<chart>.png
package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/ascent-rl/ascent/track"
)

// figure is one chart of the report.
type figure struct {
	Title   string
	File    string       // PNG file name, relative to the HTML file
	DataURI template.URL // the same PNG inlined
}

// Write renders run id under root into outHTML and writes each chart as <base>_<chart>.png in the
// same directory. It returns the PNG paths. Charts with no data are left out.
func Write(root, id, outHTML string) ([]string, error) {
	d, err := track.LoadRun(root, id)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	base := strings.TrimSuffix(outHTML, filepath.Ext(outHTML))
	var figs []figure
	var pngs []string
	add := func(name string, p *plot.Plot, title string) error {
		png, err := renderPNG(p)
		if err != nil {
			return fmt.Errorf("report: chart %s: %w", name, err)
		}
		path := base + "_" + name + ".png"
		if err := writeAtomic(path, png); err != nil {
			return err
		}
		pngs = append(pngs, path)
		figs = append(figs, figure{Title: title, File: filepath.Base(path),
			DataURI: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))})
		return nil
	}
	for _, spec := range track.RunCharts {
		if !track.HasAny(d.Rows, spec.Keys) {
			continue
		}
		p, err := linePlot(spec, d.Rows)
		if err != nil {
			return nil, fmt.Errorf("report: chart %s: %w", spec.ID, err)
		}
		if err := add(spec.ID, p, spec.Title); err != nil {
			return nil, err
		}
	}
	if d.Fit != nil {
		p, err := lawPlot(*d.Fit)
		if err != nil {
			return nil, fmt.Errorf("report: entropy law chart: %w", err)
		}
		if err := add("entropy_law", p, "Entropy–performance law"); err != nil {
			return nil, err
		}
	}
	var html bytes.Buffer
	if err := page.Execute(&html, pageData{D: d, Figs: figs, Last: lastValues(d), Summary: summaryRows(d.Summary)}); err != nil {
		return nil, fmt.Errorf("report: render html: %w", err)
	}
	if err := writeAtomic(outHTML, html.Bytes()); err != nil {
		return nil, err
	}
	return pngs, nil
}

// linePlot draws the spec's metrics against step.
func linePlot(spec track.ChartSpec, rows []track.Row) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = spec.Title
	p.X.Label.Text = "step"
	p.Add(plotter.NewGrid())
	for i, k := range spec.Keys {
		steps, vals := track.Series(rows, k)
		var xy plotter.XYs
		for j := range steps {
			if finite(vals[j]) {
				xy = append(xy, plotter.XY{X: float64(steps[j]), Y: vals[j]})
			}
		}
		if len(xy) == 0 {
			continue
		}
		l, s, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, fmt.Errorf("series %s: %w", k, err)
		}
		l.Color, s.Color = plotutil.Color(i), plotutil.Color(i)
		s.Radius = vg.Points(1.5)
		p.Add(l, s)
		p.Legend.Add(k, l)
	}
	p.Legend.Top = true
	return p, nil
}

// lawPlot draws the fitted points, the law curve from H=0 and the predicted ceiling.
func lawPlot(f track.EntropyFit) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("R = −%.4g·exp(H) + %.4g   (R² %.3f, ceiling %.4g)", f.A, f.B, f.R2, f.Ceiling)
	p.X.Label.Text = "entropy H (" + track.MetricEntropy + ")"
	p.Y.Label.Text = f.Metric
	p.Add(plotter.NewGrid())
	pts := make(plotter.XYs, len(f.H))
	hmax := 0.0
	for i := range f.H {
		pts[i] = plotter.XY{X: f.H[i], Y: f.R[i]}
		hmax = math.Max(hmax, f.H[i])
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return nil, err
	}
	sc.Color = plotutil.Color(0)
	curve := plotter.NewFunction(f.Predict)
	curve.XMin, curve.XMax, curve.Samples = 0, hmax*1.05, 100
	curve.Color = plotutil.Color(1)
	ceil, err := plotter.NewScatter(plotter.XYs{{X: 0, Y: f.Ceiling}})
	if err != nil {
		return nil, err
	}
	ceil.Color, ceil.Radius, ceil.Shape = plotutil.Color(2), vg.Points(4), plotutil.Shape(1)
	p.Add(sc, curve, ceil)
	p.Legend.Add("observed", sc)
	p.Legend.Add("fit", curve)
	p.Legend.Add("ceiling R(H=0)", ceil)
	p.Legend.Top = true
	return p, nil
}

func renderPNG(p *plot.Plot) ([]byte, error) {
	wt, err := p.WriterTo(8*vg.Inch, 3.5*vg.Inch, "png")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// kv is a table row.
type kv struct{ K, V string }

func lastValues(d *track.RunData) []kv {
	var out []kv
	for _, k := range track.Keys(d.Rows) {
		if v, ok := d.LastValue(k); ok {
			out = append(out, kv{k, fmt.Sprintf("%.6g", v)})
		}
	}
	return out
}

func summaryRows(m map[string]any) []kv {
	var out []kv
	for k, v := range m {
		out = append(out, kv{k, fmt.Sprint(v)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].K < out[j].K })
	return out
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	return nil
}

type pageData struct {
	D       *track.RunData
	Figs    []figure
	Last    []kv
	Summary []kv
}

var page = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ascent run {{.D.Info.ID}}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#f3f3f3}img{max-width:100%;border:1px solid #ddd;margin:.3em 0 1em}pre{background:#f7f7f7;padding:1em;overflow:auto}
.warn{color:#a40}</style></head><body>
<h1>Run {{.D.Info.ID}}</h1>
<table>
<tr><th>name</th><td>{{.D.Info.Name}}</td></tr>
<tr><th>preset</th><td>{{.D.Info.Preset}}</td></tr>
<tr><th>status</th><td>{{.D.Shown}}</td></tr>
<tr><th>started</th><td>{{.D.Info.Start.Format "2006-01-02 15:04:05 MST"}}</td></tr>
<tr><th>host</th><td>{{.D.Info.Host}}</td></tr>
<tr><th>git revision</th><td>{{.D.Info.GitRev}}</td></tr>
<tr><th>steps</th><td>{{len .D.Rows}}</td></tr>
</table>
{{range .D.Bad}}<p class="warn">skipped bad metrics line: {{.String}}</p>{{end}}
<h2>Entropy–performance law</h2>
{{with .D.Fit}}<table>
<tr><th>model</th><td>R = −a·exp(H) + b, fitted on {{.N}} steps of {{.Metric}}</td></tr>
<tr><th>a</th><td>{{printf "%.6g" .A}}</td></tr><tr><th>b</th><td>{{printf "%.6g" .B}}</td></tr>
<tr><th>R²</th><td>{{printf "%.4f" .R2}}</td></tr>
<tr><th>predicted ceiling R(H=0) = b − a</th><td>{{printf "%.6g" .Ceiling}}</td></tr>
</table>{{else}}<p>No fit: {{.D.FitErr}}</p>{{end}}
{{if .Summary}}<h2>Summary</h2><table>{{range .Summary}}<tr><th>{{.K}}</th><td>{{.V}}</td></tr>{{end}}</table>{{end}}
<h2>Charts</h2>
{{range .Figs}}<h3>{{.Title}}</h3><img alt="{{.Title}}" title="{{.File}}" src="{{.DataURI}}">
{{end}}
<h2>Last values</h2><table><tr><th>metric</th><th>last</th></tr>{{range .Last}}<tr><td>{{.K}}</td><td>{{.V}}</td></tr>{{end}}</table>
<h2>Config</h2>{{if .D.ConfigErr}}<p class="warn">{{.D.ConfigErr}}</p>{{end}}<pre>{{.D.Config}}</pre>
</body></html>
`))
