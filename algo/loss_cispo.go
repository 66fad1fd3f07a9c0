package algo

// CISPO, clipped importance-sampling policy optimisation (MiniMax-M1, arXiv 2506.13585).
// Unified view: π_ref = π_θold, 1_stable = the CIS mask: instead of dropping the gradient of tokens
// outside the trust region it clips the importance weight and stops its gradient, so every token
// (including the rare "fork" tokens PPO would clip) keeps a bounded REINFORCE gradient:
//
//	ℓ = −sg(clip(ρ, 1−ε_low, 1+ε_high)) · Â · log π_θ
//
// actor/pg_clipfrac counts tokens whose weight was clipped.

func init() { RegisterLoss("cispo", NewCISPO) }

// NewCISPO builds CISPO from cfg.ClipLow, ClipHigh and Agg.
func NewCISPO(cfg LossConfig) (Loss, error) {
	return newKernelLoss("cispo", Kernel{Ref: RefOld, Stab: StabCIS, ClipLow: cfg.ClipLow, ClipHigh: cfg.ClipHigh}, cfg.Agg)
}
