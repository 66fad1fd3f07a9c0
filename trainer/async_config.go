package trainer

import (
	"fmt"
	"runtime"
	"time"

	"github.com/ascent-rl/ascent/algo"
)

// AsyncConfig is asynchronous RL: a rollout producer samples the groups of step k with weight
// version k−1−max_staleness (version v = the policy after v RL steps) while the learner trains, so
// sampling and training overlap; the learner never trains on a trajectory more than max_staleness
// versions older than its own weights.
type AsyncConfig struct {
	// MaxStaleness is η, the most weight versions a trained trajectory may lag the learner
	// (0: the synchronous loop, bit for bit; prime-rl's max_off_policy_steps, AReaL's
	// max_head_offpolicyness).
	MaxStaleness int `yaml:"max_staleness"`
	// BufferGroups bounds the groups produced but not yet trained on (0: (max_staleness+1) ×
	// algo.batch.prompts). It must hold at least one step's groups, and the max_staleness steps the
	// producer runs ahead.
	BufferGroups int `yaml:"buffer_groups"`
	// WaitTimeoutS is the deadline in seconds of every wait between the producer and the learner:
	// for a batch, for room in the buffer, for a weight version, for a checkpoint pause (0: 1800).
	WaitTimeoutS float64 `yaml:"wait_timeout_s"`
	// Partial is what happens to generation in flight when the learner publishes new weights:
	// "finish" (the default) finishes it under the version it started with; "continue" goes on
	// under the new weights from the next segment of segment_tokens tokens, recording each token's
	// version (partial rollouts, as AReaL and slime do).
	Partial string `yaml:"partial"`
	// SegmentTokens is, with partial: continue, the most tokens a response grows by between two
	// checks for new weights (0: 8). Each segment re-submits prompt + response so far.
	SegmentTokens int `yaml:"segment_tokens"`
	// Local splits the machine's cores between the local engine's sampler and learner.
	Local AsyncLocalConfig `yaml:"local"`
	// MIS is masked importance sampling: the policy gradient of a token (or sample) whose ratio
	// π_learner/π_sampler leaves [low, high] is dropped (high 0: off).
	MIS algo.MISConfig `yaml:"mis"`
	// Decoupled is AReaL's decoupled PPO objective: the trust region around the learner's
	// recomputed proximal policy, tokens weighted by π_prox/π_behav and masked above cap (0: off).
	Decoupled algo.DecoupledConfig `yaml:"decoupled"`
}

// AsyncLocalConfig is the core split of asynchronous RL on the local engine alone, where the
// producer's sampler copy and the learner run at once in one process.
type AsyncLocalConfig struct {
	// SamplerThreads bounds the goroutines, and so the cores, the sampler's decoder splits each
	// decoding step over; the learner keeps the rest (0: both share all of GOMAXPROCS). At most
	// runtime.NumCPU(); only with async.max_staleness ≥ 1 and no rollout.endpoints.
	SamplerThreads int `yaml:"sampler_threads"`
	// LearnerThreads bounds the goroutines the learner's log-prob pass (its KV-cache decoder, the
	// bulk of a step's learner time on the tiny model) splits over while the producer runs, with
	// the local sampler or a fleet (0: GOMAXPROCS). The training pass (model/train) still splits
	// over GOMAXPROCS. sampler_threads + learner_threads ≤ runtime.NumCPU().
	LearnerThreads int `yaml:"learner_threads"`
}

// on reports whether rollouts run ahead of training.
func (c AsyncConfig) on() bool { return c.MaxStaleness > 0 }

// waitTimeout is the deadline of each producer/learner wait.
func (c AsyncConfig) waitTimeout() time.Duration {
	if c.WaitTimeoutS <= 0 {
		return 30 * time.Minute
	}
	return time.Duration(c.WaitTimeoutS * float64(time.Second))
}

// bufferGroups is the buffer's capacity in groups.
func (c Config) bufferGroups() int {
	if c.Async.BufferGroups > 0 {
		return c.Async.BufferGroups
	}
	return (c.Async.MaxStaleness + 1) * c.Algo.Batch.Prompts
}

// validateAsync checks the async section before any work starts.
func (c Config) validateAsync() error {
	a := c.Async
	switch {
	case a.MaxStaleness < 0:
		return fmt.Errorf("config: async.max_staleness = %d: want ≥ 0 (0 is the synchronous loop)", a.MaxStaleness)
	case a.BufferGroups < 0:
		return fmt.Errorf("config: async.buffer_groups = %d: want ≥ 0 (0: (max_staleness+1) × algo.batch.prompts)", a.BufferGroups)
	case a.BufferGroups > 0 && a.BufferGroups < c.Algo.Batch.Prompts:
		return fmt.Errorf("config: async.buffer_groups = %d is smaller than one step's %d groups (algo.batch.prompts); the producer could never hand a step over", a.BufferGroups, c.Algo.Batch.Prompts)
	case a.BufferGroups > 0 && a.BufferGroups < a.MaxStaleness*c.Algo.Batch.Prompts:
		return fmt.Errorf("config: async.buffer_groups = %d is smaller than the %d × %d groups of the max_staleness steps the producer runs ahead (algo.batch.prompts); raise it or lower async.max_staleness", a.BufferGroups, a.MaxStaleness, c.Algo.Batch.Prompts)
	case a.WaitTimeoutS < 0:
		return fmt.Errorf("config: async.wait_timeout_s = %v: want ≥ 0 (0: 1800)", a.WaitTimeoutS)
	}
	if err := c.validateSplit(); err != nil {
		return err
	}
	if err := c.validatePartial(); err != nil {
		return err
	}
	if err := a.MIS.Validate(); err != nil {
		return fmt.Errorf("config: async.%w", err)
	}
	if err := a.Decoupled.Validate(); err != nil {
		return fmt.Errorf("config: async.%w", err)
	}
	n := 0
	for _, on := range []bool{c.Algo.TIS.Enabled(), a.MIS.Enabled(), a.Decoupled.Enabled()} {
		if on {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("config: algo.tis (cap %v), async.mis (high %v) and async.decoupled (cap %v) each weight the advantages by π_learner/π_sampler; turn on one", c.Algo.TIS.Cap, a.MIS.High, a.Decoupled.Cap)
	}
	if (a.MIS.Enabled() || a.Decoupled.Enabled()) && c.Algo.Loss.Name == "flowrl" {
		return fmt.Errorf("config: async.mis and async.decoupled weight the advantages, which flowrl's trajectory-balance loss does not read; turn them off")
	}
	if a.on() && len(c.Stages) > 0 {
		return fmt.Errorf("config: stages change the group size and length per step, which async.max_staleness %d would apply to rollouts of a later step; use one", a.MaxStaleness)
	}
	return nil
}

// validateSplit checks async.local: each thread count in [0, NumCPU] and only with the producer,
// the sampler's only without a fleet, and the two within the machine's cores.
func (c Config) validateSplit() error {
	l, cpus := c.Async.Local, runtime.NumCPU()
	for _, k := range []struct {
		key string
		n   int
	}{{"sampler_threads", l.SamplerThreads}, {"learner_threads", l.LearnerThreads}} {
		switch {
		case k.n == 0:
		case k.n < 0 || k.n > cpus:
			return fmt.Errorf("config: async.local.%s = %d: want 0 (share every core) to %d (runtime.NumCPU on this machine)", k.key, k.n, cpus)
		case !c.Async.on():
			return fmt.Errorf("config: async.local.%s = %d needs async.max_staleness ≥ 1: the synchronous loop never samples and trains at once", k.key, k.n)
		}
	}
	switch {
	case l.SamplerThreads > 0 && len(c.Rollout.Endpoints) > 0:
		return fmt.Errorf("config: async.local.sampler_threads = %d splits the local engine's cores, but rollouts come from rollout.endpoints %v; unset one", l.SamplerThreads, c.Rollout.Endpoints)
	case l.SamplerThreads+l.LearnerThreads > cpus:
		return fmt.Errorf("config: async.local.sampler_threads %d + learner_threads %d = %d is more than the %d cores (runtime.NumCPU): the two sides would contend for cores, which the split exists to avoid", l.SamplerThreads, l.LearnerThreads, l.SamplerThreads+l.LearnerThreads, cpus)
	}
	return nil
}
