package algo

// SimpleVLA is SimpleVLA-RL's algorithm (Li et al. 2025, arXiv 2509.09674;
// examples/run_openvla_oft_rl_libero.sh): GRPO on the binary episode success placed at the last
// valid action token, the clipped surrogate with clip-higher ε 0.2/0.28, token-mean, no KL, no
// entropy bonus, sampling temperature 1.6, dynamic sampling that keeps groups whose success rate
// lies in [0.1, 0.9] (a band, which FilterConfig cannot express: the vla trainer applies it),
// lr 5e-6 constant, grad clip 1, n = 8. It is not in the preset registry because the text trainer
// cannot run it: `ascent train --preset simplevla` dispatches to package vla, which uses this
// configuration (with a learning rate for its small policy).
func SimpleVLA() Config {
	return Config{
		Name: "simplevla", Paper: "Li et al. 2025, SimpleVLA-RL (arXiv 2509.09674)",
		Summary:   "GRPO on binary env success, clip 0.2/0.28, token-mean, temperature 1.6, success-band dynamic sampling; no KL, no entropy",
		Advantage: grpoAdv(),
		Loss:      LossConfig{Name: "vanilla", ClipLow: 0.2, ClipHigh: 0.28, Agg: Aggregation{Mode: TokenMean}},
		TermsAgg:  Aggregation{Mode: TokenMean}, KL: KLConfig{LossType: KLK3},
		Reward:   RewardConfig{Verifier: "env_success", Correct: 1, Incorrect: 0},
		Batch:    BatchConfig{Prompts: 64, Rollouts: 8, MiniBatchPrompts: 16, PPOEpochs: 1},
		Optim:    OptimConfig{LR: 3e-4, Schedule: "constant", GradClip: 1},
		Sampling: SamplingConfig{Temperature: 1.6, TopP: 1},
	}
}
