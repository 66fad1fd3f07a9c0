package local

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/model"
	. "github.com/gomlx/gomlx/core/graph"
)

// statsLoss is a test-only loss that reads every statistic the fast path feeds the loss graph:
// Σ mask·(adv·logp + 0.3·adv²·entropy + (values − returns)²)/TokenCount + 0.1·Σ (logZ − 1)².
type statsLoss struct{}

func (statsLoss) Name() string { return "test_stats" }
func (statsLoss) Requirements() algo.Requirements {
	return algo.Requirements{Entropy: true, Values: true, LogZ: true}
}
func (statsLoss) Build(in algo.LossInputs) algo.LossOutput {
	tok := Add(Mul(in.Advantages, in.LogProb), MulScalar(Mul(Square(in.Advantages), in.Entropy), 0.3))
	tok = Add(tok, Square(Sub(in.Values, in.Returns)))
	l := Div(ReduceAllSum(Mul(tok, in.Mask)), in.TokenCount)
	z := MulScalar(ReduceAllSum(Square(AddScalar(in.LogZ, -1))), 0.1)
	return algo.LossOutput{Loss: Add(l, z), Metrics: map[string]*Node{"test/z": z}}
}

// parityRows are rows of varied lengths with signed advantages and every per-token field set;
// an odd count leaves padding rows in the last micro-batch.
func parityRows(cfg model.Config, n, maxLen int, seed uint64) []engine.Row {
	rng := rand.New(rand.NewPCG(seed, 11))
	rows := make([]engine.Row, n)
	for i := range rows {
		r := &rows[i]
		total := 2 + rng.IntN(maxLen-1)
		np := 1 + rng.IntN(total-1)
		for range np {
			r.Prompt = append(r.Prompt, rng.IntN(cfg.VocabSize))
		}
		for range total - np {
			r.Response = append(r.Response, rng.IntN(cfg.VocabSize))
			r.Advantages = append(r.Advantages, float32(rng.NormFloat64()))
			r.OldLogProbs = append(r.OldLogProbs, float32(-1-rng.Float64()))
			r.RefLogProbs = append(r.RefLogProbs, float32(-1-rng.Float64()))
			r.OldValues = append(r.OldValues, float32(rng.NormFloat64()))
			r.Returns = append(r.Returns, float32(rng.NormFloat64()))
		}
	}
	return rows
}

// gradsOn computes one Update's gradients and metrics on the given path, without applying them.
func gradsOn(t *testing.T, e *Engine, path string, rows []engine.Row, loss algo.Loss, mb int) *stepGrads {
	t.Helper()
	e.cfg.TrainPath = path
	sg, err := e.gradients(context.Background(), rows, loss, engine.UpdateOptions{MicroBatchRows: mb, Temperature: 0.8})
	if err != nil {
		t.Fatalf("%s path: %v", path, err)
	}
	out := &stepGrads{metrics: sg.metrics}
	for _, g := range sg.grads {
		out.grads = append(out.grads, append([]float32(nil), g...))
	}
	return out
}

// relErr is max|a − b| / max|b| over a tensor (0 when both are zero).
func relErr(a, b []float32) float64 {
	var d, m float64
	for i := range b {
		d = math.Max(d, math.Abs(float64(a[i])-float64(b[i])))
		m = math.Max(m, math.Abs(float64(b[i])))
	}
	if m == 0 {
		return d
	}
	return d / m
}

func tiedLlama() model.Config {
	c := tinyConfig()
	c.ModelType, c.AttentionBias, c.TieWordEmbeddings = "llama", false, true
	return c
}

// TestFastPathGradientsMatchTheGraph checks every parameter gradient (model and heads), the loss
// and its metrics of the hand-written path against the GoMLX graph, to 1e-4 of each tensor's
// largest gradient, for GQA and MHA, tied and untied heads, with and without biases, padding rows
// and variable lengths, on several losses.
func TestFastPathGradientsMatchTheGraph(t *testing.T) {
	vanilla, err := algo.NewLoss(algo.LossConfig{Name: "vanilla", ClipLow: 0.2, ClipHigh: 0.28, ClipC: 3, Agg: algo.Aggregation{Mode: algo.SeqMeanTokenMean}})
	if err != nil {
		t.Fatal(err)
	}
	flow, err := algo.NewLoss(algo.LossConfig{Name: "flowrl", FlowBeta: 15})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		cfg  model.Config
		loss algo.Loss
		rows int
		mb   int
		tol  float64
	}{
		{"gqa qwen2 stats", tinyConfig(), statsLoss{}, 5, 2, 1e-4},
		{"gqa qwen2 vanilla", tinyConfig(), vanilla, 7, 4, 1e-4},
		{"tied llama stats", tiedLlama(), statsLoss{}, 3, 4, 1e-4},
		{"tied llama flowrl", tiedLlama(), flow, 4, 4, 1e-4},
		{"tiny mha sft", model.TinyConfig(), sftLoss{}, 6, 4, 1e-4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, err := New(randomParams(tc.cfg, 2), Config{})
			if err != nil {
				t.Fatal(err)
			}
			rows := parityRows(tc.cfg, tc.rows, tc.cfg.MaxPositionEmbeddings/2, 3)
			checkParity(t, e, rows, tc.loss, tc.mb, tc.tol)
		})
	}
}

// TestFastPathGradientsMatchTheGraphOn30M is the parity check on the 30M preset (GQA 4:1, tied).
func TestFastPathGradientsMatchTheGraphOn30M(t *testing.T) {
	if testing.Short() {
		t.Skip("30M graph step takes seconds")
	}
	cfg := model.Small30MConfig()
	e, err := New(model.NewRandom(cfg, 4), Config{})
	if err != nil {
		t.Fatal(err)
	}
	checkParity(t, e, parityRows(cfg, 3, 40, 5), statsLoss{}, 2, 1e-4)
}

func checkParity(t *testing.T, e *Engine, rows []engine.Row, loss algo.Loss, mb int, tol float64) {
	t.Helper()
	ref := gradsOn(t, e, "graph", rows, loss, mb)
	got := gradsOn(t, e, "fast", rows, loss, mb)
	names := make([]string, 0, len(ref.grads))
	for _, r := range e.refs {
		names = append(names, r.name)
	}
	for _, h := range e.heads {
		names = append(names, h.name+".weight", h.name+".bias")
	}
	worst := 0.0
	for i := range ref.grads {
		r := relErr(got.grads[i], ref.grads[i])
		worst = math.Max(worst, r)
		if r > tol {
			t.Errorf("%s: gradient differs by %.3g of its largest entry (tolerance %g)", names[i], r, tol)
		}
	}
	for k, v := range ref.metrics {
		if math.Abs(got.metrics[k]-v) > tol*math.Max(1, math.Abs(v)) {
			t.Errorf("metric %s: fast %g, graph %g", k, got.metrics[k], v)
		}
	}
	t.Logf("worst gradient difference %.2g of the tensor's largest entry over %d tensors", worst, len(ref.grads))
}

// TestFastLogProbsMatchTheGraph compares LogProbs with a value head (the path that reads hidden
// states) on the fast forward against the graph.
func TestFastLogProbsMatchTheGraph(t *testing.T) {
	e, err := New(randomParams(tinyConfig(), 2), Config{})
	if err != nil {
		t.Fatal(err)
	}
	e.EnsureHeads(algo.Requirements{Values: true})
	rows := parityRows(tinyConfig(), 5, 30, 9)
	res := map[string]*engine.LogProbResult{}
	for _, path := range TrainPaths {
		e.cfg.TrainPath = path
		r, err := e.LogProbs(context.Background(), rows, 0.9)
		if err != nil {
			t.Fatal(err)
		}
		res[path] = r
	}
	for i := range rows {
		for j := range rows[i].Response {
			for _, f := range []struct {
				name string
				a, b float32
			}{{"logp", res["fast"].LogProbs[i][j], res["graph"].LogProbs[i][j]},
				{"entropy", res["fast"].Entropies[i][j], res["graph"].Entropies[i][j]},
				{"value", res["fast"].Values[i][j], res["graph"].Values[i][j]}} {
				if d := math.Abs(float64(f.a - f.b)); d > 1e-5*math.Max(1, math.Abs(float64(f.b))) {
					t.Errorf("row %d token %d: %s fast %g, graph %g", i, j, f.name, f.a, f.b)
				}
			}
		}
	}
}

// TestFastPathIsBitIdenticalWhateverGOMAXPROCS checks that splitting the work over goroutines
// does not change a single bit of the gradients.
func TestFastPathIsBitIdenticalWhateverGOMAXPROCS(t *testing.T) {
	cfg := model.TinyConfig()
	rows := parityRows(cfg, 6, 60, 13)
	var ref []*stepGrads
	for _, procs := range []int{1, 2, 3} {
		prev := runtime.GOMAXPROCS(procs)
		e, err := New(randomParams(cfg, 2), Config{})
		if err != nil {
			t.Fatal(err)
		}
		ref = append(ref, gradsOn(t, e, "fast", rows, statsLoss{}, 8))
		runtime.GOMAXPROCS(prev)
	}
	for k := 1; k < len(ref); k++ {
		for i := range ref[0].grads {
			for j, v := range ref[0].grads[i] {
				if math.Float32bits(ref[k].grads[i][j]) != math.Float32bits(v) {
					t.Fatalf("GOMAXPROCS %d: gradient %d[%d] = %g, with 1: %g", k+1, i, j, ref[k].grads[i][j], v)
				}
			}
		}
	}
}
