package algo

import (
	"math"
	"sort"
	"strings"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
)

func TestAllEqualGroupsGiveZeroAdvantage(t *testing.T) {
	rewards := [][]float64{{0, 1}, {1, 0}, {0, 1}, {-1, 0}, {0, -1}, {0, 7}}
	mask := [][]float64{{1, 1}, {1, 0}, {1, 1}, {1, 0}, {1, 1}, {1, 1}}
	group := []string{"a", "a", "a", "b", "b", "c"} // a: all 1, b: all −1, c: singleton
	for _, cfg := range []AdvantageConfig{
		{Estimator: "grpo", Epsilon: 1e-6, NormByStd: true},
		{Estimator: "grpo", Epsilon: 1e-6},
		{Estimator: "drgrpo"},
		{Estimator: "hpt"},
		{Estimator: "rloo"},
		{Estimator: "reinforce_pp_baseline"},
	} {
		t.Run(cfg.Estimator, func(t *testing.T) {
			e, err := NewAdvantage(cfg)
			if err != nil {
				t.Fatal(err)
			}
			out, err := e.Compute(AdvantageInputs{TokenRewards: rewards[:5], Mask: mask[:5], Group: group[:5]})
			if err != nil {
				t.Fatal(err)
			}
			for i, row := range out.Advantages {
				for j, v := range row {
					if v != 0 {
						t.Errorf("advantage[%d][%d] = %v, want exactly 0 for an all-equal group", i, j, v)
					}
				}
			}
		})
	}
}

func TestClippedTokensGetZeroGradient(t *testing.T) {
	b := randomBatch(5, 5, 6)
	for _, cfg := range []LossConfig{
		{Name: "vanilla", ClipLow: 0.2, ClipHigh: 0.28, ClipC: 3, Agg: Aggregation{Mode: TokenMean}},
		{Name: "vanilla", ClipLow: 0.1, ClipHigh: 0.1, ClipC: 1.5, Agg: Aggregation{Mode: SeqMeanTokenMean}},
	} {
		l, err := NewLoss(cfg)
		if err != nil {
			t.Fatal(err)
		}
		g, err := lossGraph(t, l, b)
		if err != nil {
			t.Fatal(err)
		}
		kt, err := l.(KernelLoss).Kernel.Forward(b.LogProb, b.OldLogProb, b.Advantages, b.Mask)
		if err != nil {
			t.Fatal(err)
		}
		grad := g["grad_log_prob"].matrix()
		clipped, free := 0, 0
		for i := range grad {
			for j := range grad[i] {
				if b.Mask[i][j] == 0 {
					continue
				}
				// A token is stopped when its loss is a clipped constant: the clip band was left in
				// the direction that would increase the objective, or the dual clip capped it.
				cl := kt.Clipped[i][j] == 1 || kt.DualClipped[i][j] == 1
				if cl {
					clipped++
					if grad[i][j] != 0 {
						t.Errorf("%s %s: clipped token [%d][%d] has gradient %v", cfg.Name, cfg.Agg.Mode, i, j, grad[i][j])
					}
				} else if grad[i][j] != 0 {
					free++
				}
			}
		}
		if clipped == 0 || free == 0 {
			t.Fatalf("test batch has %d clipped and %d unclipped tokens; want both", clipped, free)
		}
	}
}

// TestAggregationInvariantToMicroBatchSplit splits a mini-batch into micro-batches, passes the
// whole-mini-batch TokenCount/SeqCount/MicroFraction/DemoTokenCount, sums loss, gradients and metrics,
// and compares them with the single-micro-batch values. Clip-Cov and KL-Cov select tokens per
// micro-batch by design (as upstream), so they run with a band that selects nothing (Clip-Cov) or
// are excluded (KL-Cov always penalises ≥ 1 token per micro-batch).
func TestAggregationInvariantToMicroBatchSplit(t *testing.T) {
	b := randomBatch(11, 6, 5)
	b.Mask[4] = []float64{0, 0, 0, 0, 0} // an empty row must not count as a sequence
	subjects := paritySubjects(t)
	clipCov, err := NewLoss(LossConfig{Name: "clip_cov", ClipLow: 0.2, ClipHigh: 0.2, ClipCovRatio: 0.1, ClipCovLB: 50, ClipCovUB: 60,
		Agg: Aggregation{Mode: SeqMeanTokenSum}})
	if err != nil {
		t.Fatal(err)
	}
	subjects["clip_cov empty band"] = clipCov
	names := make([]string, 0, len(subjects))
	for n := range subjects {
		if !strings.Contains(n, "kl_cov") && !strings.Contains(n, "clip_cov") || n == "clip_cov empty band" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	whole := miniCounts{Fraction: 1}
	for i := range b.Mask {
		row := 0.0
		for _, m := range b.Mask[i] {
			whole.Tokens += m
			row += m
			whole.DemoTokens += m * b.Demo[i]
		}
		if row > 0 {
			whole.Seqs++
		}
	}
	splits := [][2]int{{0, 2}, {2, 3}, {3, 6}}
	for _, name := range names {
		l := subjects[name]
		t.Run(name, func(t *testing.T) {
			full, err := lossGraphMicro(t, l, b, true, &whole)
			if err != nil {
				t.Fatal(err)
			}
			sums := map[string]float64{}
			var grad [][]float64
			for _, s := range splits {
				mc := whole
				mc.Fraction = float64(s[1]-s[0]) / float64(len(b.Mask))
				part, err := lossGraphMicro(t, l, sliceBatch(b, s[0], s[1]), true, &mc)
				if err != nil {
					t.Fatal(err)
				}
				for k, v := range part {
					if k == "grad_log_prob" {
						grad = append(grad, v.matrix()...)
					} else if len(v.data) == 1 {
						sums[k] += v.scalar()
					}
				}
			}
			for k, v := range full {
				if k == "grad_log_prob" || len(v.data) != 1 {
					continue
				}
				if math.Abs(sums[k]-v.scalar()) > 1e-9 {
					t.Errorf("%s: Σ micro-batches %.12g, whole %.12g", k, sums[k], v.scalar())
				}
			}
			fg := full["grad_log_prob"].matrix()
			for i := range fg {
				for j := range fg[i] {
					if math.Abs(fg[i][j]-grad[i][j]) > 1e-9 {
						t.Errorf("grad[%d][%d]: split %.12g, whole %.12g", i, j, grad[i][j], fg[i][j])
					}
				}
			}
		})
	}
}

// sliceBatch returns rows [lo, hi) of b.
func sliceBatch(b BatchRef, lo, hi int) BatchRef {
	m := func(x [][]float64) [][]float64 {
		if x == nil {
			return nil
		}
		return x[lo:hi]
	}
	v := func(x []float64) []float64 {
		if x == nil {
			return nil
		}
		return x[lo:hi]
	}
	return BatchRef{LogProb: m(b.LogProb), OldLogProb: m(b.OldLogProb), RefLogProb: m(b.RefLogProb), Advantages: m(b.Advantages),
		Mask: m(b.Mask), Entropy: m(b.Entropy), Values: m(b.Values), OldValues: m(b.OldValues), Returns: m(b.Returns),
		Noise: m(b.Noise), LogZ: v(b.LogZ), Demo: v(b.Demo)}
}

// TestBadInputsReturnErrorsNamingTheArgument: every plain-Go entry point rejects bad input with an
// error that names the argument, and never panics.
func TestBadInputsReturnErrorsNamingTheArgument(t *testing.T) {
	good := randomBatch(2, 3, 4)
	vanilla, _ := NewLoss(LossConfig{Name: "vanilla", ClipLow: 0.2, ClipHigh: 0.2, Agg: Aggregation{Mode: TokenMean}})
	grpo, _ := NewAdvantage(AdvantageConfig{Estimator: "grpo", Epsilon: 1e-6, NormByStd: true})
	ragged := good
	ragged.OldLogProb = [][]float64{{0, 0, 0, 0}, {0, 0}, {0, 0, 0, 0}}
	empty := good
	empty.Mask = newMatrix(3, 4)
	nanAdv := good
	nanAdv.Advantages = [][]float64{{math.NaN(), 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}}
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"a ragged old_log_prob is rejected", func() error { _, err := vanilla.(Reference).Reference(ragged); return err }, "old_log_prob"},
		{"an all-zero mask is rejected", func() error { _, err := vanilla.(Reference).Reference(empty); return err }, "mask"},
		{"a NaN advantage is rejected", func() error { _, err := vanilla.(Reference).Reference(nanAdv); return err }, "advantages[0][0]"},
		{"a NaN reward is rejected", func() error {
			_, err := grpo.Compute(AdvantageInputs{TokenRewards: [][]float64{{math.NaN()}, {1}}, Mask: [][]float64{{1}, {1}}, Group: []string{"a", "a"}})
			return err
		}, "token_rewards[0][0]"},
		{"a short group list is rejected", func() error {
			_, err := grpo.Compute(AdvantageInputs{TokenRewards: [][]float64{{0}, {1}}, Mask: [][]float64{{1}, {1}}, Group: []string{"a"}})
			return err
		}, "group"},
		{"mismatched loss and mask are rejected", func() error {
			_, err := AggregateRef([][]float64{{1, 2}}, [][]float64{{1}}, Aggregation{Mode: TokenMean})
			return err
		}, "mask"},
		{"an unknown aggregation is rejected", func() error { return Aggregation{Mode: "mean"}.Validate() }, "token-mean"},
		{"an unknown preset lists the valid ones", func() error { _, err := Preset("ppo2"); return err }, "justrl"},
		{"an unknown loss lists the valid ones", func() error { _, err := NewLoss(LossConfig{Name: "dpo"}); return err }, "clip_cov"},
		{"an unknown estimator lists the valid ones", func() error { _, err := Lookup("vtrace"); return err }, "rloo"},
		{"an unknown KL estimator lists the valid ones", func() error { _, err := ParseKLType("k4"); return err }, "k3"},
		{"a percent KL-Cov ratio is rejected", func() error {
			_, err := NewLoss(LossConfig{Name: "kl_cov", KLCovRatio: 20, KLCovCoef: 1, Agg: Aggregation{Mode: TokenMean}})
			return err
		}, "kl_cov_ratio"},
		{"first-n beyond the votes is rejected", func() error { _, err := FirstN([]float64{1, 0}, 3); return err }, "n = 3"},
		{"n_correct above n is rejected", func() error { _, err := HPTRoute(9, 8, 0, 0); return err }, "n_correct"},
		{"a zero overlong buffer is rejected", func() error { _, err := OverlongPenalty(10, 100, 0, 1); return err }, "overlong_buffer_len"},
		{"GAE without values is rejected", func() error {
			_, err := (GAE{Gamma: 1, Lambda: 1}).Compute(AdvantageInputs{TokenRewards: [][]float64{{1}}, Mask: [][]float64{{1}}})
			return err
		}, "values"},
		{"a one-token batch cannot be whitened", func() error {
			_, err := (GAE{Gamma: 1, Lambda: 1}).Compute(AdvantageInputs{TokenRewards: [][]float64{{1}}, Mask: [][]float64{{1}}, Values: [][]float64{{0}}})
			return err
		}, "whiten"},
		{"entropy step with mismatched advantages is rejected", func() error { _, err := EntropyStep([]float64{1, 2}, []float64{1}, 0.1, NaturalPG); return err }, "advantages"},
		{"a graph loss with a wrong-shaped mask fails without crashing", func() error {
			_, err := runGraph(t, map[string]any{"lp": good.LogProb, "m": [][]float64{{1, 1}}}, func(g *Graph, x map[string]*Node) map[string]*Node {
				return map[string]*Node{"l": vanilla.Build(LossInputs{LogProb: x["lp"], Mask: x["m"], OldLogProb: x["lp"], Advantages: x["lp"]}).Loss}
			})
			return err
		}, "Mask"},
		{"a graph loss without its required LogZ fails without crashing", func() error {
			fl, _ := NewLoss(LossConfig{Name: "flowrl", FlowBeta: 15})
			_, err := runGraph(t, map[string]any{"lp": good.LogProb, "m": good.Mask}, func(g *Graph, x map[string]*Node) map[string]*Node {
				return map[string]*Node{"l": fl.Build(LossInputs{LogProb: x["lp"], Mask: x["m"], OldLogProb: x["lp"], Advantages: x["lp"], RefLogProb: x["lp"]}).Loss}
			})
			return err
		}, "LogZ"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if err == nil {
				t.Fatalf("no error; want one mentioning %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestMajorityVoteHandlesNoAnswersAndEquivalence(t *testing.T) {
	v := MajorityVote([]string{"", "", ""}, nil)
	if v.HasLabel || v.Count != 0 || len(v.Rewards) != 3 {
		t.Errorf("all-unparseable vote = %+v, want no label and three zero rewards", v)
	}
	half := func(a, b string) bool { return a == b || (a == "1/2" && b == "0.5") || (a == "0.5" && b == "1/2") }
	v = MajorityVote([]string{"3", "0.5", "1/2", "3", "", "1/2"}, half)
	if v.Label != "0.5" || v.Count != 3 || v.Ratio != 0.5 {
		t.Errorf("vote with equivalent spellings = %+v, want label 0.5 counted 3 times (ratio 0.5)", v)
	}
}

func TestEveryRequiredPresetExistsAndValidates(t *testing.T) {
	want := []string{"ppo", "grpo", "dapo", "justrl", "clip_cov", "kl_cov", "flowrl", "ttrl", "hpt", "gspo", "cispo", "p1", "tools"}
	for _, n := range want {
		p, err := Preset(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("preset %s: %v", n, err)
		}
		if p.Name != n || p.Paper == "" || p.Summary == "" {
			t.Errorf("preset %s: name %q, paper %q, summary %q", n, p.Name, p.Paper, p.Summary)
		}
	}
	if got := len(PresetNames()); got != len(want) {
		t.Errorf("%d presets registered, want %d", got, len(want))
	}
	if _, err := (Config{Name: "x", Loss: LossConfig{Name: "vanilla"}}).NewValueLoss(); err == nil {
		t.Error("a critic-free preset built a value loss")
	}
}

// TestDemonstrationRowsIgnorePlaceholderOldLogProbs: HPT and LUFFY must not turn a garbage old
// log-prob on a demonstration row (where it has no meaning) into NaN.
func TestDemonstrationRowsIgnorePlaceholderOldLogProbs(t *testing.T) {
	b := randomBatch(4, 4, 5)
	for j := range b.OldLogProb[0] {
		b.OldLogProb[0][j] = -1e6 // row 0 is a demonstration: exp(logp − old) would overflow
	}
	for _, cfg := range []LossConfig{
		{Name: "hpt", SFTCoef: 1, Agg: Aggregation{Mode: SeqMeanTokenSumNorm}},
		{Name: "luffy", ClipLow: 0.2, ClipHigh: 0.2, ShapeGamma: 0.1, Agg: Aggregation{Mode: TokenMean}},
	} {
		l, err := NewLoss(cfg)
		if err != nil {
			t.Fatal(err)
		}
		g, err := lossGraph(t, l, b)
		if err != nil {
			t.Fatal(err)
		}
		r, err := l.(Reference).Reference(b)
		if err != nil {
			t.Fatal(err)
		}
		if v := g["loss"].scalar(); math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v-r.Loss) > 1e-9 {
			t.Errorf("%s: graph loss %v, reference %v", cfg.Name, v, r.Loss)
		}
		for _, v := range g["grad_log_prob"].data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%s: non-finite gradient %v", cfg.Name, v)
			}
		}
	}
}
