package algo

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
)

// randomBatch returns a reproducible batch of b rows and t columns with ragged masks (every row has
// at least one token), moderate log-ratio shifts, group advantages, values, noise, log Z and two
// demonstration rows.
func randomBatch(seed uint64, b, t int) BatchRef {
	r := rand.New(rand.NewPCG(seed, 7))
	mat := func(f func(i, j int) float64) [][]float64 {
		m := newMatrix(b, t)
		for i := range m {
			for j := range m[i] {
				m[i][j] = f(i, j)
			}
		}
		return m
	}
	lengths := make([]int, b)
	for i := range lengths {
		lengths[i] = 1 + r.IntN(t)
	}
	adv := make([]float64, b)
	for i := range adv {
		adv[i] = r.NormFloat64()
	}
	lp := mat(func(i, j int) float64 { return -3 * r.Float64() })
	demo := make([]float64, b)
	demo[0], demo[b/2] = 1, 1
	logZ := make([]float64, b)
	for i := range logZ {
		logZ[i] = r.NormFloat64()
	}
	return BatchRef{
		LogProb:    lp,
		OldLogProb: mat(func(i, j int) float64 { return lp[i][j] + 0.4*r.NormFloat64() }),
		RefLogProb: mat(func(i, j int) float64 { return lp[i][j] + 0.3*r.NormFloat64() }),
		Advantages: mat(func(i, j int) float64 { return adv[i] }),
		Mask: mat(func(i, j int) float64 {
			if j < lengths[i] {
				return 1
			}
			return 0
		}),
		Entropy:   mat(func(i, j int) float64 { return 2 * r.Float64() }),
		Values:    mat(func(i, j int) float64 { return r.NormFloat64() }),
		OldValues: mat(func(i, j int) float64 { return r.NormFloat64() }),
		Returns:   mat(func(i, j int) float64 { return r.NormFloat64() }),
		Noise:     mat(func(i, j int) float64 { return r.Float64() }),
		LogZ:      logZ,
		Demo:      demo,
	}
}

// paritySubjects are every loss of the package in at least one configuration.
func paritySubjects(t *testing.T) map[string]Loss {
	t.Helper()
	out := map[string]Loss{}
	for _, p := range Presets() {
		a, err := p.NewActorLoss()
		if err != nil {
			t.Fatalf("preset %s: %v", p.Name, err)
		}
		out["preset "+p.Name] = a
	}
	extra := []LossConfig{
		{Name: "reinforce", Agg: Aggregation{Mode: SeqMeanTokenSum}},
		{Name: "luffy", ClipLow: 0.2, ClipHigh: 0.2, ShapeGamma: 0.1, Agg: Aggregation{Mode: TokenMean}},
		{Name: "vanilla", ClipLow: 0.2, ClipHigh: 0.28, ClipC: 3, Agg: Aggregation{Mode: SeqMeanTokenSumNorm}},
		{Name: "clip_cov", ClipLow: 0.2, ClipHigh: 0.2, ClipCovRatio: 0.3, ClipCovLB: -1, ClipCovUB: 5, Agg: Aggregation{Mode: TokenMean}},
		{Name: "kl_cov", KLCovRatio: 0.2, KLCovCoef: 1, Agg: Aggregation{Mode: SeqMeanTokenMean}},
		{Name: "flowrl", FlowBeta: 1, FlowISClip: 0.2},
	}
	for _, cfg := range extra {
		l, err := NewLoss(cfg)
		if err != nil {
			t.Fatalf("%s: %v", cfg.Name, err)
		}
		a, err := NewActor(l, 0.01, 0.05, KLK3Plus, Aggregation{Mode: TokenMean})
		if err != nil {
			t.Fatal(err)
		}
		out["loss "+cfg.Name+" "+string(cfg.Agg.Mode)] = a
	}
	v, err := NewValueLoss(0.2, Aggregation{Mode: SeqMeanTokenMean})
	if err != nil {
		t.Fatal(err)
	}
	out["value loss"] = v
	return out
}

// TestGraphMatchesPlainGoReference is the llm.c-style parity test: for every loss, the GoMLX graph
// and the plain-Go reference agree on the loss and every metric.
func TestGraphMatchesPlainGoReference(t *testing.T) {
	b := randomBatch(1, 6, 7)
	subjects := paritySubjects(t)
	names := make([]string, 0, len(subjects))
	for n := range subjects {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		l := subjects[name]
		t.Run(name, func(t *testing.T) {
			g, err := lossGraphGrad(t, l, b, false)
			if err != nil {
				t.Fatal(err)
			}
			r, err := l.(Reference).Reference(b)
			if err != nil {
				t.Fatal(err)
			}
			if d := math.Abs(g["loss"].scalar() - r.Loss); d > 1e-9 || math.IsNaN(g["loss"].scalar()) {
				t.Errorf("loss: graph %.12g, reference %.12g", g["loss"].scalar(), r.Loss)
			}
			for k, want := range r.Metrics {
				got, ok := g[k]
				if !ok {
					t.Errorf("metric %s missing from the graph", k)
					continue
				}
				if math.Abs(got.scalar()-want) > 1e-9 {
					t.Errorf("metric %s: graph %.12g, reference %.12g", k, got.scalar(), want)
				}
			}
			for k := range g {
				if _, ok := r.Metrics[k]; !ok && k != "loss" {
					t.Errorf("metric %s missing from the reference", k)
				}
			}
		})
	}
}

// TestEntropyAndLogProbGatherMatchReference checks the logits helpers against plain Go.
func TestEntropyAndLogProbGatherMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const B, T, V = 2, 3, 5
	logits := make([][][]float64, B)
	tokens := make([][]int32, B)
	for i := range logits {
		logits[i] = make([][]float64, T)
		tokens[i] = make([]int32, T)
		for j := range logits[i] {
			logits[i][j] = make([]float64, V)
			for k := range logits[i][j] {
				logits[i][j][k] = 3 * r.NormFloat64()
			}
			tokens[i][j] = int32(r.IntN(V))
		}
	}
	if err := CheckTokenIDs(tokens, V); err != nil {
		t.Fatal(err)
	}
	out, err := runGraph(t, map[string]any{"z": logits, "tok": tokens}, func(g *Graph, x map[string]*Node) map[string]*Node {
		return map[string]*Node{"h": EntropyFromLogits(x["z"]), "lp": GatherLogProbs(x["z"], x["tok"])}
	})
	if err != nil {
		t.Fatal(err)
	}
	h, lp := out["h"].matrix(), out["lp"].matrix()
	for i := 0; i < B; i++ {
		for j := 0; j < T; j++ {
			if d := math.Abs(h[i][j] - EntropyFromLogitsRef(logits[i][j])); d > 1e-9 {
				t.Errorf("entropy[%d][%d]: graph %v, reference %v", i, j, h[i][j], EntropyFromLogitsRef(logits[i][j]))
			}
			if d := math.Abs(lp[i][j] - LogProbRef(logits[i][j], int(tokens[i][j]))); d > 1e-9 {
				t.Errorf("logprob[%d][%d]: graph %v, reference %v", i, j, lp[i][j], LogProbRef(logits[i][j], int(tokens[i][j])))
			}
		}
	}
	if err := CheckTokenIDs([][]int32{{0, 5}}, V); err == nil {
		t.Error("CheckTokenIDs accepted id 5 for vocab 5")
	}
}

// TestLossesBuildInFloat32 runs every loss with float32 inputs, as the engine does, and compares it
// with the float64 reference at float32 precision.
func TestLossesBuildInFloat32(t *testing.T) {
	b := randomBatch(9, 5, 6)
	for name, l := range paritySubjects(t) {
		g, err := lossGraphDType(t, l, b, true, nil, true)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		r, err := l.(Reference).Reference(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := math.Abs(g["loss"].scalar() - r.Loss); d > 1e-4*math.Max(1, math.Abs(r.Loss)) {
			t.Errorf("%s: float32 loss %.8g, float64 reference %.8g", name, g["loss"].scalar(), r.Loss)
		}
	}
}

// TestTopSelectionMatchesReferenceWithTies compares the sort-free graph selection with the sorted
// plain-Go reference on keys with many ties, negative values, ±0 and ineligible entries.
func TestTopSelectionMatchesReferenceWithTies(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for trial := range 12 {
		b, tt := 1+r.IntN(5), 1+r.IntN(9)
		key := newMatrix(b, tt)
		elig := newMatrix(b, tt)
		eligB := make([][]bool, b)
		for i := range key {
			eligB[i] = make([]bool, tt)
			for j := range key[i] {
				key[i][j] = float64(r.IntN(7)-3) * 0.5 // ties and negatives
				if r.IntN(9) == 0 {
					key[i][j] = math.Copysign(0, -1)
				}
				if r.IntN(4) > 0 {
					elig[i][j], eligB[i][j] = 1, true
				}
			}
		}
		k := 1 + r.IntN(b*tt)
		out, err := runGraph(t, map[string]any{"key": key, "elig": elig, "k": float64(k)}, func(g *Graph, x map[string]*Node) map[string]*Node {
			return map[string]*Node{"sel": selectTop(x["key"], GreaterThan(x["elig"], ZerosLike(x["elig"])), x["k"])}
		})
		if err != nil {
			t.Fatal(err)
		}
		got := out["sel"].matrix()
		want := selectTopRef(key, eligB, k)
		for i := range want {
			for j := range want[i] {
				if (got[i][j] == 1) != want[i][j] {
					t.Fatalf("trial %d (k %d): selection[%d][%d] = %v, want %v; keys %v eligible %v", trial, k, i, j, got[i][j], want[i][j], key, eligB)
				}
			}
		}
	}
}
