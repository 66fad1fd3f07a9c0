package local

import (
	"math"
	"testing"

	"github.com/ascent-rl/ascent/algo"
)

// TestHostLearnerLossGradIsTheClippedSurrogatesGradient checks the loss graph's log-prob gradient
// on the clipped surrogate (ε 0.2/0.28, token-mean) against its closed form: −Â·ρ/N on tokens
// inside the band or on the side the clip does not bind, 0 where it binds, 0 on padding.
func TestHostLearnerLossGradIsTheClippedSurrogatesGradient(t *testing.T) {
	cfg := algo.SimpleVLA()
	loss, err := cfg.NewActorLoss()
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewHostLearner(Config{LR: 1e-3}, []int{2}, []bool{false})
	if err != nil {
		t.Fatal(err)
	}
	old := []float32{-1, -1, -1, -1}
	lr := []float32{0, float32(math.Log(1.5)), float32(math.Log(0.5)), 0} // ratios 1, 1.5, 0.5, 1
	logp := make([]float32, 4)
	for i := range logp {
		logp[i] = old[i] + lr[i]
	}
	adv := []float32{1, 1, -1, 1}
	mask := []float32{1, 1, 1, 0}
	_, _, g, err := l.LossGrad(loss, StatBatch{B: 1, T: 4, LogProb: logp, OldLogProb: old, Advantages: adv, Mask: mask, TokenCount: 3, SeqCount: 1, MicroFraction: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{-1.0 / 3, 0, 0, 0} // token 1: ratio 1.5 > 1.28 with Â > 0 is clipped; token 2: 0.5 < 0.8 with Â < 0 is clipped
	for i := range want {
		if math.Abs(float64(g[i])-want[i]) > 1e-6 {
			t.Fatalf("token %d: gradient %g, want %g (all %v)", i, g[i], want[i], g)
		}
	}
	params, grads := [][]float32{{1, 2}}, [][]float32{{3, 4}}
	norm, _, skipped, err := l.Step(params, grads)
	if err != nil || skipped || math.Abs(norm-5) > 1e-6 || params[0][0] >= 1 {
		t.Fatalf("step: norm %g, skipped %v, err %v, params %v", norm, skipped, err, params)
	}
}
