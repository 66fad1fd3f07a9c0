package local

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/engine"
)

// The trainer leaves rows whose advantages are all zero out of updates for losses that report them
// inert, passing the whole mini-batch's totals. This checks that shortcut against the plain update
// on every row: same metrics, same weights after two AdamW steps (so momentum is covered too).
func TestUpdateOnNonZeroRowsWithTotalsEqualsTheWholeMiniBatch(t *testing.T) {
	for _, preset := range []string{"justrl", "gspo", "cispo"} {
		t.Run(preset, func(t *testing.T) {
			loss := actorLossOf(t, preset)
			if !loss.ZeroAdvantageRowsInert() {
				t.Fatalf("%s: ZeroAdvantageRowsInert() = false, want true", preset)
			}
			whole := newTestEngine(t, Config{LR: 1e-2, WeightDecay: 0.1})
			subset := newTestEngine(t, Config{LR: 1e-2, WeightDecay: 0.1})
			rows := testRows()
			lp, err := whole.LogProbs(context.Background(), rows, 1)
			if err != nil {
				t.Fatal(err)
			}
			for i := range rows {
				rows[i].OldLogProbs = lp.LogProbs[i]
				for j := range rows[i].Advantages {
					rows[i].Advantages[j] = map[int]float32{0: 1.5, 2: -0.75}[i] // rows 1, 3, 4: all zero
				}
			}
			totals := engine.TotalsOf(rows)
			kept := []engine.Row{rows[0], rows[2]}
			for step := 0; step < 2; step++ {
				mw, err := whole.Update(context.Background(), rows, loss, engine.UpdateOptions{MicroBatchRows: 2})
				if err != nil {
					t.Fatal(err)
				}
				ms, err := subset.Update(context.Background(), kept, loss, engine.UpdateOptions{MicroBatchRows: 2, Totals: &totals})
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range []string{"actor/pg_loss", "actor/grad_norm"} {
					if d := math.Abs(mw[k] - ms[k]); d > 1e-6*math.Max(1, math.Abs(mw[k])) {
						t.Errorf("step %d %s: whole %g vs subset %g", step, k, mw[k], ms[k])
					}
				}
			}
			worst := 0.0
			for i, r := range whole.refs {
				a, b := r.get().Data, subset.refs[i].get().Data
				for j := range a {
					worst = math.Max(worst, math.Abs(float64(a[j]-b[j])))
				}
			}
			if worst > 1e-5 { // float32 summation order; the micro-batching test uses the same bound
				t.Errorf("weights after two steps differ by %g, want ≤ 1e-5", worst)
			}
		})
	}
}

func TestLossesWithEntropyKLOrBatchTermsAreNotInert(t *testing.T) {
	for _, preset := range []string{"clip_cov", "kl_cov", "flowrl", "hpt"} {
		if actorLossOf(t, preset).ZeroAdvantageRowsInert() {
			t.Errorf("%s: ZeroAdvantageRowsInert() = true, want false", preset)
		}
	}
	base := actorLossOf(t, "justrl")
	for name, a := range map[string]algo.Actor{
		"entropy bonus": {PG: base.PG, EntropyCoef: 0.001, Agg: base.Agg},
		"KL loss":       {PG: base.PG, KLCoef: 0.001, KLType: algo.KLType("k3"), Agg: base.Agg},
	} {
		if a.ZeroAdvantageRowsInert() {
			t.Errorf("justrl with a %s: ZeroAdvantageRowsInert() = true, want false", name)
		}
	}
}

func TestTotalsSmallerThanTheRowsAreAnError(t *testing.T) {
	e := newTestEngine(t, Config{LR: 1e-3})
	rows := testRows()
	small := engine.TotalsOf(rows[:1])
	_, err := e.Update(context.Background(), rows, sftLoss{}, engine.UpdateOptions{Totals: &small})
	if err == nil || !strings.Contains(err.Error(), "totals") {
		t.Fatalf("err = %v, want one about totals", err)
	}
}

// actorLossOf is a preset's actor loss.
func actorLossOf(t *testing.T, preset string) algo.Actor {
	t.Helper()
	cfg, err := algo.Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	loss, err := cfg.NewActorLoss()
	if err != nil {
		t.Fatal(err)
	}
	return loss
}
