package trainer

import (
	"fmt"
	"os"
	"slices"
	"strings"

	yamlv3 "gopkg.in/yaml.v3"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/config"
	"github.com/ascent-rl/ascent/rollout"
)

// Config is a whole training run. Keys are the YAML names; `ascent train --set algo.optim.lr=1e-4`
// overrides any of them. The algo section is the method preset (see `ascent presets`), whose paper
// defaults the default recipe rescales for the tiny built-in model (ScaleForTinyModel).
type Config struct {
	// Preset names the method preset the algo section starts from.
	Preset string `yaml:"preset" validate:"required"`
	// Run holds the run's identity, length and bookkeeping.
	Run RunConfig `yaml:"run"`
	// Model chooses the policy network and tokenizer.
	Model ModelConfig `yaml:"model"`
	// Data chooses the training prompts and the held-out evaluation set.
	Data DataConfig `yaml:"data"`
	// SFT is the supervised warm-up on demonstrations before RL (0 steps: none).
	SFT SFTConfig `yaml:"sft"`
	// Eval is the held-out evaluation before and after RL (and every Every steps).
	Eval EvalConfig `yaml:"eval"`
	// Algo is the method: advantage, loss, KL, reward shaping, batch geometry, optimiser, sampling.
	Algo algo.Config `yaml:"algo"`
	// Rollout optionally moves sampling to OpenAI-compatible servers (vLLM, SGLang, ascent serve).
	Rollout RolloutConfig `yaml:"rollout"`
	// Reward chooses where rewards are computed (in-process, or on reward workers over NATS).
	Reward RewardConfig `yaml:"reward"`
	// Stages, when set, split the RL steps into stages that grow the group size and the response
	// length as the model improves (P1's staged training). Their steps must add up to run.steps; each
	// stage's rollouts and max_response_len replace algo.batch's while it runs. Evaluations keep
	// algo.batch.max_response_len (or eval.max_tokens) so that before and after compare.
	Stages []StageConfig `yaml:"stages" validate:"dive"`
	// Async lets rollouts run ahead of training by up to async.max_staleness weight versions, with
	// off-policy corrections (docs/training.md, "Asynchronous RL"); max_staleness 0 is the
	// synchronous loop.
	Async AsyncConfig `yaml:"async"`
}

// StageConfig is one stage of staged training.
type StageConfig struct {
	// Steps is the stage's length in RL steps.
	Steps int `yaml:"steps" validate:"gte=1"`
	// Rollouts is the group size (responses per prompt) during the stage.
	Rollouts int `yaml:"rollouts" validate:"gte=1"`
	// MaxResponseLen is the maximum response length in tokens during the stage.
	MaxResponseLen int `yaml:"max_response_len" validate:"gte=1"`
}

// RewardConfig chooses where rewards are computed.
type RewardConfig struct {
	// Workers sends scoring to `ascent reward-worker` processes over a NATS JetStream work queue.
	Workers RewardWorkersConfig `yaml:"workers"`
}

// RewardWorkersConfig sends scoring to reward workers (package rewardq; docs/sandbox.md).
type RewardWorkersConfig struct {
	// NATS is the NATS server URL the workers serve, e.g. nats://127.0.0.1:4222 ("": score in-process).
	NATS string `yaml:"nats"`
	// DataSources are the data_sources scored by the workers (empty: every row's).
	DataSources []string `yaml:"data_sources"`
	// TimeoutS bounds each job in seconds, waiting included (0: the reward's own deadline plus 30 s).
	TimeoutS float64 `yaml:"timeout_s" validate:"gte=0"`
}

// RolloutConfig moves rollouts to remote servers; training stays in the local engine, and after
// every step the trainer writes its weights to RUN/rollout_weights and asks each server to load
// them (POST /update_weights_from_disk), so the path must be readable by the servers.
type RolloutConfig struct {
	// Endpoints are the servers' OpenAI base URLs, e.g. http://127.0.0.1:8000/v1 (empty: sample locally).
	Endpoints []string `yaml:"endpoints"`
	// Model is the served model name sent with each request.
	Model string `yaml:"model"`
	// APIKey is the bearer token the servers expect ("" for none).
	APIKey string `yaml:"api_key"`
	// Tools are the tools the policy may call between turns, by name in the tool registry (calc,
	// python); empty: single-turn rollouts. With tools, rollouts and evaluations are multi-turn and
	// the tools' replies are masked out of the loss (docs/tools.md).
	Tools []string `yaml:"tools"`
	// MaxTurns bounds the policy turns of a trajectory with tools (0: 4).
	MaxTurns int `yaml:"max_turns" validate:"gte=0"`
	// ToolSyntax is how calls are written: "tiny" (`\calc{...}`, for the built-in tokenizers) or
	// "hermes" (`<tool_call>{json}</tool_call>`, Qwen); "": tiny for built-in tokenizers, else hermes.
	ToolSyntax string `yaml:"tool_syntax"`
	// ToolTimeoutS bounds each tool call in seconds (0: 10 s); a call past it is answered as an error.
	ToolTimeoutS float64 `yaml:"tool_timeout_s" validate:"gte=0"`
}

// RunConfig holds the run's identity, length and bookkeeping.
type RunConfig struct {
	// Name is the run's name; the run directory is Out/Name ("" → preset-timestamp).
	Name string `yaml:"name"`
	// Out is the runs root directory.
	Out string `yaml:"out" validate:"required"`
	// Seed seeds every random stream (model init, data order, sampling, loss noise).
	Seed uint64 `yaml:"seed"`
	// Steps is the number of RL steps.
	Steps int `yaml:"steps" validate:"gte=0"`
	// SaveEvery writes a checkpoint every this many steps (and always at the end); 0: only at the end.
	SaveEvery int `yaml:"save_every" validate:"gte=0"`
	// KeepCheckpoints keeps this many newest checkpoints (0: all).
	KeepCheckpoints int `yaml:"keep_checkpoints" validate:"gte=0"`
	// SamplesPerStep writes this many scored samples per step to samples/step_N.jsonl (0: none).
	SamplesPerStep int `yaml:"samples_per_step" validate:"gte=0"`
	// MicroBatchRows is the rows per micro-batch in updates (gradient accumulation; 0: whole mini-batch).
	MicroBatchRows int `yaml:"micro_batch_rows" validate:"gte=0"`
	// RewardWorkers bounds concurrent verifier calls (0: one per core).
	RewardWorkers int `yaml:"reward_workers" validate:"gte=0"`
	// TimeBudgetS ends the RL phase after the first step that finishes past this many wall seconds
	// from the first RL step's start, then evaluates as after the last step (0: no budget).
	TimeBudgetS float64 `yaml:"time_budget_s" validate:"gte=0"`
	// OldLogProbs is which rows the old-log-prob pass scores: "all" ("" too: every row, verl's
	// actor/entropy) or "updated" (only the rows the update reads, when the loss leaves
	// zero-advantage rows inert and nothing else needs the others; see docs/training.md).
	OldLogProbs string `yaml:"old_log_probs"`
}

// ModelConfig chooses the policy network and tokenizer.
type ModelConfig struct {
	// Init is "tiny" or "small30m" (random initialisation of a built-in size) or a directory with a
	// Hugging Face config.json + safetensors (an Ascent checkpoint or a Qwen2/Llama model). An
	// Ascent checkpoint's AdamW state is continued too when sft.steps is 0 and sft.keep_optimizer.
	Init string `yaml:"init" validate:"required"`
	// Tokenizer is "char" (the built-in tasks' character vocabulary) or a tokenizer.json path/dir.
	Tokenizer string `yaml:"tokenizer" validate:"required"`
	// Context is the context length (max_position_embeddings) of a built-in model.init (0: the
	// size's own, 64 for tiny and 1024 for small30m; the p1 recipe sets 128 for the physics task's
	// two-part answers). With a model directory it must be 0 or the checkpoint's own.
	Context int `yaml:"context" validate:"gte=0"`
}

// DataConfig chooses the training prompts and the held-out evaluation set.
type DataConfig struct {
	// Task is a built-in task name (arith, countdown) used when TrainFile is empty.
	Task string `yaml:"task"`
	// Level is the built-in task's difficulty level (1 = easiest).
	Level int `yaml:"level" validate:"gte=1"`
	// TaskOptions override the level's difficulty knobs by their names (e.g. operands: 3).
	TaskOptions map[string]any `yaml:"task_options"`
	// TrainSize is how many built-in training problems one epoch holds.
	TrainSize int `yaml:"train_size" validate:"gte=1"`
	// TrainFile is a JSONL or verl parquet file of training prompts (overrides Task).
	TrainFile string `yaml:"train_file"`
	// ValFile is a JSONL or parquet file for held-out evaluation ("" with a built-in task: its test split).
	ValFile string `yaml:"val_file"`
	// PromptSuffix is appended to every file prompt; "justrl" is data.JustRLSuffix ("\n\nPlease
	// reason step by step, …"). Built-in task prompts are left alone.
	PromptSuffix string `yaml:"prompt_suffix"`
}

// SFTConfig is the supervised warm-up on demonstrations.
type SFTConfig struct {
	// Steps is the number of optimiser steps (0: no warm-up).
	Steps int `yaml:"steps" validate:"gte=0"`
	// BatchRows is the demonstrations per step.
	BatchRows int `yaml:"batch_rows" validate:"gte=1"`
	// LR is the warm-up's peak learning rate (cosine schedule after a short linear warm-up).
	LR float64 `yaml:"lr" validate:"gt=0"`
	// MinLRRatio is where the cosine schedule ends, as a fraction of LR. Annealing to 0 leaves the
	// model in a sharp minimum that any re-warmed RL learning rate knocks it out of (docs/benchmarks.md);
	// ending at the RL learning rate avoids that shock.
	MinLRRatio float64 `yaml:"min_lr_ratio" validate:"gte=0,lte=1"`
	// KeepOptimizer starts RL with the warm-up's AdamW moments instead of fresh ones (a fresh AdamW's
	// first steps move every weight by about ±lr, whatever its gradient).
	KeepOptimizer bool `yaml:"keep_optimizer"`
}

// EvalConfig is the held-out evaluation.
type EvalConfig struct {
	// Problems is the number of held-out problems (greedy, one sample each).
	Problems int `yaml:"problems" validate:"gte=0"`
	// Every evaluates every this many RL steps as val/accuracy (0: only before and after).
	Every int `yaml:"every" validate:"gte=0"`
	// MaxTokens caps evaluation responses (0: algo.batch.max_response_len).
	MaxTokens int `yaml:"max_tokens" validate:"gte=0"`
	// PassK also samples this many responses per problem at the rollout temperature at every
	// evaluation and logs val/pass@k (k = 1, 2, 4, … ≤ PassK), val/maj@PassK and
	// val/distinct_correct (0: greedy only).
	PassK int `yaml:"pass_k" validate:"gte=0"`
	// PassKProblems samples only the first this many held-out problems for PassK (0: all of them).
	PassKProblems int `yaml:"pass_k_problems" validate:"gte=0"`
	// Distinct makes a built-in task's held-out set its first Problems distinct problems
	// (data.HeldOut), or every distinct one when its split has fewer: a small split (level-2
	// physics holds 81) is otherwise drawn with repeats, and one problem drawn 63 times sways the
	// score. Off by default so that the recorded held-out sets of the other recipes do not move;
	// the p1 recipe sets it.
	Distinct bool `yaml:"distinct"`
}

// DefaultConfig is the default recipe: JustRL on the built-in Countdown task (level 1: reach a
// target up to 30 from three numbers 1..9) with a tiny model, a 250-step SFT warm-up (ending at 10%
// of its peak learning rate, its AdamW state handed to RL), 400 RL steps of four optimiser updates
// each and 2000 held-out problems — about nine minutes on two CPU cores. Countdown, not
// arithmetic, because a demonstration shows one of several solutions and the SFT model samples many
// more than it decodes greedily, so RL has something to find; a short warm-up leaves it more to find
// (docs/benchmarks.md has the runs behind each number).
func DefaultConfig(preset string) (Config, error) {
	a, err := algo.Preset(preset)
	if err != nil {
		return Config{}, err
	}
	c := Config{
		Preset: preset,
		Run:    RunConfig{Out: "runs", Seed: 1, Steps: 400, SaveEvery: 50, KeepCheckpoints: 2, SamplesPerStep: 16},
		Model:  ModelConfig{Init: "tiny", Tokenizer: "char"},
		Data:   DataConfig{Task: "countdown", Level: 1, TrainSize: 20000},
		SFT:    SFTConfig{Steps: 250, BatchRows: 32, LR: 3e-3, MinLRRatio: 0.1, KeepOptimizer: true},
		Eval:   EvalConfig{Problems: 2000},
		Algo:   a,
	}
	ScaleForTinyModel(&c.Algo)
	if preset == ToolsPreset {
		toolsRecipe(&c)
	}
	if preset == "p1" {
		p1Recipe(&c)
	}
	return c, nil
}

// ScaleForTinyModel rescales a preset's batch geometry, lengths and learning rate — set in the papers
// for 1.5B–32B models with 8K–16K-token responses — to the tiny built-in model (context 64), keeping
// every method-defining setting (clip ranges, aggregation, KL, shaping switches) as the paper has it.
func ScaleForTinyModel(a *algo.Config) {
	a.Batch.Prompts = 32
	// Four optimiser updates per step: the tiny model's RL updates are small (ppo_kl ≈ 1e-4, no
	// clipping), so splitting the batch finer learns faster at the same cost (docs/benchmarks.md).
	a.Batch.MiniBatchPrompts = 8
	if a.Batch.Rollouts > 8 || a.Batch.Rollouts == 0 {
		a.Batch.Rollouts = 8
	}
	a.Batch.PPOEpochs = max(a.Batch.PPOEpochs, 1)
	a.Batch.MaxPromptLen = 24
	a.Batch.MaxResponseLen = 36
	a.Optim.LR = 1e-4
	a.Optim.WarmupSteps = 0
	a.Optim.WarmupRatio = 0
	if a.Reward.Overlong.Enabled {
		a.Reward.Overlong.Buffer = 8
	}
	if a.Reward.Vote.Enabled {
		a.Reward.Vote.NVotes, a.Reward.Vote.NTrain = 8, 4
		a.Batch.Rollouts = 8
	}
	// Dr.GRPO-style constant normalisers are "the maximum response length" in the papers.
	if a.Loss.Agg.Mode == algo.SeqMeanTokenSumNorm && a.Loss.Agg.ScaleFactor > float64(a.Batch.MaxResponseLen) {
		a.Loss.Agg.ScaleFactor = float64(a.Batch.MaxResponseLen)
	}
}

// LoadConfig builds a run's config: the preset's defaults (preset: flag > file's `preset` key >
// "justrl"), then the YAML file, ASCENT_* environment variables and --set overrides, validated.
func LoadConfig(presetFlag, file string, sets []string) (Config, error) {
	preset := presetFlag
	if preset == "" && file != "" {
		var peek struct {
			Preset string `yaml:"preset"`
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return Config{}, fmt.Errorf("config: %w", err)
		}
		if err := yamlv3.Unmarshal(b, &peek); err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", file, err)
		}
		preset = peek.Preset
	}
	if preset == "" {
		preset = "justrl"
	}
	c, err := DefaultConfig(preset)
	if err != nil {
		return Config{}, err
	}
	if err := config.Load(&c, config.Sources{File: file, EnvPrefix: "ASCENT_", Sets: sets}); err != nil {
		return Config{}, err
	}
	if c.Preset != preset {
		return Config{}, fmt.Errorf("config: preset %q from the file/overrides disagrees with --preset %q; use one", c.Preset, preset)
	}
	return c, c.validate()
}

// validate checks what struct tags cannot: cross-field consistency.
func (c Config) validate() error {
	if err := c.Algo.Validate(); err != nil {
		return fmt.Errorf("config: algo: %w", err)
	}
	b := c.Algo.Batch
	switch {
	case b.Prompts <= 0 || b.Rollouts <= 0 || b.MiniBatchPrompts <= 0 || b.PPOEpochs <= 0:
		return fmt.Errorf("config: algo.batch: prompts %d, rollouts %d, mini_batch_prompts %d, ppo_epochs %d must all be ≥ 1", b.Prompts, b.Rollouts, b.MiniBatchPrompts, b.PPOEpochs)
	case b.Prompts%b.MiniBatchPrompts != 0:
		return fmt.Errorf("config: algo.batch.mini_batch_prompts = %d must divide algo.batch.prompts = %d", b.MiniBatchPrompts, b.Prompts)
	case b.MaxResponseLen <= 0:
		return fmt.Errorf("config: algo.batch.max_response_len = %d must be ≥ 1", b.MaxResponseLen)
	}
	if f := c.Algo.Reward.FilterGroups; f.Enabled {
		if _, err := rollout.TrajectoryMetric(filterMetric(f.Metric)); err != nil {
			return fmt.Errorf("config: algo.reward.filter_groups.metric: %w", err)
		}
	}
	if err := c.validateAsync(); err != nil {
		return err
	}
	if o := c.Run.OldLogProbs; o != "" && !slices.Contains(oldLogProbModes, o) {
		return fmt.Errorf("config: run.old_log_probs = %q: want one of %s", o, strings.Join(oldLogProbModes, ", "))
	}
	if c.Data.TrainFile == "" && c.Data.Task == "" {
		return fmt.Errorf("config: set data.task (a built-in task) or data.train_file")
	}
	if len(c.Stages) > 0 {
		total := 0
		for _, st := range c.Stages {
			total += st.Steps
		}
		if total != c.Run.Steps {
			return fmt.Errorf("config: stages cover %d steps but run.steps is %d; make them equal", total, c.Run.Steps)
		}
		if c.Algo.Reward.Vote.Enabled {
			return fmt.Errorf("config: stages change the group size, which TTRL's vote (algo.reward.vote) fixes; use one")
		}
	}
	return nil
}
