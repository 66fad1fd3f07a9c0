package algo

import (
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// benchmarkLoss measures one forward + backward of a loss on a [16, 1024] float32 micro-batch
// (graph compiled once, outside the timer).
func benchmarkLoss(bn *testing.B, cfg LossConfig) {
	l, err := NewLoss(cfg)
	if err != nil {
		bn.Fatal(err)
	}
	b := randomBatch(1, 16, 1024)
	exec, err := NewExec(testBackend(bn), func(lp, old, adv, mask, noise *Node) (*Node, *Node) {
		o := l.Build(LossInputs{LogProb: lp, OldLogProb: old, Advantages: adv, Mask: mask, Noise: noise})
		return o.Loss, Gradient(o.Loss, lp)[0]
	})
	if err != nil {
		bn.Fatal(err)
	}
	args := []any{}
	for _, m := range [][][]float64{b.LogProb, b.OldLogProb, b.Advantages, b.Mask, b.Noise} {
		tt, err := tensors.FromAnyValue(toFloat32(m))
		if err != nil {
			bn.Fatal(err)
		}
		args = append(args, tt)
	}
	if _, err := exec.Call(args...); err != nil {
		bn.Fatal(err)
	}
	bn.ResetTimer()
	for range bn.N {
		if _, err := exec.Call(args...); err != nil {
			bn.Fatal(err)
		}
	}
}

func BenchmarkVanillaLoss16x1024(b *testing.B) {
	benchmarkLoss(b, LossConfig{Name: "vanilla", ClipLow: 0.2, ClipHigh: 0.28, ClipC: 10, Agg: Aggregation{Mode: TokenMean}})
}

func BenchmarkClipCovLoss16x1024(b *testing.B) {
	benchmarkLoss(b, LossConfig{Name: "clip_cov", ClipLow: 1, ClipHigh: 1, ClipCovRatio: 2e-4, ClipCovLB: 1, ClipCovUB: 5, Agg: Aggregation{Mode: TokenMean}})
}

func BenchmarkKLCovLoss16x1024(b *testing.B) {
	benchmarkLoss(b, LossConfig{Name: "kl_cov", KLCovRatio: 2e-3, KLCovCoef: 1, Agg: Aggregation{Mode: TokenMean}})
}
