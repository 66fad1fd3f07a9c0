package local

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/engine"
)

func TestLearningRateSchedulesWarmUpThenHoldOrDecay(t *testing.T) {
	cases := []struct {
		name   string
		cfg    Config
		origin int // adamW.origin: the step a handed-over optimizer's schedule starts at
		step   int
		want   float64
	}{
		{"warm-up starts at lr/warmup", Config{LR: 1, WarmupSteps: 4}, 0, 0, 0.25},
		{"warm-up reaches lr on its last step", Config{LR: 1, WarmupSteps: 4}, 0, 3, 1},
		{"constant holds lr after warm-up", Config{LR: 1, WarmupSteps: 4, Schedule: "constant"}, 0, 100, 1},
		{"cosine is at lr right after warm-up", Config{LR: 1, WarmupSteps: 2, Schedule: "cosine", TotalSteps: 12}, 0, 2, 1},
		{"cosine is halfway at the midpoint", Config{LR: 1, WarmupSteps: 2, Schedule: "cosine", TotalSteps: 12}, 0, 7, 0.5},
		{"cosine ends at the floor", Config{LR: 1, Schedule: "cosine", TotalSteps: 10, MinLRRatio: 0.1}, 0, 10, 0.1},
		{"cosine stays at the floor past total steps", Config{LR: 1, Schedule: "cosine", TotalSteps: 10}, 0, 50, 0},
		{"a handed-over schedule warms up from its origin", Config{LR: 1, WarmupSteps: 4}, 250, 250, 0.25},
		{"a handed-over cosine is at lr after its warm-up", Config{LR: 1, WarmupSteps: 2, Schedule: "cosine", TotalSteps: 12}, 250, 252, 1},
		{"a handed-over cosine ends at the floor", Config{LR: 1, Schedule: "cosine", TotalSteps: 10, MinLRRatio: 0.1}, 250, 260, 0.1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := newAdamW(c.cfg.Defaults(), nil)
			o.origin = c.origin
			if got := o.lr(c.step); math.Abs(got-c.want) > 1e-12 {
				t.Errorf("lr(%d) = %g, want %g", c.step, got, c.want)
			}
		})
	}
}

func TestAdamWFirstStepMovesEachWeightByLR(t *testing.T) {
	o := newAdamW(Config{LR: 0.1, WeightDecay: 0.5}.Defaults(), []int{3, 2})
	p := [][]float32{{1, 1, 1}, {1, 1}}
	g := [][]float32{{2, -3, 0}, {1, 1}}
	o.applySlots(p, g, []bool{false, true}, []int{0, 1})
	// Bias-corrected first step: m̂/√v̂ = sign(g); decay only on the second tensor: 1 − 0.1·0.5 − 0.1.
	want := [][]float32{{0.9, 1.1, 1}, {0.85, 0.85}}
	for i := range p {
		for j := range p[i] {
			if math.Abs(float64(p[i][j]-want[i][j])) > 1e-6 {
				t.Errorf("param[%d][%d] = %g, want %g", i, j, p[i][j], want[i][j])
			}
		}
	}
}

func TestClippingScalesTheGlobalNormAndSkippingLeavesWeightsAlone(t *testing.T) {
	g := [][]float32{{3}, {4}}
	if n := clipGrads(g, 1); n != 5 || math.Abs(float64(g[0][0])-0.6) > 1e-6 || math.Abs(float64(g[1][0])-0.8) > 1e-6 {
		t.Errorf("clip to 1 of norm 5: norm %g, grads %v", n, g)
	}
	e := newTestEngine(t, Config{LR: 1e-2})
	before := slices.Clone(e.params.Embed.Data)
	m, err := e.Update(context.Background(), testRows()[:2], sftLoss{}, engine.UpdateOptions{SkipAboveGradNorm: 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	if m["actor/update_skipped"] != 1 || !slices.Equal(before, e.params.Embed.Data) || e.Step() != 0 {
		t.Errorf("grad norm %g above the skip threshold: skipped %g, step %d; want the update skipped", m["actor/grad_norm"], m["actor/update_skipped"], e.Step())
	}
}

func TestAHandedOverScheduleStartsAtItsBeginningAndSurvivesResume(t *testing.T) {
	rows := testRows()[:3]
	opt := engine.UpdateOptions{MicroBatchRows: 2}
	cfg := Config{LR: 1e-2, WarmupSteps: 2, Schedule: "cosine", TotalSteps: 10}
	warm := newTestEngine(t, Config{LR: 1e-2, Schedule: "cosine", TotalSteps: 3})
	for range 3 { // a finished warm-up: its own cosine is at its floor
		if _, err := warm.Update(context.Background(), rows, sftLoss{}, opt); err != nil {
			t.Fatal(err)
		}
	}
	a := newTestEngine(t, cfg)
	if err := a.SetOptimizerState(warm.OptimizerState()); err != nil {
		t.Fatal(err)
	}
	m, err := a.Update(context.Background(), rows, sftLoss{}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if got := m["actor/lr"]; math.Abs(got-0.5e-2) > 1e-12 || a.Step() != 4 {
		t.Fatalf("first step after the hand-over: lr %g at step %d, want the warm-up's 5e-3 at step 4", got, a.Step())
	}
	dir := filepath.Join(t.TempDir(), "ckpt")
	if err := a.Save(dir); err != nil {
		t.Fatal(err)
	}
	b := newTestEngine(t, cfg)
	if err := b.Load(dir); err != nil {
		t.Fatal(err)
	}
	ma, _ := a.Update(context.Background(), rows, sftLoss{}, opt)
	mb, _ := b.Update(context.Background(), rows, sftLoss{}, opt)
	if ma["actor/lr"] != 1e-2 || mb["actor/lr"] != ma["actor/lr"] {
		t.Errorf("second step: lr %g, resumed %g, want 1e-2 on both", ma["actor/lr"], mb["actor/lr"])
	}
}

// TestAdamWUpdateMatchesScalarBitForBit runs the update this CPU uses (8 lanes with AVX2) against
// the plain-Go loop on lengths with every tail, with and without weight decay, over a few steps.
func TestAdamWUpdateMatchesScalarBitForBit(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for _, n := range []int{1, 7, 8, 9, 16, 31, 100, 1025} {
		for _, wd := range []float32{0, 1e-4} {
			u := adamWStep{b1: 0.9, b2: 0.999, stepSize: 3e-4, invBC2: 7.3, eps: 1e-8, wd: wd}
			var fast, ref [4][]float32 // p, g, m, v
			for k := range fast {
				fast[k] = make([]float32, n)
				for i := range fast[k] {
					fast[k][i] = float32(rng.NormFloat64())
					if k == 3 {
						fast[k][i] *= fast[k][i] // v ≥ 0
					}
				}
				ref[k] = slices.Clone(fast[k])
			}
			for range 3 {
				u.apply(fast[0], fast[1], fast[2], fast[3])
				u.applyGo(ref[0], ref[1], ref[2], ref[3])
			}
			for k, name := range []string{"param", "grad", "m", "v"} {
				for i := range n {
					if math.Float32bits(fast[k][i]) != math.Float32bits(ref[k][i]) {
						t.Fatalf("n %d wd %g: %s[%d] = %v, plain Go %v", n, wd, name, i, fast[k][i], ref[k][i])
					}
				}
			}
		}
	}
}

// BenchmarkAdamWUpdate measures the per-parameter update on 1M parameters, the vector form this
// CPU uses against the plain-Go loop: `go test ./engine/local -run '^$' -bench AdamWUpdate -cpu 1`.
func BenchmarkAdamWUpdate(b *testing.B) {
	const n = 1 << 20
	u := adamWStep{b1: 0.9, b2: 0.999, stepSize: 3e-4, invBC2: 7.3, eps: 1e-8, wd: 1e-4}
	p, g, m, v := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range g {
		g[i] = float32(i%17) - 8
	}
	for _, c := range []struct {
		name string
		f    func(p, g, m, v []float32)
	}{{"vector", u.apply}, {"plain-go", u.applyGo}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				c.f(p, g, m, v)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mparams/s")
		})
	}
}

func TestLoadRejectsAScheduleOriginPastTheStep(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ckpt")
	a := newTestEngine(t, Config{LR: 1e-2})
	if _, err := a.Update(context.Background(), testRows()[:3], sftLoss{}, engine.UpdateOptions{MicroBatchRows: 2}); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(dir); err != nil {
		t.Fatal(err)
	}
	meta := filepath.Join(dir, stateMetaFile)
	if err := os.WriteFile(meta, []byte(`{"step": 1, "schedule_origin": 5, "heads": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	err := newTestEngine(t, Config{LR: 1e-2}).Load(dir)
	if err == nil || !strings.Contains(err.Error(), "schedule_origin 5") || !strings.Contains(err.Error(), meta) {
		t.Fatalf("Load with schedule_origin past the step: %v, want an error naming the file and the field", err)
	}
}
