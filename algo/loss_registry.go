package algo

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"

	"github.com/ascent-rl/ascent/internal/registry"
)

// LossConfig selects a policy loss by registry name and carries its parameters. One flat struct so
// that a YAML run config can hold any method; each field says which losses read it.
type LossConfig struct {
	// Name is the registry name: see LossNames (vanilla, clip_cov, kl_cov, flowrl, gspo, cispo, hpt,
	// luffy, reinforce, sft).
	Name string `json:"name" yaml:"name"`
	// ClipLow is ε_low (vanilla, clip_cov, gspo, cispo, luffy on-policy rows). verl default 0.2.
	ClipLow float64 `json:"clip_low" yaml:"clip_low"`
	// ClipHigh is ε_high (same losses). 0.2 symmetric; DAPO clip-higher 0.28.
	ClipHigh float64 `json:"clip_high" yaml:"clip_high"`
	// ClipC is the dual-clip bound c > 1 for Â < 0 (vanilla). verl default 3, DAPO/JustRL 10; ≤ 1 off.
	ClipC float64 `json:"clip_c,omitempty" yaml:"clip_c,omitempty"`
	// Agg is the aggregation of the per-token loss (all losses except flowrl, which is a mean over
	// sequences by construction).
	Agg Aggregation `json:"agg" yaml:"agg"`
	// ClipCovRatio is Clip-Cov's fraction r of valid tokens to detach (paper 2e-4).
	ClipCovRatio float64 `json:"clip_cov_ratio,omitempty" yaml:"clip_cov_ratio,omitempty"`
	// ClipCovLB is Clip-Cov's lower covariance bound ω_low (strict; paper 1).
	ClipCovLB float64 `json:"clip_cov_lb,omitempty" yaml:"clip_cov_lb,omitempty"`
	// ClipCovUB is Clip-Cov's upper covariance bound ω_high (strict; paper 5).
	ClipCovUB float64 `json:"clip_cov_ub,omitempty" yaml:"clip_cov_ub,omitempty"`
	// KLCovRatio is KL-Cov's fraction k of valid tokens to penalise, as a FRACTION like verl's
	// kl_cov_ratio (paper: 2e-3 for 7B, 2e-4 for 32B; the original repo's k_percent is 100× this).
	KLCovRatio float64 `json:"kl_cov_ratio,omitempty" yaml:"kl_cov_ratio,omitempty"`
	// KLCovCoef is KL-Cov's β on |logp − old| (paper and original scripts 1; verl yaml 0.1).
	KLCovCoef float64 `json:"kl_cov_coef,omitempty" yaml:"kl_cov_coef,omitempty"`
	// FlowBeta is FlowRL's reward scale β (hard-coded 15 in the official code).
	FlowBeta float64 `json:"flow_beta,omitempty" yaml:"flow_beta,omitempty"`
	// FlowISClip is FlowRL's importance-weight clip ε: 0 = the official code's unclipped weight,
	// > 0 = the paper's clip(w, 1−ε, 1+ε) (0.2).
	FlowISClip float64 `json:"flow_is_clip,omitempty" yaml:"flow_is_clip,omitempty"`
	// SFTCoef weighs HPT's SFT term on demonstration rows (1.0; 0.3 for Qwen2.5-Math-1.5B).
	SFTCoef float64 `json:"sft_coef,omitempty" yaml:"sft_coef,omitempty"`
	// ShapeGamma is LUFFY's policy-shaping γ in f(π) = π/(π+γ) for demonstration tokens (0.1).
	ShapeGamma float64 `json:"shape_gamma,omitempty" yaml:"shape_gamma,omitempty"`
}

// LossFactory builds a Loss from its config, or says which field is wrong.
type LossFactory func(cfg LossConfig) (Loss, error)

// losses is the policy-loss registry.
var losses = registry.New[LossFactory]("algo", "policy loss")

// RegisterLoss adds a policy loss under name. It panics on an empty or duplicate name (a programming
// error, caught at init).
func RegisterLoss(name string, f LossFactory) { losses.Register(name, f) }

// LossNames lists the registered policy losses, sorted.
func LossNames() []string { return losses.Names() }

// NewLoss builds the loss cfg.Name with cfg's parameters. An unknown name is an error listing the
// valid names.
func NewLoss(cfg LossConfig) (Loss, error) {
	f, err := losses.Lookup(cfg.Name)
	if err != nil {
		return nil, err
	}
	l, err := f(cfg)
	if err != nil {
		return nil, fmt.Errorf("algo: loss %q: %w", cfg.Name, err)
	}
	return l, nil
}

// BatchRef is the plain-Go mirror of LossInputs for one micro-batch that is the whole mini-batch;
// reference implementations read it. Matrices are [B][T]; nil where a loss does not need the field.
type BatchRef struct {
	LogProb    [][]float64 // [B][T]
	OldLogProb [][]float64 // [B][T]
	RefLogProb [][]float64 // [B][T]
	Advantages [][]float64 // [B][T]
	Mask       [][]float64 // [B][T]
	Entropy    [][]float64 // [B][T]
	Values     [][]float64 // [B][T]
	OldValues  [][]float64 // [B][T]
	Returns    [][]float64 // [B][T]
	Noise      [][]float64 // [B][T]
	LogZ       []float64   // [B]
	Demo       []float64   // [B] 1 for demonstration rows
}

// RefResult is what a reference implementation computes: the loss and the same metrics as Build.
type RefResult struct {
	Loss    float64
	Metrics map[string]float64
}

// Reference is implemented by every Loss of this package: a slow, obviously-correct plain-Go forward
// pass that the parity tests compare with the graph (the llm.c pattern).
type Reference interface {
	Loss
	// Reference computes the loss value and metrics of one whole mini-batch in plain Go.
	Reference(b BatchRef) (RefResult, error)
}

// checkBatch validates the fields of b that a loss reads. It returns B and T.
func checkBatch(b BatchRef, need ...string) (int, int, error) {
	nb, nt, err := checkMatrix("log_prob", b.LogProb, -1, -1)
	if err != nil {
		return 0, 0, err
	}
	if err := checkMask("mask", b.Mask, nb, nt); err != nil {
		return 0, 0, err
	}
	mats := map[string][][]float64{"old_log_prob": b.OldLogProb, "ref_log_prob": b.RefLogProb, "advantages": b.Advantages,
		"entropy": b.Entropy, "values": b.Values, "old_values": b.OldValues, "returns": b.Returns, "noise": b.Noise}
	for _, n := range need {
		switch n {
		case "log_z":
			if err := checkVector("log_z", b.LogZ, nb); err != nil {
				return 0, 0, err
			}
		case "demo":
			if err := checkVector("demo", b.Demo, nb); err != nil {
				return 0, 0, err
			}
		default:
			if _, _, err := checkMatrix(n, mats[n], nb, nt); err != nil {
				return 0, 0, err
			}
		}
	}
	return nb, nt, nil
}

// policyMetrics are the verl actor metrics shared by the ratio-based losses.
func policyMetrics(pg *Node, t KernelTerms, in LossInputs) map[string]*Node {
	c := countsOf(in)
	return map[string]*Node{
		MetricPGLoss:          pg,
		MetricPGClipFrac:      tokenMetric(t.Clipped, in.Mask, c),
		MetricPGClipFracLower: tokenMetric(t.DualClipped, in.Mask, c),
		MetricPPOKL:           tokenMetric(Neg(t.LogRatio), in.Mask, c),
	}
}

// policyMetricsRef is policyMetrics in plain Go.
func policyMetricsRef(pg float64, t KernelRef, mask [][]float64) map[string]float64 {
	negLR := scaleMatrix(t.LogRatio, -1)
	return map[string]float64{
		MetricPGLoss:          pg,
		MetricPGClipFrac:      maskedMeanRef(t.Clipped, mask),
		MetricPGClipFracLower: maskedMeanRef(t.DualClipped, mask),
		MetricPPOKL:           maskedMeanRef(negLR, mask),
	}
}

// maskedMeanRef is verl's masked_mean: Σ x·m / (Σ m + 1e-8).
func maskedMeanRef(x, m [][]float64) float64 {
	var s, n float64
	for i := range x {
		for j := range x[i] {
			s += x[i][j] * m[i][j]
			n += m[i][j]
		}
	}
	return s / (n + maskEps)
}

// scaleMatrix returns a·x.
func scaleMatrix(x [][]float64, a float64) [][]float64 {
	out := newMatrix(len(x), len(x[0]))
	for i := range x {
		for j := range x[i] {
			out[i][j] = a * x[i][j]
		}
	}
	return out
}
