package main

import (
	"fmt"
	"path/filepath"

	"github.com/ascent-rl/ascent/bench/internal/curves"
)

// plots writes the three curve files, one line per seed.
func plots(out string, rows []result) error {
	charts := []struct {
		file, title, y string
		get            func(result) ([]float64, []float64)
	}{
		{"heldout.png", "held-out accuracy (greedy), step 0 = after SFT", "accuracy", func(r result) ([]float64, []float64) { return r.steps, r.heldout }},
		{"score.png", "training reward critic/score/mean", "score", func(r result) ([]float64, []float64) { return curves.PerStep(r.score), r.score }},
		{"length.png", "response_length/mean", "tokens", func(r result) ([]float64, []float64) { return curves.PerStep(r.length), r.length }},
	}
	for _, c := range charts {
		series := make([]curves.Series, len(rows))
		for i, r := range rows {
			xs, ys := c.get(r)
			series[i] = curves.Series{Label: fmt.Sprintf("seed %d", r.seed), X: xs, Y: ys}
		}
		if err := curves.Save(filepath.Join(out, c.file), c.title, "RL step", c.y, series); err != nil {
			return err
		}
	}
	return nil
}
