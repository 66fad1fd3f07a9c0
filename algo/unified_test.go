package algo

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
)

// sftBatch is a small batch of logits over a 4-token vocabulary with demonstration targets: two
// rows of three positions, the last position of row 1 padding.
var (
	sftLogits = [][][]float64{
		{{0.5, -1.0, 2.0, 0.1}, {1.5, 0.2, -0.3, 0.0}, {-0.7, 0.9, 0.4, 1.1}},
		{{0.0, 0.0, 0.0, 3.0}, {2.2, -2.0, 0.5, 0.3}, {0.3, 0.3, 0.3, 0.3}},
	}
	sftTargets = [][]int{{2, 1, 3}, {0, 0, 1}}
	sftMask    = [][]float64{{1, 1, 1}, {1, 1, 0}}
)

// plainSFTGrad is the gradient of plain SFT — token-mean cross-entropy against the one-hot
// demonstration distribution — with respect to the logits, by hand: (softmax(z) − onehot)/N on
// valid positions, 0 on padding.
func plainSFTGrad(weightByProb bool) [][][]float64 {
	n := 0.0
	for _, r := range sftMask {
		for _, m := range r {
			n += m
		}
	}
	out := make([][][]float64, len(sftLogits))
	for i, row := range sftLogits {
		out[i] = make([][]float64, len(row))
		for j, z := range row {
			out[i][j] = make([]float64, len(z))
			lse := logSumExp(z)
			py := math.Exp(z[sftTargets[i][j]] - lse)
			for v := range z {
				hot := 0.0
				if v == sftTargets[i][j] {
					hot = 1
				}
				g := (math.Exp(z[v]-lse) - hot) * sftMask[i][j] / n
				if weightByProb { // d(−π_y)/dz = π_y·(softmax − onehot): the π_ref ≡ 1 estimator
					g *= py
				}
				out[i][j][v] = g
			}
		}
	}
	return out
}

// TestUnifiedSFTIsTheEstimatorWithCurrentReferenceAndUnitAdvantage checks spec §7.2's first row:
// SFT is the unified estimator with π_ref = π_θ, Â = 1 and no stabiliser. Its gradient with respect
// to the logits must equal plain SFT's (cross-entropy against the one-hot target, by hand), as must
// the trainer's SFT loss (reinforce, token-mean, Â = 1), the on-policy ratio estimator at θ = θ_old
// with Â = 1, and HPT's SFT term on demonstration rows. The π_ref ≡ 1 estimator (LUFFY's off-policy
// reference) is not SFT: its gradient is π_y times SFT's, and the test checks that difference too.
func TestUnifiedSFTIsTheEstimatorWithCurrentReferenceAndUnitAdvantage(t *testing.T) {
	onehot := make([][][]float64, len(sftLogits))
	for i, row := range sftLogits {
		onehot[i] = make([][]float64, len(row))
		for j, z := range row {
			onehot[i][j] = make([]float64, len(z))
			onehot[i][j][sftTargets[i][j]] = 1
		}
	}
	reinforce, err := NewLoss(LossConfig{Name: "reinforce", Agg: Aggregation{Mode: TokenMean}})
	if err != nil {
		t.Fatal(err)
	}
	hpt, err := NewLoss(LossConfig{Name: "hpt", SFTCoef: 1, Agg: Aggregation{Mode: SeqMeanTokenSumNorm, ScaleFactor: 3}})
	if err != nil {
		t.Fatal(err)
	}
	tokenMean := func(k Kernel) func(in LossInputs) *Node {
		return func(in LossInputs) *Node {
			return Aggregate(k.Build(in.LogProb, in.OldLogProb, in.Advantages, in.Mask).Loss, in.Mask, Aggregation{Mode: TokenMean}, Counts{})
		}
	}
	cases := []struct {
		name   string
		loss   func(in LossInputs) *Node
		byProb bool // the expected gradient is π_y × SFT's
	}{
		{"kernel π_ref = π_θ, Â = 1", tokenMean(Kernel{Ref: RefCurrent, Stab: StabNone}), false},
		{"trainer SFT loss (reinforce, token-mean)", func(in LossInputs) *Node { return reinforce.Build(in).Loss }, false},
		{"ratio π_θ/π_θold at θ = θold, Â = 1, PPO clip", tokenMean(Kernel{Ref: RefOld, Stab: StabClip, ClipLow: 0.2, ClipHigh: 0.2}), false},
		{"HPT on demonstration rows", func(in LossInputs) *Node { return hpt.Build(in).Loss }, false},
		{"π_ref ≡ 1 is π_y × SFT, not SFT", tokenMean(Kernel{Ref: RefOne, Stab: StabNone}), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := runGraph(t, map[string]any{"logits": sftLogits, "onehot": onehot, "mask": sftMask},
				func(g *Graph, x map[string]*Node) map[string]*Node {
					logits := x["logits"]
					logp := ReduceSum(Mul(LogSoftmax(logits, -1), x["onehot"]), -1) // [B, T]
					in := LossInputs{LogProb: logp, OldLogProb: StopGradient(logp), Advantages: OnesLike(logp), Mask: x["mask"],
						Demo: OnesLike(ReduceSum(x["mask"], 1))}
					loss := c.loss(in)
					return map[string]*Node{"grad": Gradient(loss, logits)[0]}
				})
			if err != nil {
				t.Fatal(err)
			}
			want := plainSFTGrad(c.byProb)
			got := out["grad"].data
			k := 0
			for i := range want {
				for j := range want[i] {
					for v := range want[i][j] {
						// 1e-7 relative: the aggregations divide by Σ mask + 1e-8 (maskEps).
						if math.Abs(got[k]-want[i][j][v]) > 1e-7*math.Abs(want[i][j][v])+1e-15 {
							t.Errorf("d loss / d logit[%d][%d][%d] = %.15g, want %.15g", i, j, v, got[k], want[i][j][v])
						}
						k++
					}
				}
			}
		})
	}
	// The negative control differs from SFT: the check above would not pass for any estimator.
	sft, weighted := plainSFTGrad(false), plainSFTGrad(true)
	if math.Abs(sft[0][0][2]-weighted[0][0][2]) < 1e-3 {
		t.Fatalf("the π_ref ≡ 1 control is too close to SFT to tell them apart")
	}
}

// TestDecomposeEveryPreset reads the four parts off every preset's loss.
func TestDecomposeEveryPreset(t *testing.T) {
	for _, c := range Presets() {
		p, err := Decompose(c)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		if p.Stabiliser == "" || p.Reference == "" || p.Advantage == "" || p.Likelihood == "" {
			t.Errorf("%s: empty part in %+v", c.Name, p)
		}
	}
	want := map[string][2]string{
		"grpo":      {"PPO clip [1−0.2, 1+0.2], dual clip 3", "π_θold (token ratio)"},
		"cispo":     {"clipped IS weight [1−1, 1+0.28], stop-grad", "π_θold (token ratio)"},
		"gspo":      {"PPO clip [1−0.0003, 1+0.0004]", "π_θ·(π_θold(τ)/π_θ(τ))^{1/|τ|} (sequence ratio)"},
		"reinforce": {"none", "π_θ (∇ log π_θ)"},
	}
	for name, w := range want {
		c, err := Preset(name)
		if err != nil {
			continue // not every listed preset need exist
		}
		p, err := Decompose(c)
		if err != nil {
			t.Fatal(err)
		}
		if p.Stabiliser != w[0] || p.Reference != w[1] {
			t.Errorf("%s: stabiliser %q, reference %q; want %q, %q", name, p.Stabiliser, p.Reference, w[0], w[1])
		}
	}
}
