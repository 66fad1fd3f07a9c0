package algo

import (
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
)

// lossBoth evaluates l on b through the graph and the plain-Go reference and returns both.
func lossBoth(c *vcase, l Loss, b BatchRef, grad bool) (map[string]flat, RefResult) {
	c.t.Helper()
	g, err := lossGraphGrad(c.t, l, b, grad)
	c.must(err)
	r, err := l.(Reference).Reference(b)
	c.must(err)
	return g, r
}

// expectMetric checks metric name against expected key in both graph and reference results.
func expectMetric(c *vcase, g map[string]flat, r RefResult, metric, key string) {
	c.t.Helper()
	want := c.num("expected", key)
	got, ok := g[metric]
	if !ok {
		c.t.Errorf("graph output has no metric %s", metric)
		return
	}
	c.near(key+" (graph "+metric+")", got.scalar(), want)
	c.near(key+" (reference "+metric+")", r.Metrics[metric], want)
}

// expectGrad checks d loss / d log_prob against expected key.
func expectGrad(c *vcase, g map[string]flat, key string) {
	c.t.Helper()
	c.nearMat(key, g["grad_log_prob"].matrix(), c.mat("expected", key))
}

func checkAggCase(t *testing.T, c *vcase) {
	if c.has("params", "dp_size") && c.num("params", "dp_size") != 1 {
		t.Fatalf("dp_size != 1 is not modelled (Ascent is single-process)")
	}
	a := c.aggParam()
	loss, mask := c.mat("inputs", "loss_mat"), c.mat("inputs", "loss_mask")
	want := c.num("expected", "loss")
	ref, err := AggregateRef(loss, mask, a)
	c.must(err)
	c.near("loss (reference)", ref, want)
	out, err := runGraph(t, map[string]any{"l": loss, "m": mask}, func(g *Graph, x map[string]*Node) map[string]*Node {
		return map[string]*Node{"loss": Aggregate(x["l"], x["m"], a, Counts{})}
	})
	c.must(err)
	c.near("loss (graph)", out["loss"].scalar(), want)
}

// policyBatch reads the common policy-loss inputs.
func policyBatch(c *vcase) BatchRef {
	return BatchRef{LogProb: c.mat("inputs", "log_prob"), OldLogProb: c.mat("inputs", "old_log_prob"),
		Advantages: c.mat("inputs", "advantages"), Mask: c.mat("inputs", "response_mask")}
}

func checkPPOCase(t *testing.T, c *vcase) {
	c.doc("clip_ratio") // verl's legacy symmetric value; clip_ratio_low/high take precedence
	cfg := LossConfig{Name: "vanilla", ClipLow: c.num("params", "clip_ratio_low"), ClipHigh: c.num("params", "clip_ratio_high"),
		ClipC: c.num("params", "clip_ratio_c"), Agg: c.aggParam()}
	l, err := NewLoss(cfg)
	c.must(err)
	b := policyBatch(c)
	g, r := lossBoth(c, l, b, true)
	c.near("pg_loss (graph)", g["loss"].scalar(), c.num("expected", "pg_loss"))
	c.near("pg_loss (reference)", r.Loss, c.num("expected", "pg_loss"))
	expectMetric(c, g, r, MetricPGClipFrac, "pg_clipfrac")
	expectMetric(c, g, r, MetricPGClipFracLower, "pg_clipfrac_lower")
	expectMetric(c, g, r, MetricPPOKL, "ppo_kl")
	expectGrad(c, g, "grad_log_prob")

	k := l.(KernelLoss).Kernel
	kr, err := k.Forward(b.LogProb, b.OldLogProb, b.Advantages, b.Mask)
	c.must(err)
	out, err := runGraph(t, map[string]any{"lp": b.LogProb, "old": b.OldLogProb, "a": b.Advantages, "m": b.Mask},
		func(g *Graph, x map[string]*Node) map[string]*Node {
			kt := k.Build(x["lp"], x["old"], x["a"], x["m"])
			return map[string]*Node{"ratio": kt.Ratio, "loss": Mul(kt.Loss, x["m"])}
		})
	c.must(err)
	wantRatio, wantLoss := c.mat("expected", "ratio"), c.mat("expected", "per_token_loss")
	c.nearMat("ratio (graph)", out["ratio"].matrix(), wantRatio)
	c.nearMat("ratio (reference)", kr.Ratio, wantRatio)
	c.nearMat("per_token_loss (graph)", out["loss"].matrix(), wantLoss)
	masked := newMatrix(len(b.Mask), len(b.Mask[0]))
	for i := range masked {
		for j := range masked[i] {
			masked[i][j] = kr.Loss[i][j] * b.Mask[i][j]
		}
	}
	c.nearMat("per_token_loss (reference)", masked, wantLoss)
}

func checkKLCase(t *testing.T, c *vcase) {
	var name string
	c.decode("params", "kl_penalty", &name)
	kind, err := ParseKLType(name)
	c.must(err)
	lp, ref := c.mat("inputs", "log_prob"), c.mat("inputs", "ref_log_prob")
	want := c.mat("expected", "kl")
	got, err := KLPenaltyRef(kind, lp, ref)
	c.must(err)
	c.nearMat("kl (reference)", got, want)
	out, err := runGraph(t, map[string]any{"lp": lp, "ref": ref}, func(g *Graph, x map[string]*Node) map[string]*Node {
		kl := KLPenalty(kind, x["lp"], x["ref"])
		return map[string]*Node{"kl": kl, "grad": Gradient(ReduceAllSum(kl), x["lp"])[0]}
	})
	c.must(err)
	c.nearMat("kl (graph)", out["kl"].matrix(), want)
	c.nearMat("grad_log_prob_of_sum", out["grad"].matrix(), c.mat("expected", "grad_log_prob_of_sum"))
}

func checkValueCase(t *testing.T, c *vcase) {
	l, err := NewValueLoss(c.num("params", "cliprange_value"), c.aggParam())
	c.must(err)
	v := c.mat("inputs", "vpreds")
	b := BatchRef{LogProb: newMatrix(len(v), len(v[0])), Values: v, OldValues: c.mat("inputs", "values"),
		Returns: c.mat("inputs", "returns"), Mask: c.mat("inputs", "response_mask")}
	g, r := lossBoth(c, l, b, false)
	expectMetric(c, g, r, MetricVFLoss, "vf_loss")
	expectMetric(c, g, r, MetricVFClipFrac, "vf_clipfrac")
	c.near("loss (graph) equals vf_loss", g["loss"].scalar(), g[MetricVFLoss].scalar())
}

// selection runs a Select graph (cov, count, selected) for a cov-based loss.
func selection(c *vcase, b BatchRef, sel func(in LossInputs) (cov, n, s *Node)) (cov [][]float64, n float64, s [][]float64) {
	out, err := runGraph(c.t, map[string]any{"lp": b.LogProb, "old": b.OldLogProb, "a": b.Advantages, "m": b.Mask},
		func(g *Graph, x map[string]*Node) map[string]*Node {
			cv, k, st := sel(LossInputs{LogProb: x["lp"], OldLogProb: x["old"], Advantages: x["a"], Mask: x["m"]})
			return map[string]*Node{"cov": cv, "n": k, "sel": st}
		})
	c.must(err)
	return out["cov"].matrix(), out["n"].scalar(), out["sel"].matrix()
}

func checkClipCovCase(t *testing.T, c *vcase) {
	cfg := LossConfig{Name: "clip_cov", ClipLow: c.num("params", "clip_ratio_low"), ClipHigh: c.num("params", "clip_ratio_high"),
		ClipCovRatio: c.num("params", "clip_cov_ratio"), ClipCovLB: c.num("params", "clip_cov_lb"),
		ClipCovUB: c.num("params", "clip_cov_ub"), Agg: c.aggParam()}
	l, err := NewLoss(cfg)
	c.must(err)
	b := policyBatch(c)
	cc := l.(ClipCov)
	cov, n, sel := selection(c, b, cc.Select)
	rcov, rn, rsel, err := cc.SelectRef(b)
	c.must(err)
	c.nearMat("cov (graph)", cov, c.mat("expected", "cov"))
	c.nearMat("cov (reference)", rcov, c.mat("expected", "cov"))
	c.near("n_clip (graph)", n, c.num("expected", "n_clip"))
	c.near("n_clip (reference)", float64(rn), c.num("expected", "n_clip"))
	c.nearMat("selected_mask (graph)", sel, c.mat("expected", "selected_mask"))
	c.nearMat("selected_mask (reference)", rsel, c.mat("expected", "selected_mask"))
	g, r := lossBoth(c, l, b, true)
	c.near("pg_loss (graph)", g["loss"].scalar(), c.num("expected", "pg_loss"))
	c.near("pg_loss (reference)", r.Loss, c.num("expected", "pg_loss"))
	expectMetric(c, g, r, MetricPGClipFrac, "pg_clipfrac")
	expectMetric(c, g, r, MetricPPOKL, "ppo_kl")
	expectGrad(c, g, "grad_log_prob")
}

func checkKLCovCase(t *testing.T, c *vcase) {
	ratio := c.num("params", "kl_cov_ratio")
	if pct := c.num("params", "equivalent_original_k_percent"); pct != 100*ratio && !(absDiff(pct, 100*ratio) < 1e-9) {
		t.Errorf("equivalent_original_k_percent %v is not 100 × kl_cov_ratio %v", pct, ratio)
	}
	l, err := NewLoss(LossConfig{Name: "kl_cov", KLCovRatio: ratio, KLCovCoef: c.num("params", "ppo_kl_coef"), Agg: c.aggParam()})
	c.must(err)
	b := policyBatch(c)
	kc := l.(KLCov)
	cov, k, sel := selection(c, b, kc.Select)
	rcov, rk, rsel, err := kc.SelectRef(b)
	c.must(err)
	c.nearMat("cov (graph)", cov, c.mat("expected", "cov"))
	c.nearMat("cov (reference)", rcov, c.mat("expected", "cov"))
	c.near("k (graph)", k, c.num("expected", "k"))
	c.near("k (reference)", float64(rk), c.num("expected", "k"))
	c.nearMat("selected_mask (graph)", sel, c.mat("expected", "selected_mask"))
	c.nearMat("selected_mask (reference)", rsel, c.mat("expected", "selected_mask"))
	g, r := lossBoth(c, l, b, true)
	c.near("pg_loss (graph)", g["loss"].scalar(), c.num("expected", "pg_loss"))
	c.near("pg_loss (reference)", r.Loss, c.num("expected", "pg_loss"))
	expectMetric(c, g, r, MetricPPOKL, "ppo_kl_abs")
	expectGrad(c, g, "grad_log_prob")
}

func absDiff(a, b float64) float64 {
	if a > b {
		return a - b
	}
	return b - a
}
