package algo

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/core/graph"
)

// Clip-Cov (Cui et al., "The Entropy Mechanism of RL for Reasoning LMs", arXiv 2505.22617; verl
// compute_policy_loss_clip_cov, spec §4.4). Unified view: π_ref = π_θold, 1_stable = PPO clip mask ×
// a covariance mask that detaches r·N randomly chosen tokens whose centred covariance
// Cov_i = (logp_i − mean logp)(A_i − mean A) lies strictly inside (ω_low, ω_high) — the confident
// tokens with positive advantage that drive entropy collapse. Code details kept: no ±20 log-ratio
// clamp, no dual clip, strict bounds, PPO-clipped tokens are not candidates, n = max(⌊r·N⌋, 1),
// statistics per micro-batch. Random choice: the n candidates with the smallest LossInputs.Noise
// (uniform draws from the engine's RNG); without Noise the first n candidates in row-major order.

func init() { RegisterLoss("clip_cov", NewClipCov) }

// ClipCov is the Clip-Cov policy loss.
type ClipCov struct {
	// ClipLow and ClipHigh are the ordinary PPO clip (the released scripts use 1.0/1.0).
	ClipLow, ClipHigh float64
	// Ratio is r, the fraction of valid tokens to detach (2e-4).
	Ratio float64
	// LB and UB are the strict covariance band (1, 5).
	LB, UB float64
	// Agg aggregates the per-token loss.
	Agg Aggregation
}

// NewClipCov builds Clip-Cov from cfg.ClipLow/ClipHigh, ClipCovRatio/LB/UB and Agg.
func NewClipCov(cfg LossConfig) (Loss, error) {
	l := ClipCov{ClipLow: cfg.ClipLow, ClipHigh: cfg.ClipHigh, Ratio: cfg.ClipCovRatio, LB: cfg.ClipCovLB, UB: cfg.ClipCovUB, Agg: cfg.Agg}
	if !(l.Ratio > 0 && l.Ratio <= 1) {
		return nil, fmt.Errorf("clip_cov_ratio %v: want in (0, 1] (paper 2e-4)", l.Ratio)
	}
	if !(l.LB < l.UB) || math.IsNaN(l.LB) {
		return nil, fmt.Errorf("clip_cov_lb %v / clip_cov_ub %v: want lb < ub (paper 1, 5)", l.LB, l.UB)
	}
	if l.ClipLow < 0 || l.ClipHigh < 0 {
		return nil, fmt.Errorf("clip_low %v / clip_high %v: want ≥ 0", l.ClipLow, l.ClipHigh)
	}
	if err := l.Agg.Validate(); err != nil {
		return nil, err
	}
	return l, nil
}

// Name implements Loss.
func (ClipCov) Name() string { return "clip_cov" }

// Requirements implements Loss: Noise drives the random token choice.
func (ClipCov) Requirements() Requirements { return Requirements{Noise: true} }

// kernel is the ordinary clip without clamp or dual clip.
func (l ClipCov) kernel() Kernel {
	return Kernel{Ref: RefOld, Stab: StabClip, ClipLow: l.ClipLow, ClipHigh: l.ClipHigh}
}

// Select returns the covariance [B, T] (zero on padding), the number n of tokens to detach (float64
// scalar) and the detached tokens [B, T] (Bool).
func (l ClipCov) Select(in LossInputs) (cov, n, selected *Node) {
	t := l.kernel().Build(in.LogProb, in.OldLogProb, in.Advantages, in.Mask)
	valid := validOf(in.Mask)
	cov = TokenCovariance(in.LogProb, in.Advantages, in.Mask)
	lb, ub := Scalar(cov.Graph(), cov.DType(), l.LB), Scalar(cov.Graph(), cov.DType(), l.UB)
	cand := And(And(valid, Not(GreaterThan(t.Clipped, ZerosLike(t.Clipped)))), And(GreaterThan(cov, lb), LessThan(cov, ub)))
	n = selectCount(in.Mask, l.Ratio)
	var key *Node
	if in.Noise != nil {
		key = Neg(in.Noise)
	} else {
		dims := cov.Shape().Dimensions
		key = Neg(Reshape(ConvertDType(IotaFull(cov.Graph(), shapeLike(cov, dims[0]*dims[1])), cov.DType()), dims...))
	}
	return cov, n, selectTop(key, cand, n)
}

// Build implements Loss: actor/pg_loss, actor/pg_clipfrac (detached fraction), actor/ppo_kl.
func (l ClipCov) Build(in LossInputs) LossOutput {
	mustCheck(in, Requirements{}, "OldLogProb", "Advantages")
	t := l.kernel().Build(in.LogProb, in.OldLogProb, in.Advantages, in.Mask)
	_, _, sel := l.Select(in)
	self := boolToFloat(sel, in.Mask)
	pg := Aggregate(Mul(t.Loss, OneMinus(self)), in.Mask, l.Agg, countsOf(in))
	c := countsOf(in)
	return LossOutput{Loss: pg, Metrics: map[string]*Node{
		MetricPGLoss:      pg,
		MetricPGClipFrac:  tokenMetric(self, in.Mask, c),
		MetricPPOKL:       tokenMetric(Neg(t.LogRatio), in.Mask, c),
		MetricCovSelected: tokenMetric(self, in.Mask, c),
	}}
}

// SelectRef is the plain-Go reference of Select (n as an int, selection as 0/1).
func (l ClipCov) SelectRef(b BatchRef) (cov [][]float64, n int, selected [][]float64, err error) {
	nb, nt, err := checkBatch(b, "old_log_prob", "advantages")
	if err != nil {
		return nil, 0, nil, fmt.Errorf("clip_cov: %w", err)
	}
	if b.Noise != nil {
		if _, _, err := checkMatrix("noise", b.Noise, nb, nt); err != nil {
			return nil, 0, nil, fmt.Errorf("clip_cov: %w", err)
		}
	}
	kt, err := l.kernel().Forward(b.LogProb, b.OldLogProb, b.Advantages, b.Mask)
	if err != nil {
		return nil, 0, nil, err
	}
	cov = TokenCovarianceRef(b.LogProb, b.Advantages, b.Mask)
	var nValid float64
	cand := make([][]bool, nb)
	key := newMatrix(nb, nt)
	for i := range cand {
		cand[i] = make([]bool, nt)
		for j := range cand[i] {
			nValid += b.Mask[i][j]
			cand[i][j] = b.Mask[i][j] > 0 && kt.Clipped[i][j] == 0 && cov[i][j] > l.LB && cov[i][j] < l.UB
			key[i][j] = -float64(i*nt + j)
			if b.Noise != nil {
				key[i][j] = -b.Noise[i][j]
			}
		}
	}
	n = max(int(math.Floor(l.Ratio*nValid)), 1)
	sel := selectTopRef(key, cand, n)
	selected = newMatrix(nb, nt)
	for i := range sel {
		for j := range sel[i] {
			if sel[i][j] {
				selected[i][j] = 1
			}
		}
	}
	return cov, n, selected, nil
}

// Reference implements Reference.
func (l ClipCov) Reference(b BatchRef) (RefResult, error) {
	_, _, sel, err := l.SelectRef(b)
	if err != nil {
		return RefResult{}, err
	}
	kt, err := l.kernel().Forward(b.LogProb, b.OldLogProb, b.Advantages, b.Mask)
	if err != nil {
		return RefResult{}, err
	}
	per := newMatrix(len(sel), len(sel[0]))
	for i := range per {
		for j := range per[i] {
			per[i][j] = kt.Loss[i][j] * (1 - sel[i][j])
		}
	}
	pg, err := AggregateRef(per, b.Mask, l.Agg)
	if err != nil {
		return RefResult{}, err
	}
	frac := maskedMeanRef(sel, b.Mask)
	return RefResult{Loss: pg, Metrics: map[string]float64{MetricPGLoss: pg, MetricPGClipFrac: frac,
		MetricPPOKL: maskedMeanRef(scaleMatrix(kt.LogRatio, -1), b.Mask), MetricCovSelected: frac}}, nil
}
