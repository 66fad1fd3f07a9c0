package local

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/engine"
	. "github.com/gomlx/gomlx/core/graph"
)

// criticLoss is a test-only loss that regresses the value head on Returns and the log Z head on
// the constant 1, so that both heads' creation, training and checkpointing are exercised.
type criticLoss struct{}

func (criticLoss) Name() string { return "test_critic" }
func (criticLoss) Requirements() algo.Requirements {
	return algo.Requirements{Values: true, LogZ: true}
}
func (criticLoss) Build(in algo.LossInputs) algo.LossOutput {
	vf := Div(ReduceAllSum(Mul(Square(Sub(in.Values, in.Returns)), in.Mask)), in.TokenCount)
	z := MulScalar(ReduceAllSum(Square(AddScalar(in.LogZ, -1))), 0.1)
	return algo.LossOutput{Loss: Add(vf, z), Metrics: map[string]*Node{"critic/vf_loss": vf, "actor/logz_loss": z}}
}

func TestValueAndLogZHeadsAreTrainedAndCheckpointed(t *testing.T) {
	e := newTestEngine(t, Config{LR: 3e-2})
	rows := testRows()[:3]
	for i := range rows {
		n := len(rows[i].Response)
		rows[i].OldValues = make([]float32, n)
		rows[i].Returns = slices.Repeat([]float32{0.5}, n)
	}
	var first, last float64
	for i := range 8 {
		m, err := e.Update(context.Background(), rows, criticLoss{}, engine.UpdateOptions{MicroBatchRows: 2})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = m["critic/vf_loss"]
		}
		last = m["critic/vf_loss"]
	}
	if !(last < first/2) {
		t.Errorf("value loss %g → %g, want it at least halved", first, last)
	}
	res, err := e.LogProbs(context.Background(), rows, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Values) != len(rows) || len(res.Values[1]) != len(rows[1].Response) {
		t.Fatalf("LogProbs values %v, want one per response token", res.Values)
	}
	dir := filepath.Join(t.TempDir(), "ckpt")
	if err := e.Save(dir); err != nil {
		t.Fatal(err)
	}
	f := newTestEngine(t, Config{LR: 3e-2})
	if err := f.Load(dir); err != nil {
		t.Fatal(err)
	}
	res2, err := f.LogProbs(context.Background(), rows, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		if !slices.Equal(res.Values[i], res2.Values[i]) {
			t.Fatalf("row %d values after Load %v, want %v", i, res2.Values[i], res.Values[i])
		}
	}
}

func TestTheAlgoVanillaLossSplitsIntoMicroBatchesExactly(t *testing.T) {
	loss, err := algo.NewLoss(algo.LossConfig{Name: "vanilla", ClipLow: 0.2, ClipHigh: 0.28, Agg: algo.Aggregation{Mode: algo.SeqMeanTokenMean}})
	if err != nil {
		t.Fatal(err)
	}
	rows := testRows()
	base := newTestEngine(t, Config{})
	old, err := base.LogProbs(context.Background(), rows, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		rows[i].OldLogProbs = old.LogProbs[i]
		for j := range rows[i].Advantages {
			rows[i].Advantages[j] = float32(math.Sin(float64(3*i + j)))
		}
	}
	whole := newTestEngine(t, Config{LR: 1e-3})
	micro := newTestEngine(t, Config{LR: 1e-3})
	mw, err := whole.Update(context.Background(), rows, loss, engine.UpdateOptions{MicroBatchRows: 8})
	if err != nil {
		t.Fatal(err)
	}
	mm, err := micro.Update(context.Background(), rows, loss, engine.UpdateOptions{MicroBatchRows: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := mw["actor/pg_loss"]; !ok {
		t.Fatalf("metrics %v lack actor/pg_loss", mw)
	}
	for k, v := range mw {
		if k[:7] == "timing_" || k[:5] == "perf/" {
			continue
		}
		if math.Abs(v-mm[k]) > 1e-5*math.Max(1, math.Abs(v)) {
			t.Errorf("%s: whole batch %g, micro-batches %g", k, v, mm[k])
		}
	}
	// On-policy (old = current), the ratio is 1: nothing is clipped and the KL is 0.
	if mw["actor/pg_clipfrac"] != 0 || math.Abs(mw["actor/ppo_kl"]) > 1e-6 {
		t.Errorf("on-policy step: clipfrac %g, ppo_kl %g, want 0", mw["actor/pg_clipfrac"], mw["actor/ppo_kl"])
	}
}
