package algo

import "fmt"

// UnifiedParts is a preset's policy-gradient estimator written as the four parts of the unified
// view (Lv et al., arXiv 2509.04419; spec §7.2): grad = 1_stable · (1/π_ref) · Â · ∇π_θ, plus what a
// method adds outside the token kernel.
type UnifiedParts struct {
	// Preset is the preset's name.
	Preset string
	// Stabiliser is part 1, the mask 1_stable.
	Stabiliser string
	// Reference is part 2, the denominator π_ref.
	Reference string
	// Advantage is part 3, Â.
	Advantage string
	// Likelihood is part 4, the likelihood gradient (∇π_θ through log-probabilities for every
	// token method; FlowRL's differs).
	Likelihood string
	// Extra is what the method adds beyond the kernel (selection masks, penalties, other terms).
	Extra string
}

// Decompose reads the four parts off the loss the preset actually builds (NewLoss): the kernel's
// Ref and Stab for the kernel losses, the fixed kernels of Clip-Cov, HPT and LUFFY, and the
// advantage estimator's config.
func Decompose(c Config) (UnifiedParts, error) {
	l, err := NewLoss(c.Loss)
	if err != nil {
		return UnifiedParts{}, fmt.Errorf("decompose %s: %w", c.Name, err)
	}
	p := UnifiedParts{Preset: c.Name, Advantage: describeAdvantage(c.Advantage), Likelihood: "∇π_θ (autodiff through log π_θ)"}
	switch v := l.(type) {
	case KernelLoss:
		p.Stabiliser, p.Reference = describeKernel(v.Kernel)
	case ClipCov:
		p.Stabiliser, p.Reference = describeKernel(v.kernel())
		p.Extra = fmt.Sprintf("detach r = %g of tokens with Cov(log π, A) in (%g, %g)", v.Ratio, v.LB, v.UB)
	case KLCov:
		p.Stabiliser, p.Reference = "none", "π_θold (ratio ρ, unclipped)"
		p.Extra = fmt.Sprintf("β·|log π − log π_old| with β = %g on the top k = %g of tokens by Cov(log π, A)", v.Coef, v.Ratio)
	case HPT:
		p.Stabiliser, p.Reference = describeKernel(Kernel{Ref: RefOld, Stab: StabNone})
		p.Extra = fmt.Sprintf("+ %g × SFT (π_ref = π_θ, Â = 1) on the demonstration of prompts with ≤ γ correct", v.SFTCoef)
	case LUFFY:
		on, _ := describeKernel(v.OnPolicy)
		_, offRef := describeKernel(v.OffPolicy)
		p.Stabiliser, p.Reference = on+" (on-policy rows); none (demonstrations)", "π_θold (on-policy); "+offRef+" (demonstrations)"
		p.Extra = fmt.Sprintf("shaping f(π) = π/(π+%g) on demonstration tokens", v.OffPolicy.Shape)
	case FlowRL:
		p.Stabiliser, p.Reference = "none", "sequence IS weight π_θ(τ)/π_θold(τ) (stop-grad)"
		p.Likelihood = "∇ of the squared trajectory-balance residual (log Z + mean log π_θ − β·r̂ − mean log π_ref)²"
		p.Extra = fmt.Sprintf("learned log Z head, β = %g", v.Beta)
	default:
		return UnifiedParts{}, fmt.Errorf("decompose %s: loss %q has no decomposition here", c.Name, l.Name())
	}
	return p, nil
}

// describeKernel names a kernel's stabiliser and reference.
func describeKernel(k Kernel) (stab, ref string) {
	switch k.Stab {
	case StabNone:
		stab = "none"
	case StabClip:
		stab = fmt.Sprintf("PPO clip [1−%g, 1+%g]", k.ClipLow, k.ClipHigh)
		if k.DualClip > 1 {
			stab += fmt.Sprintf(", dual clip %g", k.DualClip)
		}
	case StabCIS:
		stab = fmt.Sprintf("clipped IS weight [1−%g, 1+%g], stop-grad", k.ClipLow, k.ClipHigh)
	}
	switch k.Ref {
	case RefOld:
		ref = "π_θold (token ratio)"
	case RefCurrent:
		ref = "π_θ (∇ log π_θ)"
	case RefSequence:
		ref = "π_θ·(π_θold(τ)/π_θ(τ))^{1/|τ|} (sequence ratio)"
	case RefOne:
		ref = "1 (weight π_θ)"
	}
	return stab, ref
}

// describeAdvantage names the advantage estimate Â.
func describeAdvantage(a AdvantageConfig) string {
	switch a.Estimator {
	case "grpo":
		if a.NormByStd {
			return "(r − mean_group) / (std_group + ε)"
		}
		return "r − mean_group (no σ)"
	case "drgrpo":
		return "r − mean_group (no σ)"
	case "gae":
		return fmt.Sprintf("GAE (γ %g, λ %g) from a critic, whitened", a.Gamma, a.Lambda)
	case "hpt":
		return "r − mean_group on rollout rows (no σ); 1 on demonstration rows"
	case "rloo":
		return "r − mean of the other samples of the group"
	default:
		return a.Estimator
	}
}
