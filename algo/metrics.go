package algo

// Metric names, in one place. They follow verl's names so dashboards written for verl read Ascent
// runs unchanged. Every metric node a Loss returns is scaled as described on LossOutput.
const (
	// MetricPGLoss is the aggregated policy-gradient loss (before the entropy and KL terms).
	MetricPGLoss = "actor/pg_loss"
	// MetricPGClipFrac is the fraction of valid tokens whose loss is the clipped branch (L2 > L1),
	// or, for Clip-Cov, the fraction of tokens whose gradient was detached.
	MetricPGClipFrac = "actor/pg_clipfrac"
	// MetricPGClipFracLower is the fraction of valid tokens capped by the dual-clip bound −A·c.
	MetricPGClipFracLower = "actor/pg_clipfrac_lower"
	// MetricPPOKL is the masked mean of old − logp (KL-Cov: of |logp − old|).
	MetricPPOKL = "actor/ppo_kl"
	// MetricEntropy is the aggregated token entropy of the current policy.
	MetricEntropy = "actor/entropy"
	// MetricKLLoss is the aggregated KL(π_θ‖π_ref) estimate of the KL loss term, before its coefficient.
	MetricKLLoss = "actor/kl_loss"
	// MetricKLCoef is the KL loss coefficient in effect (a constant, weighted by token share).
	MetricKLCoef = "actor/kl_coef"
	// MetricSFTLoss is HPT's supervised term: token-mean NLL over demonstration tokens.
	MetricSFTLoss = "actor/sft_loss"
	// MetricTotalLoss is the whole actor loss: pg − c_H·entropy + c_KL·kl (+ SFT for HPT).
	MetricTotalLoss = "actor/loss"
	// MetricCovSelected is the fraction of valid tokens selected by Clip-Cov / KL-Cov.
	MetricCovSelected = "actor/cov_selected_frac"
	// MetricFlowLogZ is FlowRL's mean learned log Z over sequences.
	MetricFlowLogZ = "actor/flowrl_log_z"
	// MetricFlowISWeight is FlowRL's mean sequence importance weight (after optional clipping).
	MetricFlowISWeight = "actor/flowrl_is_weight"
	// MetricFlowResidual is FlowRL's mean squared trajectory-balance residual δ² (unweighted).
	MetricFlowResidual = "actor/flowrl_residual_sq"
	// MetricVFLoss is the clipped critic loss.
	MetricVFLoss = "critic/vf_loss"
	// MetricVFClipFrac is the fraction of valid tokens where the clipped value error is larger.
	MetricVFClipFrac = "critic/vf_clipfrac"
)
