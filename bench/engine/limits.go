package main

import (
	"time"

	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/model/train"
)

// limits fills in the physical limits of a result: the training step's FLOP/s against the gemm
// kernel's measured peak, the activation memory of one micro-batch, and the sampler's bytes moved
// per token against the measured memory bandwidth.
func limits(s shape, r *result) {
	c := s.Cfg
	flops := 3 * forwardFLOPs(c, s.TrainLen) // backward ≈ 2× forward
	r.TrainGFLOPS = flops * r.TrainTokS / 1e9
	r.GemmPeakGFLOPS = train.GemmGFLOPS(1024, 1024, 1024, 2*time.Second)
	r.PeakShare = r.TrainGFLOPS / r.GemmPeakGFLOPS
	r.ActivationMiB = float64(train.NewPass(c, s.MicroRows, s.TrainLen).Bytes()) / (1 << 20)
	// A decode step reads every weight once for the whole batch (the tied head once) and each row's
	// KV cache up to its position (on average prompt + new/2).
	weights := 4 * float64(p(c))
	kv := 4 * float64(2*c.NumHiddenLayers*c.NumKeyValueHeads*c.Dim()) * float64(s.Prompt+s.NewTok/2)
	r.SampleBytesTok = weights/float64(s.SampleRows) + kv
	r.MemBandwidthGBs = train.MemoryBandwidthGBs(256<<20, time.Second)
}

// p counts the parameters a decode step reads.
func p(c model.Config) int {
	n := 0
	for _, t := range model.Layout(c) {
		k := 1
		for _, d := range t.Shape {
			k *= d
		}
		n += k
	}
	return n
}

// forwardFLOPs is the multiply-adds ×2 of one token's forward pass through the fast path at
// sequence length T: every projection, the LM head, and full T×T attention products (the fast
// path computes the masked upper triangle too).
func forwardFLOPs(c model.Config, T int) float64 {
	D, I, V, hd := c.HiddenSize, c.IntermediateSize, c.VocabSize, c.Dim()
	qd, kvd := c.NumAttentionHeads*hd, c.NumKeyValueHeads*hd
	perLayer := D*(qd+2*kvd) + qd*D + 3*D*I + 2*T*qd
	return 2 * float64(c.NumHiddenLayers*perLayer+D*V)
}
