package algo

// GSPO, Group Sequence Policy Optimization (Zheng et al., arXiv 2507.18071; verl policy loss "gspo").
// Unified view: π_ref = π_θ·(π_θold(τ)/π_θ(τ))^{1/|τ|}, so every token of a row carries the row's
// length-normalised sequence ratio s = exp(mean_t(logp − old)) and the PPO clip acts on whole
// sequences. verl caps log s at 10 and aggregates with seq-mean-token-mean; the paper's clip range
// is tiny (ε_low = 3e-4, ε_high = 4e-4) because s is a geometric mean.

func init() { RegisterLoss("gspo", NewGSPO) }

// NewGSPO builds the sequence-ratio clipped loss from cfg.ClipLow, ClipHigh and Agg (no dual clip).
func NewGSPO(cfg LossConfig) (Loss, error) {
	return newKernelLoss("gspo", Kernel{Ref: RefSequence, Stab: StabClip, ClipLow: cfg.ClipLow, ClipHigh: cfg.ClipHigh,
		SeqLogRatioMax: 10}, cfg.Agg)
}
