package track

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// RunData is everything about one run read from its directory (the source of truth).
type RunData struct {
	// Info is run.json; Shown the effective status.
	Info  RunInfo `json:"info"`
	Shown string  `json:"status"`
	// Config is config.yaml's text; ConfigErr says why it is unavailable.
	Config    string `json:"config"`
	ConfigErr string `json:"config_error,omitempty"`
	// Rows are the parsed metrics lines; Bad the lines that did not parse.
	Rows []Row     `json:"-"`
	Bad  []BadLine `json:"-"`
	// Summary is summary.json (nil when absent).
	Summary map[string]any `json:"summary,omitempty"`
	// Fit is the entropy–performance law fit; FitErr says why there is none.
	Fit    *EntropyFit `json:"entropy_fit,omitempty"`
	FitErr string      `json:"entropy_fit_error,omitempty"`
	// SampleSteps are the steps with a samples file.
	SampleSteps []int `json:"sample_steps"`
	// MetricsSize is the byte length of metrics.jsonl when read (the offset to follow from).
	MetricsSize int64 `json:"-"`
}

// LoadRun reads a run directory. A missing config or an unfittable law is recorded, not fatal;
// an unknown run id or an unreadable directory is an error.
func LoadRun(root, id string) (*RunData, error) {
	info, err := ReadInfo(root, id)
	if err != nil {
		return nil, err
	}
	d := &RunData{Info: info, Shown: info.Effective(time.Now())}
	if cfg, _, err := ReadConfig(root, id); err != nil {
		d.ConfigErr = err.Error()
		d.Config = cfg
	} else {
		d.Config = cfg
	}
	mp := filepath.Join(root, id, FileMetrics)
	if st, err := os.Stat(mp); err == nil {
		// A live run's last line may be half-written: read complete lines only. A finished or
		// dead run's partial last line will never be completed, so read it and report it.
		rows, bad, next, err := ReadMetricsFrom(mp, 0)
		if d.Shown != StatusRunning {
			rows, bad, err = ReadMetrics(mp)
			next = st.Size()
		}
		if err != nil {
			return nil, fmt.Errorf("load run %s: %w", id, err)
		}
		d.Rows, d.Bad, d.MetricsSize = rows, bad, next
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("load run %s: %w", id, err)
	}
	if d.Summary, err = ReadSummary(root, id); err != nil {
		return nil, err
	}
	if d.SampleSteps, err = SampleSteps(root, id); err != nil {
		return nil, err
	}
	if d.SampleSteps == nil {
		d.SampleSteps = []int{} // --json prints [], not null
	}
	if fit, err := FitRunEntropyLaw(d.Rows); err != nil {
		d.FitErr = err.Error()
	} else {
		d.Fit = &fit
	}
	return d, nil
}

// LastValue returns the last logged value of a metric.
func (d *RunData) LastValue(key string) (float64, bool) {
	for i := len(d.Rows) - 1; i >= 0; i-- {
		if v, ok := d.Rows[i].Values[key]; ok {
			return v, true
		}
	}
	return 0, false
}

// LastStep returns the highest logged step, -1 when none.
func (d *RunData) LastStep() int {
	if len(d.Rows) == 0 {
		return -1
	}
	return d.Rows[len(d.Rows)-1].Step
}

// ListRuns lists the runs under root through the store (synced first). When the store cannot be
// opened (a read-only copy of a runs dir) it reads the run directories directly.
func ListRuns(root string) ([]RunRecord, []BadLine, error) {
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return nil, nil, fmt.Errorf("runs dir %s does not exist (pass --runs DIR)", root)
	}
	s, err := OpenStore(root)
	if err == nil {
		defer s.Close()
		bad, serr := s.Sync()
		if serr == nil {
			runs, rerr := s.Runs()
			if runs == nil && rerr == nil {
				runs = []RunRecord{} // --json prints [], not null
			}
			return runs, bad, rerr
		}
		err = serr
	}
	// Fallback: no index, read each directory.
	ids, lerr := ListRunIDs(root)
	if lerr != nil {
		return nil, nil, errors.Join(err, lerr)
	}
	var out []RunRecord
	var bad []BadLine
	for _, id := range ids {
		d, lerr := LoadRun(root, id)
		if lerr != nil {
			return nil, bad, lerr
		}
		bad = append(bad, d.Bad...)
		out = append(out, RunRecord{RunInfo: d.Info, Shown: d.Shown, Config: d.Config, Steps: len(d.Rows), LastStep: d.LastStep()})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.After(out[j].Start) })
	if out == nil {
		out = []RunRecord{} // --json prints [], not null
	}
	return out, bad, nil
}

// fmtNum renders a metric value compactly for tables.
func fmtNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return formatValue(v)
	}
	return strconv.FormatFloat(v, 'g', 5, 64)
}

// WriteRunsTable prints runs as an aligned table.
func WriteRunsTable(w io.Writer, runs []RunRecord) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tPRESET\tSTATUS\tSTEPS\tLAST\tSTARTED\tGIT")
	for _, r := range runs {
		start := ""
		if !r.Start.IsZero() {
			start = r.Start.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", r.ID, r.Name, r.Preset, r.Shown, r.Steps, r.LastStep, start, r.GitRev)
	}
	return tw.Flush()
}

// KeyMetrics are the metrics `runs show` and `runs compare` print, in order.
var KeyMetrics = []string{MetricScoreMean, MetricAccuracy, MetricValAccuracy, MetricValPass1, MetricValPass16, MetricValDistinct, MetricEntropy, MetricRespLenMean,
	MetricRespClipRatio, MetricPGClipfrac, MetricPPOKL, MetricKLLoss, MetricGradNorm, MetricThroughput,
	MetricTimeStep, MetricTimeoutRatio, MetricErrorRatio, MetricUnparsable}

// WriteRunDetail prints one run: identity, last metric values, summary and the entropy-law fit.
func WriteRunDetail(w io.Writer, d *RunData) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	i := d.Info
	fmt.Fprintf(tw, "run\t%s\nname\t%s\npreset\t%s\nstatus\t%s\nhost\t%s (pid %d)\ngit\t%s\n", i.ID, i.Name, i.Preset, d.Shown, i.Host, i.PID, i.GitRev)
	fmt.Fprintf(tw, "started\t%s\n", i.Start.Local().Format(time.RFC3339))
	if !i.End.IsZero() {
		fmt.Fprintf(tw, "ended\t%s (%s)\n", i.End.Local().Format(time.RFC3339), i.End.Sub(i.Start).Round(time.Second))
	}
	if len(i.ResumedFrom) > 0 {
		fmt.Fprintf(tw, "resumed from\t%v\n", i.ResumedFrom)
	}
	fmt.Fprintf(tw, "steps\t%d (last %d)\nsample steps\t%d\n", len(d.Rows), d.LastStep(), len(d.SampleSteps))
	if d.ConfigErr != "" {
		fmt.Fprintf(tw, "config\t%s\n", d.ConfigErr)
	}
	fmt.Fprintln(tw, "\nmetric\tlast")
	for _, k := range KeyMetrics {
		if v, ok := d.LastValue(k); ok {
			fmt.Fprintf(tw, "%s\t%s\n", k, fmtNum(v))
		}
	}
	if len(d.Summary) > 0 {
		fmt.Fprintln(tw, "\nsummary\t")
		keys := make([]string, 0, len(d.Summary))
		for k := range d.Summary {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(tw, "%s\t%v\n", k, d.Summary[k])
		}
	}
	fmt.Fprintln(tw, "\nentropy law\tR = −a·exp(H) + b")
	if f := d.Fit; f != nil {
		fmt.Fprintf(tw, "fitted on\t%d steps of %s vs %s\n", f.N, f.Metric, MetricEntropy)
		fmt.Fprintf(tw, "a, b\t%s, %s\nR²\t%s\nceiling R(H=0) = b − a\t%s\n", fmtNum(f.A), fmtNum(f.B), fmtNum(f.R2), fmtNum(f.Ceiling))
	} else {
		fmt.Fprintf(tw, "no fit\t%s\n", d.FitErr)
	}
	return tw.Flush()
}

// WriteCompare prints the last value of each key metric (and the law ceiling) for several runs.
func WriteCompare(w io.Writer, runs []*RunData) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := []string{"metric"}
	for _, d := range runs {
		head = append(head, d.Info.ID)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	row := func(name string, get func(*RunData) string) {
		cells := []string{name}
		for _, d := range runs {
			cells = append(cells, get(d))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	row("status", func(d *RunData) string { return d.Shown })
	row("preset", func(d *RunData) string { return d.Info.Preset })
	row("steps", func(d *RunData) string { return strconv.Itoa(len(d.Rows)) })
	for _, k := range KeyMetrics {
		row(k, func(d *RunData) string {
			if v, ok := d.LastValue(k); ok {
				return fmtNum(v)
			}
			return "-"
		})
	}
	for _, k := range []string{"eval_before", "eval_after"} {
		row(k, func(d *RunData) string {
			if v, ok := d.Summary[k]; ok {
				return fmt.Sprint(v)
			}
			return "-"
		})
	}
	row("law ceiling b−a", func(d *RunData) string {
		if d.Fit != nil {
			return fmtNum(d.Fit.Ceiling)
		}
		return "-"
	})
	return tw.Flush()
}

// ExportCSV writes rows as CSV: a step column then one column per metric (sorted); missing
// values are empty cells.
func ExportCSV(w io.Writer, rows []Row) error {
	keys := Keys(rows)
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{"step"}, keys...)); err != nil {
		return fmt.Errorf("export csv: %w", err)
	}
	for _, r := range rows {
		rec := []string{strconv.Itoa(r.Step)}
		for _, k := range keys {
			cell := ""
			if v, ok := r.Values[k]; ok {
				cell = strings.Trim(formatValue(v), `"`)
			}
			rec = append(rec, cell)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("export csv: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}

// RowsJSON renders rows as a JSON array of metrics lines (non-finite values as strings).
func RowsJSON(rows []Row) (json.RawMessage, error) {
	if rows == nil {
		rows = []Row{}
	}
	b, err := json.Marshal(rows)
	if err != nil {
		return nil, fmt.Errorf("encode metrics: %w", err)
	}
	return b, nil
}

// ExportJSON writes a run as one JSON object: the RunData fields plus "metrics" (the rows).
func ExportJSON(w io.Writer, d *RunData) error {
	type out struct {
		*RunData
		Metrics json.RawMessage `json:"metrics"`
		Bad     []string        `json:"bad_lines,omitempty"`
	}
	m, err := RowsJSON(d.Rows)
	if err != nil {
		return err
	}
	o := out{RunData: d, Metrics: m}
	for _, b := range d.Bad {
		o.Bad = append(o.Bad, b.String())
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(o); err != nil {
		return fmt.Errorf("export json: %w", err)
	}
	return nil
}
