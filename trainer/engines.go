package trainer

import (
	"context"
	"errors"
	"fmt"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/model"
)

// Sampler draws rollouts: the local learner itself, or remote servers (engine/openai). It is
// rollout.Sampler.
type Sampler interface {
	// Sample draws n responses for each prompt, prompt-major.
	Sample(ctx context.Context, prompts [][]int, n int, p engine.SamplingParams) ([]engine.Sequence, error)
}

// Learner is the policy the trainer trains (engine/local): it samples, scores rows, takes optimizer
// steps, grows the heads a loss needs, hands its optimizer state over and checkpoints itself.
type Learner interface {
	Sampler
	// LogProbs computes per-token log-probs, entropies and (with a value head) values of rows.
	LogProbs(ctx context.Context, rows []engine.Row, temperature float64) (*engine.LogProbResult, error)
	// Update takes one optimizer step on a mini-batch with the loss and returns verl-named metrics.
	Update(ctx context.Context, rows []engine.Row, loss algo.Loss, opt engine.UpdateOptions) (map[string]float64, error)
	// EnsureHeads creates the heads (value, log Z) a loss's requirements name.
	EnsureHeads(req algo.Requirements)
	// Params returns the live weights (read-only).
	Params() *model.Params
	// OptimizerState returns a copy of the optimizer's moments and step.
	OptimizerState() engine.OptimizerState
	// SetOptimizerState continues another learner's optimizer (moments and step count); the
	// learner's own LR schedule starts at that step, and the heads are dropped (EnsureHeads
	// recreates them).
	SetOptimizerState(s engine.OptimizerState) error
	// Save writes weights and optimizer state to dir atomically.
	Save(dir string) error
	// Load restores what Save wrote; a directory without optimizer state wraps engine.ErrNoState.
	Load(dir string) error
	// CompileCount is the number of graphs compiled so far (perf/compile_count).
	CompileCount() int64
}

// Remote is a fleet of rollout servers (engine/openai): it samples, loads the weights the trainer
// publishes, and reports its request metrics.
type Remote interface {
	Sampler
	// SyncWeights makes every server load the checkpoint in dir; it returns the sync's metrics.
	SyncWeights(ctx context.Context, dir string) (map[string]float64, error)
	// Metrics returns the fleet's counters (remote/requests, …).
	Metrics() map[string]float64
}

// NewRemote connects to the servers of rollout.endpoints; engine/openai's Dial is one.
type NewRemote[R Remote] func(endpoints []string, model, apiKey string) (R, error)

// NewLearner builds a learner on weights p (which it then owns) with an optimizer configuration;
// engine/local's NewLearner is one.
type NewLearner[L Learner] func(p *model.Params, o engine.OptimizerConfig) (L, error)

// optimizerConfig maps the preset's optimiser onto a learner's.
func optimizerConfig(cfg Config, lr float64, totalSteps int) engine.OptimizerConfig {
	o := cfg.Algo.Optim
	warm := o.WarmupSteps
	if o.WarmupRatio > 0 {
		warm = int(o.WarmupRatio * float64(totalSteps))
	}
	sched := o.Schedule
	if sched == "" {
		sched = "constant"
	}
	return engine.OptimizerConfig{LR: lr, WeightDecay: o.WeightDecay, WarmupSteps: warm, Schedule: sched,
		MinLRRatio: o.MinLRRatio, TotalSteps: max(totalSteps, 1), GradClip: o.GradClip, MicroBatchRows: cfg.Run.MicroBatchRows,
		Seed: streamSeed(cfg.Run.Seed, "heads")}
}

// optimizerSteps is the number of optimiser updates the RL phase takes.
func optimizerSteps(cfg Config) int {
	b := cfg.Algo.Batch
	return cfg.Run.Steps * b.PPOEpochs * (b.Prompts / b.MiniBatchPrompts)
}

// loadInitOptimizer continues the AdamW state of model.init when it is an engine checkpoint, there
// is no SFT warm-up of this run's own and sft.keep_optimizer is set: a run started from another
// run's warm-up (bench/presets) then begins RL exactly as the default recipe's RL phase does.
func (t *Trainer) loadInitOptimizer() error {
	if t.cfg.SFT.Steps > 0 || !t.cfg.SFT.KeepOptimizer || builtinModel(t.cfg.Model.Init) {
		return nil
	}
	err := t.policy.Load(t.cfg.Model.Init)
	if errors.Is(err, engine.ErrNoState) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("model.init: continue its optimizer state (sft.keep_optimizer): %w", err)
	}
	// Hand the loaded state over as the recipe's SFT phase does: the RL schedule (warm-up, cosine)
	// starts at its beginning instead of the checkpoint's step count, and the heads start fresh.
	if err := t.policy.SetOptimizerState(t.policy.OptimizerState()); err != nil {
		return fmt.Errorf("model.init: continue its optimizer state (sft.keep_optimizer): %w", err)
	}
	t.policy.EnsureHeads(t.actor.Requirements())
	return nil
}

// openEngines creates the policy learner.
func (t *Trainer) openEngines(p *model.Params) error {
	var err error
	t.policy, err = t.newLearner(p, optimizerConfig(t.cfg, t.cfg.Algo.Optim.LR, optimizerSteps(t.cfg)))
	if err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	t.policy.EnsureHeads(t.actor.Requirements()) // PPO's first advantages need critic values
	return nil
}

// handOver continues the warm-up's optimizer in the RL learner (sft.keep_optimizer).
func (t *Trainer) handOver(sft Learner) error {
	if err := t.policy.SetOptimizerState(sft.OptimizerState()); err != nil {
		return fmt.Errorf("sft: hand over the optimizer: %w", err)
	}
	t.policy.EnsureHeads(t.actor.Requirements()) // the warm-up had no heads
	return nil
}

// needsRef reports whether the method reads reference log-probs.
func (t *Trainer) needsRef() bool {
	return t.actor.Requirements().Ref || t.cfg.Algo.KL.InReward
}

// freezeReference makes the current policy weights the frozen reference π_ref.
func (t *Trainer) freezeReference() error {
	if !t.needsRef() {
		return nil
	}
	return t.openReference(t.policy.Params().Clone())
}

// openReference creates the frozen reference learner on p.
func (t *Trainer) openReference(p *model.Params) error {
	ref, err := t.newLearner(p, optimizerConfig(t.cfg, t.cfg.Algo.Optim.LR, 1))
	if err != nil {
		return fmt.Errorf("reference engine: %w", err)
	}
	t.ref = ref
	return nil
}
