package algo

import (
	"encoding/json"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
)

func checkFlowRLCase(t *testing.T, c *vcase) {
	beta, eps := c.num("params", "beta"), c.num("params", "is_clip_eps")
	b := policyBatch(c)
	b.RefLogProb = c.mat("inputs", "ref_log_prob")
	b.LogZ = c.vec("inputs", "log_z")
	variants := []struct {
		key  string
		clip float64
	}{{"official_code_loss_unclipped_is", 0}, {"paper_loss_clipped_is", eps}}
	for _, v := range variants {
		l, err := NewLoss(LossConfig{Name: "flowrl", FlowBeta: beta, FlowISClip: v.clip})
		c.must(err)
		fl := l.(FlowRL)
		delta, wRaw, w, err := fl.TermsRef(b)
		c.must(err)
		c.nearVec("delta (reference)", delta, c.vec("expected", "delta"))
		c.nearVec("is_weight_unclipped (reference)", wRaw, c.vec("expected", "is_weight_unclipped"))
		if v.clip > 0 {
			c.nearVec("is_weight_clipped (reference)", w, c.vec("expected", "is_weight_clipped"))
		}
		out, err := runGraph(t, map[string]any{"lp": b.LogProb, "old": b.OldLogProb, "ref": b.RefLogProb, "a": b.Advantages,
			"m": b.Mask, "z": b.LogZ}, func(g *Graph, x map[string]*Node) map[string]*Node {
			d, wr, ww := fl.Terms(LossInputs{LogProb: x["lp"], OldLogProb: x["old"], RefLogProb: x["ref"], Advantages: x["a"], Mask: x["m"], LogZ: x["z"]})
			return map[string]*Node{"delta": d, "wraw": wr, "w": ww}
		})
		c.must(err)
		c.nearVec("delta (graph)", out["delta"].data, c.vec("expected", "delta"))
		c.nearVec("is_weight_unclipped (graph)", out["wraw"].data, c.vec("expected", "is_weight_unclipped"))
		if v.clip > 0 {
			c.nearVec("is_weight_clipped (graph)", out["w"].data, c.vec("expected", "is_weight_clipped"))
		}
		var want *struct {
			Loss        float64     `json:"loss"`
			GradLogProb [][]float64 `json:"grad_log_prob"`
			GradLogZ    []float64   `json:"grad_log_z"`
		}
		c.decode("expected", v.key, &want)
		if want == nil { // upstream cannot produce it for this β (the code hard-codes 15)
			continue
		}
		g, r := lossBoth(c, l, b, true)
		c.near(v.key+".loss (graph)", g["loss"].scalar(), want.Loss)
		c.near(v.key+".loss (reference)", r.Loss, want.Loss)
		c.nearMat(v.key+".grad_log_prob", g["grad_log_prob"].matrix(), want.GradLogProb)
		c.nearVec(v.key+".grad_log_z", g["grad_log_z"].data, want.GradLogZ)
	}
}

func checkHPTCase(t *testing.T, c *vcase) {
	switch c.Kind {
	case "route":
		checkHPTRoute(t, c)
	case "loss":
		checkHPTLoss(t, c)
	default:
		t.Fatalf("hpt case kind %q: want route or loss", c.Kind)
	}
}

func checkHPTRoute(t *testing.T, c *vcase) {
	c.doc("setting")
	gate, gateOff, n := int(c.num("params", "switch_gate")), int(c.num("params", "switch_gate_off")), int(c.num("params", "n_rollouts"))
	var nc []int
	c.decode("inputs", "n_correct", &nc)
	var want map[string]string
	c.decode("expected", "route_by_n_correct", &want)
	if len(want) != len(nc) {
		t.Errorf("route_by_n_correct has %d entries for %d n_correct values", len(want), len(nc))
	}
	for _, k := range nc {
		r, err := HPTRoute(k, n, gate, gateOff)
		c.must(err)
		if w := want[itoa(k)]; string(r) != w {
			t.Errorf("n_correct %d: route %s, want %s", k, r, w)
		}
	}
}

func checkHPTLoss(t *testing.T, c *vcase) {
	if c.has("params", "loss_remove_clip") {
		var noClip bool
		c.decode("params", "loss_remove_clip", &noClip)
		if !noClip {
			t.Fatalf("loss_remove_clip = false is not modelled (HPT's released configs remove the clip)")
		}
	}
	agg := Aggregation{Mode: TokenMean}
	if c.has("params", "loss_remove_token_mean") {
		var rm bool
		c.decode("params", "loss_remove_token_mean", &rm)
		if rm {
			agg = Aggregation{Mode: SeqMeanTokenSumNorm}
		}
	}
	if c.has("params", "T_max") {
		agg.ScaleFactor = c.num("params", "T_max")
	}
	useStd := false
	if c.has("params", "grpo_use_std") {
		c.decode("params", "grpo_use_std", &useStd)
	}
	pg, err := NewLoss(LossConfig{Name: "hpt", SFTCoef: c.num("params", "sft_loss_coef"), Agg: agg})
	c.must(err)
	actor, err := NewActor(pg, c.num("params", "entropy_coeff"), 0, "", Aggregation{Mode: TokenMean})
	c.must(err)
	b := BatchRef{LogProb: c.mat("inputs", "log_prob"), Mask: c.mat("inputs", "response_mask")}
	var isDemo []bool
	c.decode("inputs", "is_demonstration", &isDemo)
	b.Demo = make([]float64, len(isDemo))
	for i, d := range isDemo {
		if d {
			b.Demo[i] = 1
		}
	}
	if c.has("inputs", "token_entropy") {
		b.Entropy = c.mat("inputs", "token_entropy")
	}
	if c.has("inputs", "old_log_prob") {
		b.OldLogProb = c.mat("inputs", "old_log_prob")
		b.Advantages = hptAdvantages(c, b, isDemo, useStd)
	}
	g, r := lossBoth(c, actor, b, true)
	c.near("total_loss (graph)", g["loss"].scalar(), c.num("expected", "total_loss"))
	c.near("total_loss (reference)", r.Loss, c.num("expected", "total_loss"))
	expectMetric(c, g, r, MetricSFTLoss, "sft_loss")
	if c.has("expected", "pg_loss") {
		expectMetric(c, g, r, MetricPGLoss, "pg_loss")
	}
	if c.has("expected", "entropy_mean") {
		expectMetric(c, g, r, MetricEntropy, "entropy_mean")
	}
	expectGrad(c, g, "grad_log_prob")
}

// hptAdvantages computes the rollout rows' advantages with the estimator HPT uses ("hpt" = mean
// only, or "grpo" with std) from on_policy_rewards placed at each row's last valid token, all rows
// in one prompt group, and checks on_policy_advantage.
func hptAdvantages(c *vcase, b BatchRef, isDemo []bool, useStd bool) [][]float64 {
	rewards := c.vec("inputs", "on_policy_rewards")
	nb, nt := len(b.Mask), len(b.Mask[0])
	tr := newMatrix(nb, nt)
	group := make([]string, nb)
	k := 0
	for i := 0; i < nb; i++ {
		group[i] = "q"
		if isDemo[i] {
			continue
		}
		if k >= len(rewards) {
			c.t.Fatalf("on_policy_rewards has %d entries, fewer than the rollout rows", len(rewards))
		}
		last := -1
		for j := 0; j < nt; j++ {
			if b.Mask[i][j] > 0 {
				last = j
			}
		}
		tr[i][max(last, 0)] = rewards[k]
		k++
	}
	name := "hpt"
	if useStd {
		name = "grpo"
	}
	est, err := NewAdvantage(AdvantageConfig{Estimator: name, Epsilon: 1e-6, NormByStd: useStd})
	c.must(err)
	out, err := est.Compute(AdvantageInputs{TokenRewards: tr, Mask: b.Mask, Group: group, Demo: isDemo})
	c.must(err)
	if c.has("expected", "on_policy_advantage") {
		var on [][]float64
		for i := range out.Advantages {
			if !isDemo[i] {
				on = append(on, out.Advantages[i])
			}
		}
		c.nearMat("on_policy_advantage", on, c.mat("expected", "on_policy_advantage"))
	}
	return out.Advantages
}

// itoa formats a small int.
func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
