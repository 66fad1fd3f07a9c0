package algo

import (
	"fmt"

	"github.com/ascent-rl/ascent/internal/registry"
)

// Config is a method preset: every algorithm-side setting of one paper's recipe, typed, with the
// paper's defaults. The trainer reads it; `ascent presets` prints it. Zero values mean "off".
type Config struct {
	// Name is the preset name (ppo, grpo, dapo, justrl, clip_cov, kl_cov, flowrl, ttrl, hpt, gspo, cispo).
	Name string `json:"name" yaml:"name"`
	// Paper is the citation the defaults come from.
	Paper string `json:"paper" yaml:"paper"`
	// Summary says in one line what the preset turns on and off.
	Summary string `json:"summary" yaml:"summary"`
	// Advantage selects the advantage estimator (Â, part 3 of the unified estimator).
	Advantage AdvantageConfig `json:"advantage" yaml:"advantage"`
	// Loss selects the policy loss and its parameters (parts 1 and 2) and the aggregation.
	Loss LossConfig `json:"loss" yaml:"loss"`
	// EntropyCoef is the entropy bonus coefficient c_H in pg − c_H·H + c_KL·KL (0 = off).
	EntropyCoef float64 `json:"entropy_coef" yaml:"entropy_coef"`
	// TermsAgg aggregates the entropy and KL terms (verl: the actor's loss_agg_mode).
	TermsAgg Aggregation `json:"terms_agg" yaml:"terms_agg"`
	// KL configures the KL regularisers (both off by default in every preset but ttrl).
	KL KLConfig `json:"kl" yaml:"kl"`
	// Critic configures PPO's value head; nil for critic-free methods.
	Critic *CriticConfig `json:"critic,omitempty" yaml:"critic,omitempty"`
	// Reward configures reward shaping and selection around the verifier.
	Reward RewardConfig `json:"reward" yaml:"reward"`
	// Batch holds batch sizes and lengths (counts of prompts, as verl's config does).
	Batch BatchConfig `json:"batch" yaml:"batch"`
	// Optim holds optimiser settings.
	Optim OptimConfig `json:"optim" yaml:"optim"`
	// Sampling holds the training rollout's sampling settings.
	Sampling SamplingConfig `json:"sampling" yaml:"sampling"`
	// TIS corrects the sampler/trainer mismatch by truncated importance sampling (off: cap 0).
	TIS TISConfig `json:"tis" yaml:"tis"`
}

// KLConfig holds the two ways of using a KL estimate (spec §1.4).
type KLConfig struct {
	// InReward subtracts β·kl(old, ref) from the token rewards before the advantage (classic PPO-RLHF).
	InReward bool `json:"in_reward" yaml:"in_reward"`
	// RewardCoef is β of the KL-in-reward penalty (verl 0.001 when on).
	RewardCoef float64 `json:"reward_coef,omitempty" yaml:"reward_coef,omitempty"`
	// RewardType is the estimator of the KL-in-reward penalty (verl "kl" = k1, the default).
	RewardType KLType `json:"reward_type,omitempty" yaml:"reward_type,omitempty"`
	// Adaptive turns on verl's adaptive β controller (AdaptiveKL): β starts at RewardCoef and after
	// each step moves towards TargetKL at a speed set by Horizon rows.
	Adaptive bool `json:"adaptive,omitempty" yaml:"adaptive,omitempty"`
	// TargetKL is the adaptive controller's target (verl 0.1).
	TargetKL float64 `json:"target_kl,omitempty" yaml:"target_kl,omitempty"`
	// Horizon is the adaptive controller's horizon (verl 10000).
	Horizon int `json:"horizon,omitempty" yaml:"horizon,omitempty"`
	// LossCoef is the KL-loss coefficient c_KL (GRPO style; 0 = off).
	LossCoef float64 `json:"loss_coef" yaml:"loss_coef"`
	// LossType is the KL-loss estimator (verl default k3 = low_var_kl).
	LossType KLType `json:"loss_type,omitempty" yaml:"loss_type,omitempty"`
}

// CriticConfig is PPO's value head. It is a head on the policy's body trained by the same AdamW
// at algo.optim.lr (verl trains a separate critic model with its own learning rate).
type CriticConfig struct {
	// ValueClip is cliprange_value (0.5).
	ValueClip float64 `json:"value_clip" yaml:"value_clip"`
}

// RewardConfig holds the reward-side tricks. Every one has an off default.
type RewardConfig struct {
	// Verifier names the reward function: "math" (equivalence checker), "strict_box" (JustRL: last
	// \boxed{} string equality, on math data sources; physics, code and event F1 keep their
	// graders), "majority_vote" (TTRL), "lenient" (Countdown: any subset of the numbers may reach
	// the target; JustRL's verifier ablation; evaluation stays strict).
	Verifier string `json:"verifier" yaml:"verifier"`
	// Correct is the reward of a verified-correct response (1).
	Correct float64 `json:"correct" yaml:"correct"`
	// Incorrect is the reward of a wrong or unparseable response (−1 for DAPO/JustRL, 0 elsewhere).
	Incorrect float64 `json:"incorrect" yaml:"incorrect"`
	// Overlong is DAPO's soft overlong punishment (OverlongPenalty).
	Overlong OverlongConfig `json:"overlong" yaml:"overlong"`
	// FilterGroups is DAPO's dynamic sampling (FilterGroups + regeneration).
	FilterGroups FilterConfig `json:"filter_groups" yaml:"filter_groups"`
	// Vote is TTRL's majority-vote pseudo-labelling (MajorityVote, FirstN).
	Vote VoteConfig `json:"vote" yaml:"vote"`
	// Switch is HPT's per-question SFT/RL switch (HPTRoute).
	Switch SwitchConfig `json:"switch" yaml:"switch"`
}

// OverlongConfig is DAPO's soft overlong punishment.
type OverlongConfig struct {
	Enabled bool    `json:"enabled" yaml:"enabled"`                   // add OverlongPenalty to the score
	Buffer  int     `json:"buffer,omitempty" yaml:"buffer,omitempty"` // L_buf in tokens (4096)
	Factor  float64 `json:"factor,omitempty" yaml:"factor,omitempty"` // penalty at the hard cap (1.0)
}

// FilterConfig is DAPO's dynamic sampling.
type FilterConfig struct {
	Enabled       bool    `json:"enabled" yaml:"enabled"`                                     // drop constant-metric groups
	Metric        string  `json:"metric,omitempty" yaml:"metric,omitempty"`                   // per-row metric: acc (default), score or seq_final_reward
	MaxGenBatches int     `json:"max_gen_batches,omitempty" yaml:"max_gen_batches,omitempty"` // error after this many rounds (10)
	GenBatchScale float64 `json:"gen_batch_scale,omitempty" yaml:"gen_batch_scale,omitempty"` // prompts generated per round ÷ prompts trained (3)
}

// VoteConfig is TTRL's majority vote.
type VoteConfig struct {
	Enabled bool `json:"enabled" yaml:"enabled"`                     // reward = agreement with the majority answer
	NVotes  int  `json:"n_votes,omitempty" yaml:"n_votes,omitempty"` // samples voted on per prompt (64)
	NTrain  int  `json:"n_train,omitempty" yaml:"n_train,omitempty"` // first samples kept for the update (32)
}

// SwitchConfig is HPT's per-question switch: it counts the verified-correct responses among a
// prompt's algo.batch.rollouts.
type SwitchConfig struct {
	Enabled bool `json:"enabled" yaml:"enabled"`   // route prompts with HPTRoute
	Gate    int  `json:"gate" yaml:"gate"`         // γ as a count of correct rollouts (0 Qwen, 2 LLaMA)
	GateOff int  `json:"gate_off" yaml:"gate_off"` // switch_gate_off (= Gate in released configs)
}

// BatchConfig is the batch geometry. Prompt counts, as in verl.
type BatchConfig struct {
	Prompts          int `json:"prompts" yaml:"prompts"`                       // prompts per RL step
	Rollouts         int `json:"rollouts" yaml:"rollouts"`                     // samples per prompt (TTRL: votes)
	MiniBatchPrompts int `json:"mini_batch_prompts" yaml:"mini_batch_prompts"` // prompts per optimiser update
	PPOEpochs        int `json:"ppo_epochs" yaml:"ppo_epochs"`                 // passes over the batch
	MaxPromptLen     int `json:"max_prompt_len" yaml:"max_prompt_len"`         // tokens
	MaxResponseLen   int `json:"max_response_len" yaml:"max_response_len"`     // tokens
}

// OptimConfig is the actor optimiser (AdamW).
type OptimConfig struct {
	LR                float64 `json:"lr" yaml:"lr"`                                                         // learning rate
	Schedule          string  `json:"schedule" yaml:"schedule"`                                             // "constant" or "cosine" (after warm-up)
	MinLRRatio        float64 `json:"min_lr_ratio,omitempty" yaml:"min_lr_ratio,omitempty"`                 // the cosine schedule's floor as a fraction of lr (0: decays to 0)
	WarmupSteps       int     `json:"warmup_steps,omitempty" yaml:"warmup_steps,omitempty"`                 // linear warm-up steps
	WarmupRatio       float64 `json:"warmup_ratio,omitempty" yaml:"warmup_ratio,omitempty"`                 // warm-up as a fraction of all steps
	WeightDecay       float64 `json:"weight_decay" yaml:"weight_decay"`                                     // decoupled weight decay
	GradClip          float64 `json:"grad_clip" yaml:"grad_clip"`                                           // global grad-norm clip
	SkipGradNormAbove float64 `json:"skip_grad_norm_above,omitempty" yaml:"skip_grad_norm_above,omitempty"` // skip the step if the pre-clip norm exceeds it (HPT 80; 0 = never)
}

// SamplingConfig is the training rollout's sampler.
type SamplingConfig struct {
	Temperature float64 `json:"temperature" yaml:"temperature"` // logits are divided by it in sampling and training
	TopP        float64 `json:"top_p" yaml:"top_p"`             // nucleus sampling
}

// presets is the preset registry.
var presets = registry.New[func() Config]("algo", "preset")

// registerPreset adds a preset constructor (called from init).
func registerPreset(name string, f func() Config) { presets.Register(name, f) }

// PresetNames lists the presets, sorted.
func PresetNames() []string { return presets.Names() }

// Preset returns a fresh copy of the named preset, or an error listing the valid names.
func Preset(name string) (Config, error) {
	f, err := presets.Lookup(name)
	if err != nil {
		return Config{}, err
	}
	return f(), nil
}

// Presets returns every preset, sorted by name.
func Presets() []Config {
	var out []Config
	for _, n := range PresetNames() {
		c, _ := Preset(n)
		out = append(out, c)
	}
	return out
}

// NewAdvantage builds the preset's advantage estimator.
func (c Config) NewAdvantage() (AdvantageEstimator, error) {
	e, err := NewAdvantage(c.Advantage)
	if err != nil {
		return nil, fmt.Errorf("preset %s: %w", c.Name, err)
	}
	return e, nil
}

// NewActorLoss builds the preset's total actor loss: policy loss, entropy bonus and KL loss.
func (c Config) NewActorLoss() (Actor, error) {
	pg, err := NewLoss(c.Loss)
	if err != nil {
		return Actor{}, fmt.Errorf("preset %s: %w", c.Name, err)
	}
	a, err := NewActor(pg, c.EntropyCoef, c.KL.LossCoef, c.KL.LossType, c.TermsAgg)
	if err != nil {
		return Actor{}, fmt.Errorf("preset %s: %w", c.Name, err)
	}
	return a, nil
}

// NewValueLoss builds PPO's critic loss; an error for critic-free presets.
func (c Config) NewValueLoss() (ValueLoss, error) {
	if c.Critic == nil {
		return ValueLoss{}, fmt.Errorf("preset %s: no critic (critic-free method)", c.Name)
	}
	return NewValueLoss(c.Critic.ValueClip, c.Loss.Agg)
}

// Validate builds every component once and checks the batch geometry.
func (c Config) Validate() error {
	if _, err := c.NewAdvantage(); err != nil {
		return err
	}
	if _, err := c.NewActorLoss(); err != nil {
		return err
	}
	if c.Critic != nil {
		if _, err := c.NewValueLoss(); err != nil {
			return err
		}
	}
	b := c.Batch
	if b.Prompts <= 0 || b.Rollouts <= 0 || b.MiniBatchPrompts <= 0 || b.PPOEpochs <= 0 || b.Prompts%b.MiniBatchPrompts != 0 {
		return fmt.Errorf("preset %s: batch %+v: want positive sizes and prompts divisible by mini_batch_prompts", c.Name, b)
	}
	if o := c.Optim; o.MinLRRatio < 0 || o.MinLRRatio > 1 || o.MinLRRatio > 0 && o.Schedule != "cosine" {
		return fmt.Errorf("preset %s: optim.min_lr_ratio %g: want [0, 1], and only with schedule cosine (schedule is %q)", c.Name, o.MinLRRatio, o.Schedule)
	}
	if err := c.KL.validate(); err != nil {
		return fmt.Errorf("preset %s: %w", c.Name, err)
	}
	if err := c.TIS.validate(); err != nil {
		return fmt.Errorf("preset %s: %w", c.Name, err)
	}
	if c.TIS.Enabled() && c.Loss.Name == "flowrl" {
		return fmt.Errorf("preset %s: tis is applied through the advantages, which flowrl's trajectory-balance loss does not read; turn one off", c.Name)
	}
	if c.Reward.Vote.Enabled && (c.Reward.Vote.NTrain <= 0 || c.Reward.Vote.NTrain > c.Reward.Vote.NVotes) {
		return fmt.Errorf("preset %s: vote n_train %d: want in [1, n_votes %d]", c.Name, c.Reward.Vote.NTrain, c.Reward.Vote.NVotes)
	}
	if c.Reward.Overlong.Enabled {
		if _, err := OverlongPenalty(0, b.MaxResponseLen, c.Reward.Overlong.Buffer, c.Reward.Overlong.Factor); err != nil {
			return fmt.Errorf("preset %s: %w", c.Name, err)
		}
	}
	return nil
}

// UpdatesPerStep is the number of optimiser updates per RL step: epochs × prompts / mini-batch.
func (c Config) UpdatesPerStep() int {
	if c.Batch.MiniBatchPrompts == 0 {
		return 0
	}
	return c.Batch.PPOEpochs * c.Batch.Prompts / c.Batch.MiniBatchPrompts
}

// validate checks the KL-in-reward estimator and the adaptive controller's settings.
func (k KLConfig) validate() error {
	if k.RewardType != "" {
		if _, err := ParseKLType(string(k.RewardType)); err != nil {
			return fmt.Errorf("kl.reward_type: %w", err)
		}
	}
	if k.Adaptive && (!k.InReward || k.TargetKL <= 0 || k.Horizon <= 0) {
		return fmt.Errorf("kl.adaptive needs kl.in_reward and positive kl.target_kl and kl.horizon (in_reward %v, target_kl %g, horizon %d)", k.InReward, k.TargetKL, k.Horizon)
	}
	return nil
}
