package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteOutputs writes samples.jsonl (sorted by benchmark, problem and sample), results.json and
// report.md to dir, each atomically.
func WriteOutputs(dir string, samples []Sample, order []string, benches []*Benchmark, res *Results) error {
	po := map[string]map[string]int{}
	for _, b := range benches {
		m := make(map[string]int, len(b.Problems))
		for i, p := range b.Problems {
			m[p.ID] = i
		}
		po[b.Name] = m
	}
	sortSamples(samples, order, po)
	if err := writeSamples(filepath.Join(dir, SamplesFile), samples); err != nil {
		return err
	}
	return writeResults(dir, res)
}

// writeResults writes results.json and report.md for one table.
func writeResults(dir string, res *Results) error {
	if err := writeJSON(filepath.Join(dir, ResultsFile), res); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, ReportFile), func(w io.Writer) error {
		fmt.Fprintf(w, "# Evaluation report\n\n")
		return writeMarkdown(w, res, "##")
	})
}

// writeGrouped writes results.json (one table per group) and a report.md with a section per group.
func writeGrouped(dir string, g *Grouped) error {
	if err := writeJSON(filepath.Join(dir, ResultsFile), g); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, ReportFile), func(w io.Writer) error {
		fmt.Fprintf(w, "# Evaluation report (grouped by %s)\n\n", g.GroupBy)
		for _, k := range g.Order {
			fmt.Fprintf(w, "## %s = %s\n\n", g.GroupBy, k)
			if err := writeMarkdown(w, g.Groups[k], "###"); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeJSON writes v as indented JSON, atomically.
func writeJSON(path string, v any) error {
	return writeAtomic(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	})
}

// pct formats a fraction as a percentage with two decimals.
func pct(x float64) string { return strconv.FormatFloat(100*x, 'f', 2, 64) }

// passKeys returns the pass@k keys worth showing: 1, powers of two, and k itself.
func passKeys(k int) []int {
	var out []int
	for p := 1; p < k; p *= 2 {
		out = append(out, p)
	}
	return append(out, k)
}

// FormatTable writes the terminal table: one row per benchmark and the unweighted average.
func FormatTable(w io.Writer, res *Results) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "benchmark\tproblems\tk\tavg@k\t95% CI\tpass@k\tmaj@k\tno answer\ttimeouts\tmean chars\t")
	for _, n := range res.Order {
		b := res.Benchmarks[n]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s–%s\t%s\t%s\t%d\t%d\t%.0f\t\n", b.Title, b.NProblems, b.K, pct(b.AvgAtK),
			pct(b.CI95[0]), pct(b.CI95[1]), pct(b.PassAtK[strconv.Itoa(b.K)]), pct(b.MajAtK), b.NoAnswer,
			b.Status["timeout"], b.Chars.Mean)
	}
	if len(res.Order) > 1 {
		fmt.Fprintf(tw, "Average\t\t\t%s\t%s–%s\t\t%s\t\t\t\t\n", pct(res.Average), pct(res.AverageCI95[0]), pct(res.AverageCI95[1]), pct(res.AverageMaj))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "grader: %s\n", res.Grader)
	return err
}

// writeMarkdown writes the report body for one table; h is the heading level of its sections.
func writeMarkdown(w io.Writer, res *Results, h string) error {
	var b strings.Builder
	if res.Model != "" {
		fmt.Fprintf(&b, "Model: `%s`\n\n", res.Model)
	}
	fmt.Fprintf(&b, "Grader: %s.\n\n", res.Grader)
	if p := res.Protocol; p != nil {
		ks := make([]string, 0, len(p.K))
		for _, n := range res.Order {
			ks = append(ks, fmt.Sprintf("%s %d", n, p.K[n]))
		}
		fmt.Fprintf(&b, "Sampling: temperature %g, top-p %g, max %d new tokens, run seed %d (one derived seed per sample); prompt = problem + %q; k per benchmark: %s.\n\n",
			p.Sampling.Temperature, p.Sampling.TopP, p.Sampling.MaxTokens, p.Sampling.Seed, p.Suffix, strings.Join(ks, ", "))
	}
	fmt.Fprintf(&b, "%s Accuracy (%%)\n\n", h)
	b.WriteString("| benchmark | problems | k | avg@k | 95% CI | pass@k | maj@k |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, n := range res.Order {
		r := res.Benchmarks[n]
		fmt.Fprintf(&b, "| %s | %d | %d | %s | %s–%s | %s | %s |\n", r.Title, r.NProblems, r.K, pct(r.AvgAtK),
			pct(r.CI95[0]), pct(r.CI95[1]), pct(r.PassAtK[strconv.Itoa(r.K)]), pct(r.MajAtK))
	}
	if len(res.Order) > 1 {
		fmt.Fprintf(&b, "| **Average** | | | **%s** | %s–%s | | %s |\n", pct(res.Average), pct(res.AverageCI95[0]), pct(res.AverageCI95[1]), pct(res.AverageMaj))
	}
	fmt.Fprintf(&b, "\navg@k is the mean over problems of the fraction of correct samples; the average is unweighted over benchmarks; the interval resamples problems (bootstrap).\n\n")
	fmt.Fprintf(&b, "%s pass@k (unbiased estimator)\n\n| benchmark | pass@k values |\n|---|---|\n", h)
	for _, n := range res.Order {
		r := res.Benchmarks[n]
		var parts []string
		for _, k := range passKeys(r.K) {
			parts = append(parts, fmt.Sprintf("@%d %s", k, pct(r.PassAtK[strconv.Itoa(k)])))
		}
		fmt.Fprintf(&b, "| %s | %s |\n", r.Title, strings.Join(parts, ", "))
	}
	fmt.Fprintf(&b, "\n%s Verifier status and lengths\n\n| benchmark | samples | status counts | no answer | correct by judge | truncated | chars mean / p50 / p90 / max | tokens mean / max |\n|---|---:|---|---:|---:|---:|---|---|\n", h)
	for _, n := range res.Order {
		r := res.Benchmarks[n]
		var st []string
		for k, v := range r.Status {
			st = append(st, fmt.Sprintf("%s %d", k, v))
		}
		sort.Strings(st)
		tok := "–"
		if r.Tokens != nil {
			tok = fmt.Sprintf("%.0f / %.0f", r.Tokens.Mean, r.Tokens.Max)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %d | %d | %d | %.0f / %.0f / %.0f / %.0f | %s |\n", r.Title, r.NSamples,
			strings.Join(st, ", "), r.NoAnswer, r.ByJudge, r.Truncated, r.Chars.Mean, r.Chars.P50, r.Chars.P90, r.Chars.Max, tok)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}
