package local

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/engine"
	. "github.com/gomlx/gomlx/core/graph"
)

// sftLoss is a test-only loss: −Σ adv·logp·mask / TokenCount (supervised fine-tuning when adv = 1),
// with an entropy metric, so tests do not depend on the algo package's losses.
type sftLoss struct{}

func (sftLoss) Name() string                    { return "test_sft" }
func (sftLoss) Requirements() algo.Requirements { return algo.Requirements{Entropy: true} }
func (sftLoss) Build(in algo.LossInputs) algo.LossOutput {
	den := in.TokenCount
	if den == nil {
		den = ReduceAllSum(in.Mask)
	}
	pg := Div(Neg(ReduceAllSum(Mul(Mul(in.Advantages, in.LogProb), in.Mask))), den)
	ent := Div(ReduceAllSum(Mul(in.Entropy, in.Mask)), den)
	return algo.LossOutput{Loss: pg, Metrics: map[string]*Node{"actor/pg_loss": pg, "actor/entropy": ent}}
}

func newTestEngine(t *testing.T, cfg Config) *Engine {
	t.Helper()
	e, err := New(randomParams(tinyConfig(), 1), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func testRows() []engine.Row {
	rows := []engine.Row{
		{Prompt: []int{1, 5, 6}, Response: []int{7, 8, 9, 2}},
		{Prompt: []int{1, 10}, Response: []int{11, 12, 13, 14, 15, 16, 17, 18, 19, 20}},
		{Prompt: []int{1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, Response: []int{21}},
		{Prompt: []int{1}, Response: []int{30, 31, 29, 28, 27}},
		{Prompt: []int{1, 22, 23}, Response: []int{24, 25}},
	}
	for i := range rows {
		rows[i].Advantages = make([]float32, len(rows[i].Response))
		for j := range rows[i].Advantages {
			rows[i].Advantages[j] = 1
		}
	}
	return rows
}

func TestLogProbsMatchThePlainGoReferenceTo1e5(t *testing.T) {
	for _, graph := range []bool{false, true} {
		e := newTestEngine(t, Config{MicroBatchRows: 2})
		e.referenceSampler = graph // true: the GoMLX graph path; false: the KV-cache decoder path
		t.Run(fmt.Sprintf("graph=%v", graph), func(t *testing.T) { checkLogProbsAgainstReference(t, e) })
	}
}

func checkLogProbsAgainstReference(t *testing.T, e *Engine) {
	rows := testRows()
	for _, temp := range []float64{1, 0.7} {
		res, err := e.LogProbs(context.Background(), rows, temp)
		if err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		for i, r := range rows {
			seq := append(slices.Clone(r.Prompt), r.Response...)
			logits := refLogits(e.Params(), seq)
			for j, tok := range r.Response {
				lp, ent := refTokenLogProb(logits[len(r.Prompt)+j-1], tok, temp)
				worst = math.Max(worst, math.Abs(lp-float64(res.LogProbs[i][j])))
				worst = math.Max(worst, math.Abs(ent-float64(res.Entropies[i][j])))
			}
		}
		if worst > 1e-5 {
			t.Errorf("temperature %g: max |LogProbs − reference| = %g, want ≤ 1e-5", temp, worst)
		}
	}
}

func TestUpdateRaisesTheLogProbOfASupervisedTarget(t *testing.T) {
	e := newTestEngine(t, Config{LR: 1e-2})
	rows := testRows()[:2]
	before, _ := e.LogProbs(context.Background(), rows, 1)
	var first, last float64
	for i := range 5 {
		m, err := e.Update(context.Background(), rows, sftLoss{}, engine.UpdateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = m["actor/pg_loss"]
		}
		last = m["actor/pg_loss"]
		if m["actor/grad_norm"] <= 0 || m["actor/lr"] != 1e-2 || m["perf/compile_count"] < 1 {
			t.Errorf("step %d metrics %v", i, m)
		}
	}
	after, _ := e.LogProbs(context.Background(), rows, 1)
	sum := func(r *engine.LogProbResult) (s float64) {
		for _, x := range r.LogProbs {
			for _, v := range x {
				s += float64(v)
			}
		}
		return s
	}
	if !(last < first) || !(sum(after) > sum(before)+1) {
		t.Errorf("loss %g → %g, target log-prob %g → %g: want both to improve", first, last, sum(before), sum(after))
	}
}

func TestMicroBatchAccumulationEqualsTheWholeBatchStep(t *testing.T) {
	rows := testRows()
	whole := newTestEngine(t, Config{LR: 1e-3})
	micro := newTestEngine(t, Config{LR: 1e-3})
	mw, err := whole.Update(context.Background(), rows, sftLoss{}, engine.UpdateOptions{MicroBatchRows: 8})
	if err != nil {
		t.Fatal(err)
	}
	mm, err := micro.Update(context.Background(), rows, sftLoss{}, engine.UpdateOptions{MicroBatchRows: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"actor/pg_loss", "actor/entropy", "actor/grad_norm"} {
		if d := math.Abs(mw[k] - mm[k]); d > 1e-5*math.Max(1, math.Abs(mw[k])) {
			t.Errorf("%s: whole %g vs micro %g", k, mw[k], mm[k])
		}
	}
	worst := 0.0
	for i, r := range whole.refs {
		a, b := r.get().Data, micro.refs[i].get().Data
		for j := range a {
			worst = math.Max(worst, math.Abs(float64(a[j]-b[j])))
		}
	}
	if worst > 1e-5 {
		t.Errorf("weights after one step differ by %g, want ≤ 1e-5", worst)
	}
}

func TestSaveThenLoadResumesBitIdentically(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ckpt")
	rows := testRows()[:3]
	opt := engine.UpdateOptions{MicroBatchRows: 2}
	a := newTestEngine(t, Config{LR: 1e-2, WarmupSteps: 3, Schedule: "cosine", TotalSteps: 10})
	if _, err := a.Update(context.Background(), rows, sftLoss{}, opt); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(dir); err != nil { // overwriting an existing checkpoint
		t.Fatal(err)
	}
	b := newTestEngine(t, Config{LR: 1e-2, WarmupSteps: 3, Schedule: "cosine", TotalSteps: 10})
	if err := b.Load(dir); err != nil {
		t.Fatal(err)
	}
	if b.Step() != 1 {
		t.Fatalf("restored step %d, want 1", b.Step())
	}
	ma, _ := a.Update(context.Background(), rows, sftLoss{}, opt)
	mb, _ := b.Update(context.Background(), rows, sftLoss{}, opt)
	if ma["actor/pg_loss"] != mb["actor/pg_loss"] || ma["actor/lr"] != mb["actor/lr"] {
		t.Errorf("next step differs: %v vs %v", ma, mb)
	}
	for i, r := range a.refs {
		if !slices.Equal(r.get().Data, b.refs[i].get().Data) {
			t.Fatalf("tensor %s differs after the resumed step", r.name)
		}
	}
	matches, _ := filepath.Glob(dir + ".tmp-*")
	if len(matches) != 0 {
		t.Errorf("temporary directories left behind: %v", matches)
	}
}

func TestBadInputsReturnErrorsNamingTheProblem(t *testing.T) {
	e := newTestEngine(t, Config{})
	ctx := context.Background()
	long := make([]int, 64)
	for i := range long {
		long[i] = 1
	}
	ok := engine.SamplingParams{MaxTokens: 4}
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"a prompt as long as the context is rejected with its length", func() error { _, err := e.Sample(ctx, [][]int{long}, 1, ok); return err }, "64 tokens"},
		{"a token outside the vocabulary is rejected", func() error { _, err := e.Sample(ctx, [][]int{{1, 99}}, 1, ok); return err }, "outside the vocabulary"},
		{"max tokens of zero is rejected", func() error { _, err := e.Sample(ctx, [][]int{{1}}, 1, engine.SamplingParams{}); return err }, "max_tokens"},
		{"stop strings without a detokenizer are rejected", func() error {
			_, err := e.Sample(ctx, [][]int{{1}}, 1, engine.SamplingParams{MaxTokens: 2, Stop: []string{"x"}})
			return err
		}, "detokenizer"},
		{"advantages of the wrong length are rejected", func() error {
			_, err := e.Update(ctx, []engine.Row{{Prompt: []int{1}, Response: []int{2, 3}, Advantages: []float32{1}}}, sftLoss{}, engine.UpdateOptions{})
			return err
		}, "advantages has 1 entries"},
		{"an empty prompt is rejected", func() error {
			_, err := e.LogProbs(ctx, []engine.Row{{Response: []int{2}}}, 1)
			return err
		}, "empty prompt"},
		{"an unknown schedule is rejected", func() error { _, err := New(randomParams(tinyConfig(), 1), Config{Schedule: "linear"}); return err }, "constant, cosine"},
		{"the xla backend explains it needs a PJRT plugin", func() error { _, err := New(randomParams(tinyConfig(), 1), Config{Backend: "xla"}); return err }, "PJRT"},
		{"loading a missing checkpoint is an error", func() error { return e.Load(t.TempDir()) }, "config.json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

func TestLogProbsMatchTheModelPackageForwardTo1e5(t *testing.T) {
	e := newTestEngine(t, Config{MicroBatchRows: 4})
	rows := testRows()
	res, err := e.LogProbs(context.Background(), rows, 1)
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for i, r := range rows {
		seq := append(slices.Clone(r.Prompt), r.Response...)
		logits, err := e.Params().Forward(seq)
		if err != nil {
			t.Fatal(err)
		}
		for j, tok := range r.Response {
			l := make([]float64, len(logits[0]))
			for k, x := range logits[len(r.Prompt)+j-1] {
				l[k] = float64(x)
			}
			lp, _ := refTokenLogProb(l, tok, 1)
			worst = math.Max(worst, math.Abs(lp-float64(res.LogProbs[i][j])))
		}
	}
	if worst > 1e-5 {
		t.Errorf("max |GoMLX − model.Forward| log-prob difference %g, want ≤ 1e-5", worst)
	}
}

func TestBucketsKeepTheNumberOfGraphShapesSmall(t *testing.T) {
	cases := []struct{ n, want int }{{1, 16}, {16, 16}, {17, 32}, {64, 64}, {65, 96}, {96, 96}, {97, 128}, {129, 192}, {1000, 1024}, {4097, 6144}}
	for _, c := range cases {
		if got := bucketLen(c.n); got != c.want {
			t.Errorf("bucketLen(%d) = %d, want %d", c.n, got, c.want)
		}
	}
	seen := map[int]bool{}
	for n := 1; n <= 32768; n++ {
		seen[bucketLen(n)] = true
	}
	if len(seen) > 32 {
		t.Errorf("%d length buckets up to 32k; the executor caches 32 shapes", len(seen))
	}
	if !strings.Contains(runtime.Version(), "simd") {
		t.Logf("warning: built without GOEXPERIMENT=simd (%s): the go backend is about 3.5x slower", runtime.Version())
	}
}
