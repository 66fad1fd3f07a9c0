package algo

// Vanilla clipped surrogate (verl compute_policy_loss_vanilla, spec §1.3) — PPO, GRPO, DAPO, JustRL,
// TTRL. Unified view: π_ref = π_θold, 1_stable = the PPO clip mask (with clip-higher and dual clip).
//
//	ρ = exp(clamp(logp − old, ±20));  ℓ = max(−Â·ρ, −Â·clip(ρ, 1−ε_low, 1+ε_high))
//	ℓ = min(ℓ, −Â·c) where Â < 0     (dual clip, c = ClipC > 1)

func init() { RegisterLoss("vanilla", NewVanilla) }

// NewVanilla builds the clipped surrogate from cfg.ClipLow, ClipHigh, ClipC and Agg.
func NewVanilla(cfg LossConfig) (Loss, error) {
	return newKernelLoss("vanilla", Kernel{Ref: RefOld, Stab: StabClip, ClipLow: cfg.ClipLow, ClipHigh: cfg.ClipHigh,
		DualClip: cfg.ClipC, LogRatioClamp: 20}, cfg.Agg)
}
