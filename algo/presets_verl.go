package algo

// Presets built on verl's clipped surrogate: ppo, grpo, dapo, justrl, gspo, cispo.

func init() {
	registerPreset("ppo", PPO)
	registerPreset("grpo", GRPOPreset)
	registerPreset("dapo", DAPO)
	registerPreset("justrl", JustRL)
	registerPreset("gspo", GSPOPreset)
	registerPreset("p1", P1Preset)
	registerPreset("cispo", CISPOPreset)
}

// verlClip is verl's default vanilla loss: ε 0.2/0.2, dual clip c = 3, token-mean.
func verlClip() LossConfig {
	return LossConfig{Name: "vanilla", ClipLow: 0.2, ClipHigh: 0.2, ClipC: 3, Agg: Aggregation{Mode: TokenMean}}
}

// grpoAdv is verl's GRPO advantage: (s − μ)/(σ + 1e-6).
func grpoAdv() AdvantageConfig {
	return AdvantageConfig{Estimator: "grpo", Epsilon: 1e-6, NormByStd: true}
}

// PPO is verl's PPO (Schulman et al. 2017, arXiv 1707.06347; Ouyang et al. 2022): GAE advantages
// (γ = λ = 1, whitened) from a learned critic (value clip 0.5, lr 1e-5), the clipped surrogate
// ε = 0.2 with dual clip c = 3, token-mean. KL-in-reward exists (fixed β = 0.001, k1) but is off by
// default, as in verl; no entropy bonus. Batch and lengths are verl's trainer defaults.
func PPO() Config {
	return Config{
		Name: "ppo", Paper: "Schulman et al. 2017 (arXiv 1707.06347); verl ppo_trainer.yaml defaults",
		Summary:   "GAE + critic, clip 0.2, dual clip 3, token-mean; KL-in-reward off",
		Advantage: AdvantageConfig{Estimator: "gae", Gamma: 1, Lambda: 1},
		Loss:      verlClip(), TermsAgg: Aggregation{Mode: TokenMean},
		KL:       KLConfig{RewardCoef: 0.001, RewardType: KLK1, TargetKL: 0.1, Horizon: 10000},
		Critic:   &CriticConfig{ValueClip: 0.5},
		Reward:   RewardConfig{Verifier: "math", Correct: 1, Incorrect: 0},
		Batch:    BatchConfig{Prompts: 1024, Rollouts: 1, MiniBatchPrompts: 256, PPOEpochs: 1, MaxPromptLen: 512, MaxResponseLen: 512},
		Optim:    OptimConfig{LR: 1e-6, Schedule: "constant", WeightDecay: 0.01, GradClip: 1},
		Sampling: SamplingConfig{Temperature: 1, TopP: 1},
	}
}

// GRPOPreset is GRPO as verl runs it (Shao et al., DeepSeekMath, arXiv 2402.03300): group-normalised
// outcome advantage (σ-normalised, ε = 1e-6), the clipped surrogate ε = 0.2, c = 3, token-mean, no KL.
// Note (spec §1.6): the GRPO paper itself uses seq-mean-token-mean and a k3 KL loss with β = 0.04;
// set Loss.Agg and KL.LossCoef/LossType to get it. Batch: verl's GRPO example (1024 × 5, mini 256).
func GRPOPreset() Config {
	return Config{
		Name: "grpo", Paper: "Shao et al. 2024, DeepSeekMath (arXiv 2402.03300); verl grpo example",
		Summary:   "group-normalised advantage, clip 0.2, token-mean; no critic, no KL (paper: k3 0.04)",
		Advantage: grpoAdv(), Loss: verlClip(), TermsAgg: Aggregation{Mode: TokenMean},
		KL:       KLConfig{LossType: KLK3},
		Reward:   RewardConfig{Verifier: "math", Correct: 1, Incorrect: 0},
		Batch:    BatchConfig{Prompts: 1024, Rollouts: 5, MiniBatchPrompts: 256, PPOEpochs: 1, MaxPromptLen: 512, MaxResponseLen: 1024},
		Optim:    OptimConfig{LR: 1e-6, Schedule: "constant", WeightDecay: 0.01, GradClip: 1},
		Sampling: SamplingConfig{Temperature: 1, TopP: 1},
	}
}

// DAPO (Yu et al., arXiv 2503.14476; recipe run_dapo_qwen2.5_32b.sh): GRPO plus the four tricks —
// clip-higher (ε_high 0.28) to slow entropy collapse, dynamic sampling (drop all-same groups, ≤ 10
// generation rounds of 3× prompts), token-level loss (token-mean), soft overlong punishment
// (20480 / 4096 / 1.0) — with dual clip c = 10, ±1 rewards and no KL. 512 × 16, mini 32, lr 1e-6.
func DAPO() Config {
	return Config{
		Name: "dapo", Paper: "Yu et al. 2025, DAPO (arXiv 2503.14476); verl recipe/dapo",
		Summary:   "GRPO + clip-higher 0.28, dynamic sampling, token-mean, soft overlong penalty; no KL",
		Advantage: grpoAdv(),
		Loss:      LossConfig{Name: "vanilla", ClipLow: 0.2, ClipHigh: 0.28, ClipC: 10, Agg: Aggregation{Mode: TokenMean}},
		TermsAgg:  Aggregation{Mode: TokenMean}, KL: KLConfig{LossType: KLK3},
		Reward: RewardConfig{Verifier: "math", Correct: 1, Incorrect: -1,
			Overlong:     OverlongConfig{Enabled: true, Buffer: 4096, Factor: 1},
			FilterGroups: FilterConfig{Enabled: true, Metric: "acc", MaxGenBatches: 10, GenBatchScale: 3}},
		Batch:    BatchConfig{Prompts: 512, Rollouts: 16, MiniBatchPrompts: 32, PPOEpochs: 1, MaxPromptLen: 2048, MaxResponseLen: 20480},
		Optim:    OptimConfig{LR: 1e-6, Schedule: "constant", WarmupSteps: 10, WeightDecay: 0.1, GradClip: 1},
		Sampling: SamplingConfig{Temperature: 1, TopP: 1},
	}
}

// JustRL (arXiv 2512.16649, thunlp/JustRL train/run_training.sh): deliberately minimal GRPO — the
// only named trick is clip-higher (0.2/0.28), but the code also keeps verl's token-mean and dual clip
// c = 10 (spec §3.1). Off, because the ablations show they collapse exploration: KL, entropy bonus,
// length penalty, dynamic sampling, curriculum. Strict boxed-string reward ±1. 256 × 8, mini 64,
// lr 1e-6 (10 warm-up), wd 0.1, 15360-token responses, T = 1.0.
func JustRL() Config {
	return Config{
		Name: "justrl", Paper: "JustRL (arXiv 2512.16649), thunlp/JustRL run_training.sh",
		Summary:   "plain GRPO, clip-higher 0.28, dual clip 10, token-mean; no KL/entropy/length penalty/filtering",
		Advantage: grpoAdv(),
		Loss:      LossConfig{Name: "vanilla", ClipLow: 0.2, ClipHigh: 0.28, ClipC: 10, Agg: Aggregation{Mode: TokenMean}},
		TermsAgg:  Aggregation{Mode: TokenMean}, KL: KLConfig{LossType: KLK3},
		Reward:   RewardConfig{Verifier: "strict_box", Correct: 1, Incorrect: -1},
		Batch:    BatchConfig{Prompts: 256, Rollouts: 8, MiniBatchPrompts: 64, PPOEpochs: 1, MaxPromptLen: 1024, MaxResponseLen: 15360},
		Optim:    OptimConfig{LR: 1e-6, Schedule: "constant", WarmupSteps: 10, WeightDecay: 0.1, GradClip: 1},
		Sampling: SamplingConfig{Temperature: 1, TopP: 1},
	}
}

// GSPOPreset is GSPO (Zheng et al., arXiv 2507.18071; verl loss "gspo"): GRPO advantages with a
// length-normalised sequence ratio and sequence-level clipping (ε 3e-4 / 4e-4, seq-mean-token-mean),
// which stabilises long responses and MoE models. No KL, no entropy bonus. Batch and lr are not
// fixed by the paper [unverified]: verl-style 256 × 8, mini 64, lr 1e-6.
func GSPOPreset() Config {
	return Config{
		Name: "gspo", Paper: "Zheng et al. 2025, GSPO (arXiv 2507.18071); verl policy loss gspo",
		Summary:   "sequence-level ratio and clip (3e-4/4e-4), seq-mean-token-mean; no KL",
		Advantage: grpoAdv(),
		Loss:      LossConfig{Name: "gspo", ClipLow: 3e-4, ClipHigh: 4e-4, Agg: Aggregation{Mode: SeqMeanTokenMean}},
		TermsAgg:  Aggregation{Mode: SeqMeanTokenMean}, KL: KLConfig{LossType: KLK3},
		Reward:   RewardConfig{Verifier: "math", Correct: 1, Incorrect: 0},
		Batch:    BatchConfig{Prompts: 256, Rollouts: 8, MiniBatchPrompts: 64, PPOEpochs: 1, MaxPromptLen: 1024, MaxResponseLen: 8192},
		Optim:    OptimConfig{LR: 1e-6, Schedule: "constant", WarmupSteps: 10, WeightDecay: 0.1, GradClip: 1},
		Sampling: SamplingConfig{Temperature: 1, TopP: 1},
	}
}

// P1Preset is P1's RL recipe (PRIME-RL, arXiv 2511.13612, spec applications §1.2): GSPO with
// truncated importance sampling on each sample's rollout/trainer ratio (cap 2, verl's default;
// the paper gives none), the physics reward (mean correctness of the sub-answers, so rewards lie
// in [0, 1]). Pure RL in the paper; the learnability pre-filter (ascent data filter) and the
// staged group size and length are set outside the preset.
func P1Preset() Config {
	c := GSPOPreset()
	c.Name, c.Paper = "p1", "P1 2025, physics olympiad RL (arXiv 2511.13612): GSPO + truncated importance sampling"
	c.Summary = "GSPO (sequence ratio and clip) with sequence-level truncated IS min(π_train/π_rollout, 2)"
	c.TIS = TISConfig{Cap: 2, Level: "sequence"}
	return c
}

// CISPOPreset is CISPO (MiniMax-M1, arXiv 2506.13585): GRPO advantages, but instead of dropping the
// gradient of clipped tokens it clips the stop-gradient importance weight, so rare "fork" tokens keep
// learning. The paper sets no lower bound (ε_low large: 1.0 makes the bound 0) and tunes only ε_high;
// 0.28 follows Trinity-RFT's default [unverified for MiniMax's value]. Token-mean, no KL. Batch and
// lr as the gspo preset [unverified].
func CISPOPreset() Config {
	return Config{
		Name: "cispo", Paper: "MiniMax-M1 2025, CISPO (arXiv 2506.13585)",
		Summary:   "clipped stop-grad IS weight × log π (no token dropped), ε_high 0.28, token-mean; no KL",
		Advantage: grpoAdv(),
		Loss:      LossConfig{Name: "cispo", ClipLow: 1, ClipHigh: 0.28, Agg: Aggregation{Mode: TokenMean}},
		TermsAgg:  Aggregation{Mode: TokenMean}, KL: KLConfig{LossType: KLK3},
		Reward:   RewardConfig{Verifier: "math", Correct: 1, Incorrect: 0},
		Batch:    BatchConfig{Prompts: 256, Rollouts: 8, MiniBatchPrompts: 64, PPOEpochs: 1, MaxPromptLen: 1024, MaxResponseLen: 8192},
		Optim:    OptimConfig{LR: 1e-6, Schedule: "constant", WarmupSteps: 10, WeightDecay: 0.1, GradClip: 1},
		Sampling: SamplingConfig{Temperature: 1, TopP: 1},
	}
}
