package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ascent-rl/ascent/bench/internal/curves"
)

// markdown is the seeds table (with the mean over seeds), the curves table and the ablations.
func markdown(rows, abls []result) string {
	var sb strings.Builder
	sb.WriteString("| run | seed | sub-answer acc. after SFT | after RL | lift (points) | full-problem acc. after SFT | after RL | lift | wall | CPU (user+sys) | CPU/2 | peak RSS |\n")
	sb.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	line := func(r result) float64 {
		l := 100 * (r.subAfter - r.subBefore)
		fmt.Fprintf(&sb, "| %s | %d | %.1f%% | %.1f%% | %+.1f | %.1f%% | %.1f%% | %+.1f | %.0f s | %.0f s | %.0f s | %.0f MiB |\n",
			r.name, r.seed, 100*r.subBefore, 100*r.subAfter, l, 100*r.fullBefore, 100*r.fullAfter, 100*(r.fullAfter-r.fullBefore),
			r.wall, r.cpu, r.cpu/2, r.peakMiB)
		return l
	}
	var sum, minLift float64
	for i, r := range rows {
		l := line(r)
		sum += l
		if i == 0 || l < minLift {
			minLift = l
		}
	}
	if len(rows) > 0 {
		fmt.Fprintf(&sb, "\nMean sub-answer lift %+.1f points, smallest %+.1f, over %d seeds.\n", sum/float64(len(rows)), minLift, len(rows))
		sb.WriteString("\nHeld-out mean sub-answer accuracy (full-problem accuracy) by RL step:\n\n")
		sb.WriteString(curveTable(append(append([]result(nil), rows...), abls...)))
	}
	if len(abls) > 0 {
		sb.WriteString("\nAblations (one seed each; the recipe row is the same seed's run above):\n\n")
		sb.WriteString("| run | seed | sub-answer acc. after SFT | after RL | lift (points) | full-problem acc. after SFT | after RL | lift | wall | CPU (user+sys) | CPU/2 | peak RSS |\n")
		sb.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		if len(rows) > 0 {
			line(rows[0])
		}
		for _, r := range abls {
			line(r)
		}
		for _, r := range abls {
			if r.note != "" {
				fmt.Fprintf(&sb, "\n- %s: %s", r.name, r.note)
			}
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// curveTable lists every run's held-out evaluations, one column per evaluation step.
func curveTable(rs []result) string {
	var sb strings.Builder
	n := 0
	for _, r := range rs {
		n = max(n, len(r.steps))
	}
	sb.WriteString("| run |")
	var ref result
	for _, r := range rs {
		if len(r.steps) == n {
			ref = r
			break
		}
	}
	for _, s := range ref.steps {
		fmt.Fprintf(&sb, " %g |", s)
	}
	sb.WriteString("\n|---|" + strings.Repeat("---|", n) + "\n")
	for _, r := range rs {
		fmt.Fprintf(&sb, "| %s |", r.name)
		for i := range r.steps {
			fmt.Fprintf(&sb, " %.1f (%.1f) |", 100*r.sub[i], 100*r.full[i])
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// plots writes the curve files, one line per run, into out and (when set) img.
func plots(out, img string, rs []result) error {
	charts := []struct {
		file, title, y string
		get            func(result) ([]float64, []float64)
	}{
		{"p1-subanswer.png", "held-out mean sub-answer accuracy (greedy), step 0 = after SFT", "accuracy", func(r result) ([]float64, []float64) { return r.steps, r.sub }},
		{"p1-full.png", "held-out full-problem accuracy (every sub-answer right)", "accuracy", func(r result) ([]float64, []float64) { return r.steps, r.full }},
		{"p1-score.png", "training reward critic/score/mean (mean sub-answer correctness)", "score", func(r result) ([]float64, []float64) { return curves.PerStep(r.score), r.score }},
		{"p1-length.png", "response_length/mean", "tokens", func(r result) ([]float64, []float64) { return curves.PerStep(r.length), r.length }},
	}
	for _, c := range charts {
		series := make([]curves.Series, len(rs))
		for i, r := range rs {
			xs, ys := c.get(r)
			series[i] = curves.Series{Label: r.name, X: xs, Y: ys}
		}
		path := filepath.Join(out, c.file)
		if err := curves.Save(path, c.title, "RL step", c.y, series); err != nil {
			return err
		}
		if img != "" {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(img, c.file), b, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
