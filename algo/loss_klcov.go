package algo

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/core/graph"
)

// KL-Cov (Cui et al., arXiv 2505.22617; verl compute_policy_loss_kl_cov, spec §4.5). Unified view:
// π_ref = π_θold with no clipping at all, plus a penalty β·|logp − old| on the top k·N tokens by
// covariance Cov_i (spec §4.3) — the tokens whose updates lower entropy most:
//
//	ℓ_t = −Â·ρ + β·|logp − old|·1[t ∈ top-k],   k = max(1, ⌊ratio·N_valid⌋)
//
// Units: Ratio is a fraction like verl's kl_cov_ratio (the original repo's k_percent is 100×).
// actor/ppo_kl is the masked mean of |logp − old| as in verl. Ties are broken by row-major position.

func init() { RegisterLoss("kl_cov", NewKLCov) }

// KLCov is the KL-Cov policy loss.
type KLCov struct {
	// Ratio is the fraction of valid tokens to penalise (2e-3 for 7B, 2e-4 for 32B).
	Ratio float64
	// Coef is β (paper 1).
	Coef float64
	// Agg aggregates the per-token loss.
	Agg Aggregation
}

// NewKLCov builds KL-Cov from cfg.KLCovRatio, KLCovCoef and Agg.
func NewKLCov(cfg LossConfig) (Loss, error) {
	l := KLCov{Ratio: cfg.KLCovRatio, Coef: cfg.KLCovCoef, Agg: cfg.Agg}
	if !(l.Ratio > 0 && l.Ratio <= 1) {
		return nil, fmt.Errorf("kl_cov_ratio %v: want a fraction in (0, 1] (paper 2e-3 / 2e-4; not a percent)", l.Ratio)
	}
	if l.Coef < 0 || math.IsNaN(l.Coef) {
		return nil, fmt.Errorf("kl_cov_coef %v: want ≥ 0 (paper 1)", l.Coef)
	}
	if err := l.Agg.Validate(); err != nil {
		return nil, err
	}
	return l, nil
}

// Name implements Loss.
func (KLCov) Name() string { return "kl_cov" }

// Requirements implements Loss.
func (KLCov) Requirements() Requirements { return Requirements{} }

// Select returns the covariance [B, T], k (float64 scalar) and the penalised tokens [B, T] (Bool).
func (l KLCov) Select(in LossInputs) (cov, k, selected *Node) {
	cov = TokenCovariance(in.LogProb, in.Advantages, in.Mask)
	k = selectCount(in.Mask, l.Ratio)
	return cov, k, selectTop(cov, validOf(in.Mask), k)
}

// Build implements Loss: actor/pg_loss, actor/ppo_kl (|logp − old|), actor/cov_selected_frac.
func (l KLCov) Build(in LossInputs) LossOutput {
	mustCheck(in, l.Requirements(), "OldLogProb", "Advantages")
	d := Sub(in.LogProb, in.OldLogProb)
	base := Mul(Neg(in.Advantages), Exp(d))
	absd := absSubgrad(d)
	_, _, sel := l.Select(in)
	per := Where(sel, Add(base, MulScalar(absd, l.Coef)), base)
	pg := Aggregate(per, in.Mask, l.Agg, countsOf(in))
	c := countsOf(in)
	return LossOutput{Loss: pg, Metrics: map[string]*Node{
		MetricPGLoss:      pg,
		MetricPPOKL:       tokenMetric(absd, in.Mask, c),
		MetricCovSelected: tokenMetric(boolToFloat(sel, in.Mask), in.Mask, c),
	}}
}

// SelectRef is the plain-Go reference of Select.
func (l KLCov) SelectRef(b BatchRef) (cov [][]float64, k int, selected [][]float64, err error) {
	nb, nt, err := checkBatch(b, "old_log_prob", "advantages")
	if err != nil {
		return nil, 0, nil, fmt.Errorf("kl_cov: %w", err)
	}
	cov = TokenCovarianceRef(b.LogProb, b.Advantages, b.Mask)
	valid := make([][]bool, nb)
	var n float64
	for i := range valid {
		valid[i] = make([]bool, nt)
		for j := range valid[i] {
			valid[i][j] = b.Mask[i][j] > 0
			n += b.Mask[i][j]
		}
	}
	k = max(1, int(math.Floor(n*l.Ratio)))
	sel := selectTopRef(cov, valid, k)
	selected = newMatrix(nb, nt)
	for i := range sel {
		for j := range sel[i] {
			if sel[i][j] {
				selected[i][j] = 1
			}
		}
	}
	return cov, k, selected, nil
}

// Reference implements Reference.
func (l KLCov) Reference(b BatchRef) (RefResult, error) {
	_, _, sel, err := l.SelectRef(b)
	if err != nil {
		return RefResult{}, err
	}
	per, absd := newMatrix(len(sel), len(sel[0])), newMatrix(len(sel), len(sel[0]))
	for i := range per {
		for j := range per[i] {
			d := b.LogProb[i][j] - b.OldLogProb[i][j]
			absd[i][j] = math.Abs(d)
			per[i][j] = -b.Advantages[i][j]*math.Exp(d) + sel[i][j]*l.Coef*absd[i][j]
		}
	}
	pg, err := AggregateRef(per, b.Mask, l.Agg)
	if err != nil {
		return RefResult{}, err
	}
	return RefResult{Loss: pg, Metrics: map[string]float64{MetricPGLoss: pg, MetricPPOKL: maskedMeanRef(absd, b.Mask),
		MetricCovSelected: maskedMeanRef(sel, b.Mask)}}, nil
}
