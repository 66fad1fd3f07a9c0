package local

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/ascent-rl/ascent/engine"
)

// TestDecoderLogProbsMatchGraph checks the fast KV-cache path of LogProbs against the GoMLX graph
// path on groups that share prompts (CopyRow), on more rows than one decoder chunk, and at two
// temperatures, including after an update changed the weights (the cached decoder must refresh).
func TestDecoderLogProbsMatchGraph(t *testing.T) {
	e := newTestEngine(t, Config{MicroBatchRows: 8})
	var rows []engine.Row
	for i := range maxSampleRows + 9 {
		base := testRows()[i%5]
		r := engine.Row{Prompt: base.Prompt, Response: slices.Clone(base.Response)}
		r.Response[0] = 2 + i%30 // the rows of a group differ in their responses
		r.Advantages = make([]float32, len(r.Response))
		rows = append(rows, r)
	}
	slices.SortStableFunc(rows, func(a, b engine.Row) int { return slices.Compare(a.Prompt, b.Prompt) })
	check := func(when string) {
		for _, temp := range []float64{1, 0.7} {
			fast, err := e.decoderLogProbs(context.Background(), rows, temp)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := e.graphLogProbs(context.Background(), rows, temp, nil)
			if err != nil {
				t.Fatal(err)
			}
			worst := 0.0
			for i := range rows {
				if len(fast.LogProbs[i]) != len(rows[i].Response) || len(fast.Entropies[i]) != len(rows[i].Response) {
					t.Fatalf("row %d: %d log-probs and %d entropies for %d tokens", i, len(fast.LogProbs[i]), len(fast.Entropies[i]), len(rows[i].Response))
				}
				for j := range rows[i].Response {
					worst = math.Max(worst, math.Abs(float64(fast.LogProbs[i][j]-ref.LogProbs[i][j])))
					worst = math.Max(worst, math.Abs(float64(fast.Entropies[i][j]-ref.Entropies[i][j])))
				}
			}
			if worst > 2e-5 {
				t.Errorf("%s, temperature %g: max |decoder − graph| = %g, want ≤ 2e-5", when, temp, worst)
			}
		}
	}
	check("fresh weights")
	train := testRows()
	if _, err := e.Update(context.Background(), train, sftLoss{}, engine.UpdateOptions{Temperature: 1}); err != nil {
		t.Fatal(err)
	}
	check("after an update")
}

func TestTemperedStatsOfAUniformDistribution(t *testing.T) {
	lp, ent := temperedStats([]float32{3, 3, 3, 3}, 2, 1/0.5)
	if math.Abs(float64(lp)+math.Log(4)) > 1e-6 || math.Abs(float64(ent)-math.Log(4)) > 1e-6 {
		t.Errorf("uniform over 4: log-prob %g, entropy %g; want %g and %g", lp, ent, -math.Log(4), math.Log(4))
	}
}
