package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ascent-rl/ascent/model"
)

// TestForwardMatchesReference compares the fast forward's log-probs and entropies with the model
// package's float64 reference forward (model.Params.Forward) on rows of different lengths.
func TestForwardMatchesReference(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  model.Config
	}{
		{"tiny", model.TinyConfig()},
		{"gqa tied llama", func() model.Config {
			c := model.TinyConfig()
			c.ModelType, c.AttentionBias, c.TieWordEmbeddings, c.NumKeyValueHeads, c.HiddenSize = "llama", false, true, 2, 64
			return c
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := model.NewRandom(tc.cfg, 3)
			B, T := 3, 16
			rng := rand.New(rand.NewPCG(5, 6))
			lens := []int{16, 9, 1}
			tokens, targets := make([]int32, B*T), make([]int32, B*T)
			for i := range tokens {
				tokens[i], targets[i] = int32(rng.IntN(tc.cfg.VocabSize)), int32(rng.IntN(tc.cfg.VocabSize))
			}
			net, ps := New(p), NewPass(tc.cfg, B, T)
			const temp = 0.7
			if err := net.Forward(ps, tokens, targets, temp); err != nil {
				t.Fatal(err)
			}
			for b, L := range lens {
				seq := make([]int, L)
				for i := range seq {
					seq[i] = int(tokens[b*T+i])
				}
				logits, err := p.Forward(seq)
				if err != nil {
					t.Fatal(err)
				}
				for i := range L {
					wantLp, wantH := stats64(logits[i], int(targets[b*T+i]), 1/temp)
					if d := math.Abs(float64(ps.logp[b*T+i]) - wantLp); d > 1e-4 {
						t.Fatalf("row %d position %d: log-prob %g, reference %g", b, i, ps.logp[b*T+i], wantLp)
					}
					if d := math.Abs(float64(ps.ent[b*T+i]) - wantH); d > 1e-4 {
						t.Fatalf("row %d position %d: entropy %g, reference %g", b, i, ps.ent[b*T+i], wantH)
					}
				}
			}
		})
	}
}

// stats64 is the tempered log-softmax of the target and the entropy, in float64.
func stats64(logits []float32, tok int, inv float64) (lp, h float64) {
	mx := math.Inf(-1)
	for _, v := range logits {
		mx = math.Max(mx, float64(v)*inv)
	}
	sum := 0.0
	for _, v := range logits {
		sum += math.Exp(float64(v)*inv - mx)
	}
	lse := mx + math.Log(sum)
	for _, v := range logits {
		l := float64(v)*inv - lse
		h -= math.Exp(l) * l
	}
	return float64(logits[tok])*inv - lse, h
}
