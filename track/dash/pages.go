package dash

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/ascent-rl/ascent/track"
)

// funcs are the template helpers.
var funcs = template.FuncMap{
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"preview": func(s string) string { // the first 160 characters of a response, on one line
		r := []rune(strings.Join(strings.Fields(s), " "))
		if len(r) > 160 {
			return string(r[:160]) + "…"
		}
		return string(r)
	},
	"num": func(v float64) string { return strconv.FormatFloat(v, 'g', 5, 64) },
	"when": func(d *track.RunData) string {
		if d.Info.Start.IsZero() {
			return ""
		}
		return d.Info.Start.Local().Format("2006-01-02 15:04:05")
	},
}

// render executes a page template into a buffer first, so a template error is a clean 500.
func (s *Server) render(w http.ResponseWriter, page string, data any) {
	var b bytes.Buffer
	if err := s.pages[page].Execute(&b, data); err != nil {
		http.Error(w, fmt.Sprintf("render %s: %v", page, err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b.Bytes())
}

// indexPage lists the runs.
type indexPage struct {
	Title string
	Root  string
	Runs  []track.RunRecord
	Bad   []track.BadLine
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	runs, bad, err := track.ListRuns(s.root)
	if err != nil {
		httpError(w, err)
		return
	}
	s.render(w, "index", indexPage{Title: "Runs", Root: s.root, Runs: runs, Bad: bad})
}

// lastValue is one row of the run page's "last values" table.
type lastValue struct {
	Key   string
	Value float64
}

// runPage is one run's view.
type runPage struct {
	Title  string
	D      *track.RunData
	Live   bool
	Charts []chartView
	Law    *chartView
	Last   []lastValue
	// Summary is summary.json as sorted key/value pairs.
	Summary [][2]string
}

func (s *Server) run(w http.ResponseWriter, r *http.Request) {
	d, err := track.LoadRun(s.root, r.PathValue("id"))
	if err != nil {
		httpError(w, err)
		return
	}
	live := d.Shown == track.StatusRunning
	p := runPage{Title: d.Info.ID, D: d, Live: live, Charts: runCharts(d.Rows, live)}
	if d.Fit != nil {
		lc := lawChart(*d.Fit)
		p.Law = &lc
	}
	for _, k := range track.Keys(d.Rows) {
		if v, ok := d.LastValue(k); ok {
			p.Last = append(p.Last, lastValue{k, v})
		}
	}
	for k, v := range d.Summary {
		p.Summary = append(p.Summary, [2]string{k, fmt.Sprint(v)})
	}
	sort.Slice(p.Summary, func(i, j int) bool { return p.Summary[i][0] < p.Summary[j][0] })
	s.render(w, "run", p)
}

// sampleHit is a sample with the step it belongs to.
type sampleHit struct {
	Step int
	track.Sample
}

// samplesPage is the samples browser.
type samplesPage struct {
	Title string
	ID    string
	Steps []int
	// Step is the selected step, -1 for "all steps".
	Step  int
	Query string
	Hits  []sampleHit
	// Total is the number of samples searched; Truncated says the hits were capped at MaxHits.
	Total     int
	Truncated bool
	MaxHits   int
	Bad       []track.BadLine
}

// maxHits caps the samples shown on one page.
const maxHits = 500

func (s *Server) samples(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := track.ReadInfo(s.root, id); err != nil {
		httpError(w, err)
		return
	}
	steps, err := track.SampleSteps(s.root, id)
	if err != nil {
		httpError(w, err)
		return
	}
	p := samplesPage{Title: id + " samples", ID: id, Steps: steps, Step: -1, Query: r.URL.Query().Get("q"), MaxHits: maxHits}
	want := steps
	switch v := r.URL.Query().Get("step"); {
	case v != "" && v != "all":
		n, err := strconv.Atoi(v)
		if err != nil {
			httpError(w, fmt.Errorf("%w: step=%q, want a step number or \"all\"", errBadRequest, v))
			return
		}
		p.Step, want = n, []int{n}
	case v == "" && p.Query == "" && len(steps) > 0:
		p.Step, want = steps[len(steps)-1], steps[len(steps)-1:] // default: the latest step
	}
	q := strings.ToLower(p.Query)
	for _, st := range want {
		ss, bad, err := track.ReadSamples(s.root, id, st)
		if err != nil {
			httpError(w, fmt.Errorf("%w: %v", errBadRequest, err))
			return
		}
		p.Bad = append(p.Bad, bad...)
		for _, smp := range ss {
			p.Total++
			if q != "" && !matches(smp, q) {
				continue
			}
			if len(p.Hits) == maxHits {
				p.Truncated = true
				continue
			}
			p.Hits = append(p.Hits, sampleHit{st, smp})
		}
	}
	s.render(w, "samples", p)
}

// matches reports whether a sample contains q (lower case) in any text field.
func matches(s track.Sample, q string) bool {
	for _, f := range []string{s.Prompt, s.Response, s.Verdict, s.GroundTruth, s.Pred} {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	return false
}

// comparePage overlays several runs.
type comparePage struct {
	Title  string
	Runs   []*track.RunData
	All    []track.RunRecord
	Charts []chartView
	// Selected marks the ids in Runs, for the picker.
	Selected map[string]bool
}

func (s *Server) compare(w http.ResponseWriter, r *http.Request) {
	all, _, err := track.ListRuns(s.root)
	if err != nil {
		httpError(w, err)
		return
	}
	p := comparePage{Title: "Compare", All: all, Selected: map[string]bool{}}
	for _, id := range r.URL.Query()["run"] {
		d, err := track.LoadRun(s.root, id)
		if err != nil {
			httpError(w, err)
			return
		}
		p.Runs = append(p.Runs, d)
		p.Selected[id] = true
	}
	p.Charts = compareCharts(p.Runs)
	s.render(w, "compare", p)
}

func (s *Server) apiRuns(w http.ResponseWriter, r *http.Request) {
	runs, _, err := track.ListRuns(s.root)
	if err != nil {
		httpError(w, err)
		return
	}
	if runs == nil {
		runs = []track.RunRecord{}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(runs)
}

func (s *Server) apiRun(w http.ResponseWriter, r *http.Request) {
	d, err := track.LoadRun(s.root, r.PathValue("id"))
	if err != nil {
		httpError(w, err)
		return
	}
	var b bytes.Buffer
	if err := track.ExportJSON(&b, d); err != nil {
		httpError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b.Bytes())
}
