package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ascent-rl/ascent/model"
)

// TestForwardPrefixMatchesReference checks ForwardPrefix's log-probs against the float64
// reference (model.Params.ForwardPrefix) and PrefixGrad against central finite differences of the
// reference: the loss is Σ of the log-probs of the positions after the prefix.
func TestForwardPrefixMatchesReference(t *testing.T) {
	cfg := model.TinyConfig()
	cfg.HiddenSize, cfg.IntermediateSize, cfg.NumKeyValueHeads = 32, 48, 2
	p := model.NewRandom(cfg, 4)
	for _, l := range p.Layers { // larger weights than NewRandom's so the prefix matters
		for _, w := range []*model.Tensor{l.Q, l.K, l.V, l.O, l.Gate, l.Up, l.Down} {
			for i := range w.Data {
				w.Data[i] *= 15
			}
		}
	}
	B, T, P := 2, 10, 3
	rng := rand.New(rand.NewPCG(7, 8))
	prefix := make([]float32, B*P*cfg.HiddenSize)
	for i := range prefix {
		prefix[i] = float32(rng.NormFloat64())
	}
	tokens, targets := make([]int32, B*T), make([]int32, B*T)
	for i := range tokens {
		tokens[i], targets[i] = int32(rng.IntN(cfg.VocabSize)), int32(rng.IntN(cfg.VocabSize))
	}
	const temp = 1.3
	net, ps := New(p), NewPass(cfg, B, T)
	if err := net.ForwardPrefix(ps, prefix, P, tokens, targets, temp); err != nil {
		t.Fatal(err)
	}
	D := cfg.HiddenSize
	// refLoss is Σ_{t ≥ P} log p(target) of row b under the reference with prefix pre [P, D].
	refLoss := func(b int, pre []float32) float64 {
		vecs := make([][]float32, P)
		for i := range vecs {
			vecs[i] = pre[i*D : (i+1)*D]
		}
		seq := make([]int, T-P)
		for i := range seq {
			seq[i] = int(tokens[b*T+P+i])
		}
		logits, err := p.ForwardPrefix(vecs, seq)
		if err != nil {
			t.Fatal(err)
		}
		s := 0.0
		for i := P; i < T; i++ {
			lp, _ := stats64(logits[i], int(targets[b*T+i]), 1/temp)
			s += lp
		}
		return s
	}
	for b := range B {
		got := 0.0
		for i := P; i < T; i++ {
			got += float64(ps.LogProbs()[b*T+i])
		}
		if want := refLoss(b, prefix[b*P*D:(b+1)*P*D]); math.Abs(got-want) > 1e-3 {
			t.Fatalf("row %d: Σ log-prob %g, reference %g", b, got, want)
		}
	}
	dLogp := make([]float32, B*T)
	for b := range B {
		for i := P; i < T; i++ {
			dLogp[b*T+i] = 1
		}
	}
	g := ZeroGrads(p)
	if err := net.Backward(ps, dLogp, nil, nil, g); err != nil {
		t.Fatal(err)
	}
	grad := ps.PrefixGrad(P)
	const h = 1e-2
	worst := 0.0
	for _, i := range []int{0, 5, D + 3, 2*D + 17, P*D + 1, P*D + 2*D + 30} {
		b := i / (P * D)
		row := append([]float32(nil), prefix[b*P*D:(b+1)*P*D]...)
		j := i - b*P*D
		row[j] += h
		up := refLoss(b, row)
		row[j] -= 2 * h
		down := refLoss(b, row)
		fd := (up - down) / (2 * h)
		rel := math.Abs(fd-float64(grad[i])) / math.Max(1e-2, math.Abs(fd))
		worst = math.Max(worst, rel)
		if rel > 2e-2 {
			t.Fatalf("prefix value %d: gradient %g, finite difference %g", i, grad[i], fd)
		}
	}
	if grad[0] == 0 && grad[5] == 0 {
		t.Fatal("prefix gradient is zero: the test cannot fail")
	}
	t.Logf("worst relative difference %.2g", worst)
}
