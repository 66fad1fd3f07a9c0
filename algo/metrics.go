package algo

import "github.com/ascent-rl/ascent/metric"

// Metric names of the losses, from the one table in package metric (verl's names, so dashboards
// written for verl read Ascent runs unchanged). Every metric node a Loss returns is scaled as described on LossOutput.
const (
	// MetricPGLoss is the aggregated policy-gradient loss (before the entropy and KL terms).
	MetricPGLoss = metric.PGLoss
	// MetricPGClipFrac is the fraction of valid tokens whose loss is the clipped branch (L2 > L1),
	// or, for Clip-Cov, the fraction of tokens whose gradient was detached.
	MetricPGClipFrac = metric.PGClipFrac
	// MetricPGClipFracLower is the fraction of valid tokens capped by the dual-clip bound −A·c.
	MetricPGClipFracLower = metric.PGClipFracLower
	// MetricPPOKL is the masked mean of old − logp (KL-Cov: of |logp − old|).
	MetricPPOKL = metric.PPOKL
	// MetricEntropy is the aggregated token entropy of the current policy.
	MetricEntropy = metric.Entropy
	// MetricKLLoss is the aggregated KL(π_θ‖π_ref) estimate of the KL loss term, before its coefficient.
	MetricKLLoss = metric.KLLoss
	// MetricKLCoef is the KL loss coefficient in effect (a constant, weighted by token share).
	MetricKLCoef = metric.KLCoef
	// MetricSFTLoss is HPT's supervised term: token-mean NLL over demonstration tokens.
	MetricSFTLoss = metric.SFTLoss
	// MetricTotalLoss is the whole actor loss: pg − c_H·entropy + c_KL·kl (+ SFT for HPT).
	MetricTotalLoss = metric.TotalLoss
	// MetricCovSelected is the fraction of valid tokens selected by Clip-Cov / KL-Cov.
	MetricCovSelected = metric.CovSelected
	// MetricFlowLogZ is FlowRL's mean learned log Z over sequences.
	MetricFlowLogZ = metric.FlowLogZ
	// MetricFlowISWeight is FlowRL's mean sequence importance weight (after optional clipping).
	MetricFlowISWeight = metric.FlowISWeight
	// MetricFlowResidual is FlowRL's mean squared trajectory-balance residual δ² (unweighted).
	MetricFlowResidual = metric.FlowResidual
	// MetricVFLoss is the clipped critic loss.
	MetricVFLoss = metric.VFLoss
	// MetricVFClipFrac is the fraction of valid tokens where the clipped value error is larger.
	MetricVFClipFrac = metric.VFClipFrac
)
