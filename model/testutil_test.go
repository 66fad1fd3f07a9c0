package model

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// scrambled returns random weights at realistic scales (unlike NewRandom's 0.02, which makes
// logits nearly uniform): embeddings N(0,1), matrices N(0, 1/in), biases N(0, 0.1²), norms
// 1 + N(0, 0.1²), so that parity tests exercise attention and the MLP with O(1) activations.
func scrambled(cfg Config, seed uint64) *Params {
	p := NewRandom(cfg, seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	for name, t := range p.Named() {
		std := 1.0
		mean := 0.0
		switch {
		case strings.HasSuffix(name, "norm.weight"):
			std, mean = 0.1, 1
		case strings.HasSuffix(name, ".bias"):
			std = 0.1
		case name == "model.embed_tokens.weight":
		default:
			std = 1 / math.Sqrt(float64(t.Shape[1]))
		}
		for i := range t.Data {
			t.Data[i] = float32(mean + std*rng.NormFloat64())
		}
	}
	return p
}

// maxRelDiff returns max |a-b| over the logits divided by max(1, max |b|).
func maxRelDiff(t *testing.T, a, b []float32) float64 {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("lengths %d and %d differ", len(a), len(b))
	}
	scale, diff := 1.0, 0.0
	for i := range a {
		scale = math.Max(scale, math.Abs(float64(b[i])))
		diff = math.Max(diff, math.Abs(float64(a[i])-float64(b[i])))
	}
	return diff / scale
}

func randomTokens(rng *rand.Rand, n, vocab int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = rng.IntN(vocab)
	}
	return out
}
