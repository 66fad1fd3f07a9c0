// Package algo is Ascent's algorithm layer: advantage estimators, policy losses, KL and entropy
// terms, loss aggregation, reward-side tricks and the method presets, all expressed as parts of ONE
// unified policy-gradient estimator (Lv et al., arXiv 2509.04419, spec §7.2):
//
//	∇ℓ_t = −1_stable · (1/π_ref) · Â_t · ∇π_θ
//
//	1_stable  stabilisation mask  Kernel.Stab: none | PPO clip (+ clip-higher, dual clip) | CISPO clipped IS weight
//	π_ref     reference policy    Kernel.Ref:  π_θ (∇log π) | π_θold (token ratio) | GSPO sequence ratio | ≡ 1 (LUFFY)
//	Â         advantage          an AdvantageEstimator: grpo, drgrpo, rloo, reinforce_pp(_baseline), gae, hpt
//	∇π_θ      likelihood grad    GoMLX autodiff through LossInputs.LogProb
//
// The trainer reads a preset Config (Preset) and `ascent presets` prints them all; the engine
// (engine/local) builds LossInputs from a micro-batch and calls Loss.Build.
//
// # Methods as parts of the estimator
//
//	method     Â (estimator)            π_ref        1_stable / extra                        loss (registry)  aggregation
//	PPO        gae (γ=λ=1, whitened)    π_old        PPO clip 0.2, dual clip 3               vanilla          token-mean
//	GRPO       grpo (σ-normalised)      π_old        PPO clip 0.2, dual clip 3               vanilla          token-mean
//	Dr.GRPO    drgrpo (no σ)            π_old        PPO clip                                vanilla          seq-mean-token-sum-norm
//	DAPO       grpo, ±1 + overlong      π_old        clip-higher 0.2/0.28, c=10              vanilla          token-mean
//	JustRL     grpo, ±1 strict box      π_old        clip-higher 0.2/0.28, c=10              vanilla          token-mean
//	Clip-Cov   grpo                     π_old        PPO clip × covariance-band detach mask  clip_cov         token-mean
//	KL-Cov     grpo                     π_old        none; +β|logp−old| on top-k cov tokens  kl_cov           token-mean
//	FlowRL     grpo as r̂                π_θ          none; Â_b = −2·w_b·δ_b (TB residual)    flowrl           mean over sequences
//	TTRL       grpo on vote rewards     π_old        PPO clip; + k3 KL loss                  vanilla          token-mean
//	HPT        hpt (r − mean, RL rows)  π_old / π_θ  none; SFT (Â=1, π_ref=π_θ) on demos     hpt              Σ/T_max, SFT token-mean
//	LUFFY      grpo over on ∪ off       π_old / ≡1   PPO clip on rollouts; f(π)=π/(π+γ)      luffy            token-mean
//	GSPO       grpo                     sequence     sequence-level clip 3e-4/4e-4           gspo             seq-mean-token-mean
//	CISPO      grpo                     π_old        sg(clip(ρ))·log π, nothing dropped      cispo            token-mean
//	REINFORCE  any                      π_θ          none                                    reinforce        any
//
// Every policy loss implements Loss (loss.go) and Reference: a plain-Go forward pass used by the
// parity tests. Actor composes a policy loss with the entropy bonus and the KL loss (spec §1.5):
// actor_loss = pg_loss − c_H·agg(H) + c_KL·agg(kl(logp, ref)). ValueLoss is PPO's clipped critic loss.
//
// # Pieces
//
//   - Advantages (plain Go, once per step): Register / Lookup / NewAdvantage with AdvantageConfig.
//   - Losses (GoMLX graphs): RegisterLoss / NewLoss with LossConfig; Kernel is the shared estimator.
//   - Aggregation: token-mean, seq-mean-token-mean, seq-mean-token-sum, seq-mean-token-sum-norm with
//     whole-mini-batch denominators (LossInputs.TokenCount/SeqCount), so summing micro-batches gives
//     the mini-batch value; metrics follow the scaling rule documented on LossOutput.
//   - KL estimators k1, abs, k2, k3 (clamped) and the straight-through k1+, k3+: KLPenalty (graph),
//     KLPenaltyRef (plain Go).
//   - Logits helpers for the engine: EntropyFromLogits ([B,T,V] → [B,T]), GatherLogProbs, CheckTokenIDs.
//   - Reward side: OverlongPenalty and FilterGroups (DAPO), MajorityVote / FirstN / Diagnose (TTRL),
//     HPTRoute (HPT's per-question switch).
//   - Entropy mechanism: TokenCovariance (what Clip-Cov/KL-Cov rank by), EntropyStep (ΔH ≈ −η·Cov
//     identity for a softmax policy), EntropyLaw (R = −a·e^H + b).
//   - Presets: Preset(name) returns a Config (advantage, loss, aggregation, KL, entropy, reward, batch,
//     optimiser, sampling) for ppo grpo dapo justrl clip_cov kl_cov flowrl ttrl hpt gspo cispo.
//   - Metric names (verl's) are the Metric* constants in metrics.go.
//
// # Errors and panics
//
// Plain-Go entry points (estimators, reference losses, reward helpers) return errors naming the
// argument; they never panic. Graph builders cannot return errors (GoMLX reports graph-construction
// errors by panicking, and graph.Exec.Call returns them as errors): every Loss.Build first runs
// CheckInputs and panics with its error, so an engine that calls CheckInputs itself never sees a
// panic for a missing input or a wrong shape. Runtime values are not checked inside graphs: validate
// token ids with CheckTokenIDs before GatherLogProbs (an out-of-range Gather index crashes the go backend).
//
// # Conformance
//
// `go test ./algo` runs every case of ../shared/testdata/algos/*.json (or $ASCENT_ALGO_VECTORS)
// through the graph (float64 values and autodiff gradients) and the plain-Go reference at 1e-6; see
// docs/algorithms.md.
package algo
