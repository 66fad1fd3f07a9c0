package algo

// REINFORCE: ℓ = −Â · log π_θ. Unified view: π_ref = π_θ, no stabilisation mask. With Â ≡ 1 on
// demonstration tokens it is SFT (the HPT loss uses that for its demonstration rows).

func init() { RegisterLoss("reinforce", NewREINFORCE) }

// NewREINFORCE builds the plain score-function loss aggregated by cfg.Agg.
func NewREINFORCE(cfg LossConfig) (Loss, error) {
	return newKernelLoss("reinforce", Kernel{Ref: RefCurrent, Stab: StabNone}, cfg.Agg)
}
