package algo

// Presets of the methods with their own loss or reward: clip_cov, kl_cov, flowrl, ttrl, hpt.

func init() {
	registerPreset("clip_cov", ClipCovPreset)
	registerPreset("kl_cov", KLCovPreset)
	registerPreset("flowrl", FlowRLPreset)
	registerPreset("ttrl", TTRL)
	registerPreset("hpt", HPTPreset)
}

// entropyMechBase is the shared setup of the Entropy-Mechanism scripts (recipe/dapo/7b_*.sh):
// GRPO, dynamic sampling on, 256 × 8, mini 32, lr 5e-7 (7B; 1e-6 for 32B), wd 0, 8K responses.
func entropyMechBase(name, summary string, loss LossConfig) Config {
	return Config{
		Name: name, Paper: "Cui et al. 2025, The Entropy Mechanism of RL for Reasoning LMs (arXiv 2505.22617)",
		Summary: summary, Advantage: grpoAdv(), Loss: loss, TermsAgg: Aggregation{Mode: TokenMean},
		KL: KLConfig{LossType: KLK3},
		Reward: RewardConfig{Verifier: "math", Correct: 1, Incorrect: 0,
			FilterGroups: FilterConfig{Enabled: true, Metric: "acc", MaxGenBatches: 10, GenBatchScale: 3}},
		Batch:    BatchConfig{Prompts: 256, Rollouts: 8, MiniBatchPrompts: 32, PPOEpochs: 1, MaxPromptLen: 2048, MaxResponseLen: 8192},
		Optim:    OptimConfig{LR: 5e-7, Schedule: "constant", WeightDecay: 0, GradClip: 1},
		Sampling: SamplingConfig{Temperature: 1, TopP: 1},
	}
}

// ClipCovPreset is Clip-Cov: detach the gradient of r = 2e-4 of the tokens whose covariance between
// log-prob and advantage lies in (1, 5) — the updates that drive entropy collapse. The released
// scripts widen the ordinary clip to ε = 1.0/1.0 so that only the covariance mask acts. Dynamic
// sampling on (as in the scripts); no KL, no entropy bonus. 7B settings (32B: lr 1e-6).
func ClipCovPreset() Config {
	return entropyMechBase("clip_cov", "covariance-band gradient detach (r 2e-4, band 1..5), ε 1.0; dynamic sampling",
		LossConfig{Name: "clip_cov", ClipLow: 1, ClipHigh: 1, ClipCovRatio: 2e-4, ClipCovLB: 1, ClipCovUB: 5, Agg: Aggregation{Mode: TokenMean}})
}

// KLCovPreset is KL-Cov: penalise |logp − old| with β = 1 on the top k = 2e-3 (7B; 2e-4 for 32B) of
// tokens by covariance, no ratio clipping. Keeps >10× the baseline's entropy. The coefficient is the
// paper's 1, not verl's yaml 0.1; the ratio is a fraction (the original repo's k_percent is 100×).
func KLCovPreset() Config {
	return entropyMechBase("kl_cov", "|logp−old| penalty (β 1) on top 2e-3 tokens by covariance, no clip; dynamic sampling",
		LossConfig{Name: "kl_cov", KLCovRatio: 2e-3, KLCovCoef: 1, Agg: Aggregation{Mode: TokenMean}})
}

// FlowRLPreset is FlowRL (Zhu et al., arXiv 2509.15207): match the reward-weighted distribution
// instead of maximising reward — a squared trajectory-balance residual with a learned log Z head
// (3-layer MLP on the mean prompt hidden state), β = 15, mean over sequences. IS weight unclipped as
// in the official code (set Loss.FlowISClip = 0.2 for the paper's clip). No KL loss (the π_ref term
// regularises; the script's KL loss is commented out in the actor), no entropy bonus. 512 × 8, mini
// 32, lr 1e-6 (10 warm-up), wd 0.1, 8K responses.
func FlowRLPreset() Config {
	return Config{
		Name: "flowrl", Paper: "Zhu et al. 2025, FlowRL (arXiv 2509.15207); Xuekai-Zhu/FlowRL scripts",
		Summary:   "trajectory balance with learned log Z, β 15, unclipped IS weight; no KL/entropy",
		Advantage: grpoAdv(),
		Loss:      LossConfig{Name: "flowrl", FlowBeta: 15, Agg: Aggregation{Mode: TokenMean}},
		TermsAgg:  Aggregation{Mode: TokenMean}, KL: KLConfig{LossType: KLK3},
		Reward:   RewardConfig{Verifier: "math", Correct: 1, Incorrect: 0},
		Batch:    BatchConfig{Prompts: 512, Rollouts: 8, MiniBatchPrompts: 32, PPOEpochs: 1, MaxPromptLen: 2048, MaxResponseLen: 8192},
		Optim:    OptimConfig{LR: 1e-6, Schedule: "constant", WarmupSteps: 10, WeightDecay: 0.1, GradClip: 1},
		Sampling: SamplingConfig{Temperature: 1, TopP: 1},
	}
}

// TTRL (Zuo et al., arXiv 2504.16084; verl/examples/ttrl/aime.sh): label-free RL on the test prompts —
// 64 votes per prompt, the majority answer is the pseudo-label, the first 32 samples are trained with
// GRPO (clip 0.2, token-mean) and a k3 KL loss of 0.001. 8 prompts per step, mini-batch 1 prompt,
// lr 5e-7 cosine with 3 % warm-up, 3072-token responses.
func TTRL() Config {
	return Config{
		Name: "ttrl", Paper: "Zuo et al. 2025, TTRL (arXiv 2504.16084); PRIME-RL/TTRL examples/ttrl",
		Summary:   "majority-vote pseudo-labels (64 votes, train first 32), GRPO, k3 KL loss 0.001",
		Advantage: grpoAdv(), Loss: verlClip(), TermsAgg: Aggregation{Mode: TokenMean},
		KL:       KLConfig{LossCoef: 0.001, LossType: KLK3},
		Reward:   RewardConfig{Verifier: "majority_vote", Correct: 1, Incorrect: 0, Vote: VoteConfig{Enabled: true, NVotes: 64, NTrain: 32}},
		Batch:    BatchConfig{Prompts: 8, Rollouts: 64, MiniBatchPrompts: 1, PPOEpochs: 1, MaxPromptLen: 512, MaxResponseLen: 3072},
		Optim:    OptimConfig{LR: 5e-7, Schedule: "cosine", WarmupRatio: 0.03, WeightDecay: 0.01, GradClip: 1},
		Sampling: SamplingConfig{Temperature: 1, TopP: 1},
	}
}

// HPTPreset is HPT (Lv et al., arXiv 2509.04419; exp_scripts/train.sh, Qwen2.5-Math-7B): per
// question, if at most γ = 0 of 8 rollouts are correct, replace them by the demonstration and train
// it with SFT (coef 1.0); otherwise RL with Dr.GRPO advantages (no σ), no ratio clip, loss summed
// and divided by the max response length (8192). Entropy bonus 0.001, no KL, no reference model;
// lr 5e-6, skip any step whose grad norm exceeds 80. 128 × 8, mini 64. LLaMA-3.1-8B: Gate = GateOff = 2.
// Weight decay is verl's default 0.01 (the scripts do not set it).
func HPTPreset() Config {
	return Config{
		Name: "hpt", Paper: "Lv et al. 2025, Towards a Unified View of LLM Post-Training / HPT (arXiv 2509.04419)",
		Summary:     "per-question switch SFT (≤ γ correct) / unclipped Dr.GRPO RL, Σ/T_max, entropy 0.001; no KL",
		Advantage:   AdvantageConfig{Estimator: "hpt"},
		Loss:        LossConfig{Name: "hpt", SFTCoef: 1, Agg: Aggregation{Mode: SeqMeanTokenSumNorm, ScaleFactor: 8192}},
		EntropyCoef: 0.001, TermsAgg: Aggregation{Mode: TokenMean}, KL: KLConfig{LossType: KLK3},
		Reward:   RewardConfig{Verifier: "math", Correct: 1, Incorrect: 0, Switch: SwitchConfig{Enabled: true, Gate: 0, GateOff: 0}},
		Batch:    BatchConfig{Prompts: 128, Rollouts: 8, MiniBatchPrompts: 64, PPOEpochs: 1, MaxPromptLen: 1024, MaxResponseLen: 8192},
		Optim:    OptimConfig{LR: 5e-6, Schedule: "constant", WeightDecay: 0, GradClip: 1, SkipGradNormAbove: 80},
		Sampling: SamplingConfig{Temperature: 1, TopP: 1},
	}
}
