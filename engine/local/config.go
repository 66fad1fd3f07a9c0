// Package local is the embedded engine: it samples with the model package's plain-Go KV-cache
// decoder and computes log-probs and gradients with the hand-written forward and backward pass of
// model/train (or, as the reference, a GoMLX graph on the pure-Go backend), with the algo losses
// as GoMLX graphs and AdamW on the host. `ascent train` uses it when no remote rollout server is
// configured, and
// `go run ./bench/engine` measures it.
package local

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/model"
)

// Config configures the local engine. The zero value of every field except LR means "use the
// default" (see Defaults).
type Config struct {
	// Backend is the GoMLX backend: "go" (pure Go, the default) or "xla" (needs a PJRT plugin,
	// which is not built into this binary; New reports that).
	Backend string `json:"backend" yaml:"backend"`
	// LR is the peak learning rate of AdamW.
	LR float64 `json:"lr" yaml:"lr"`
	// Beta1 is AdamW's first-moment decay (default 0.9).
	Beta1 float64 `json:"beta1" yaml:"beta1"`
	// Beta2 is AdamW's second-moment decay (default 0.999).
	Beta2 float64 `json:"beta2" yaml:"beta2"`
	// Eps is AdamW's denominator epsilon (default 1e-8).
	Eps float64 `json:"eps" yaml:"eps"`
	// WeightDecay is the decoupled (AdamW) weight decay, applied to every tensor of rank ≥ 2
	// (projections, embeddings, heads) and not to norms or biases. 0 disables it.
	WeightDecay float64 `json:"weight_decay" yaml:"weight_decay"`
	// WarmupSteps ramps the learning rate linearly from LR/WarmupSteps to LR over that many steps.
	WarmupSteps int `json:"warmup_steps" yaml:"warmup_steps"`
	// Schedule is the learning-rate shape after warm-up: "constant" (default) or "cosine".
	Schedule string `json:"schedule" yaml:"schedule"`
	// TotalSteps is the length of the cosine schedule (required for "cosine").
	TotalSteps int `json:"total_steps" yaml:"total_steps"`
	// MinLRRatio is the floor of the cosine schedule as a fraction of LR (default 0).
	MinLRRatio float64 `json:"min_lr_ratio" yaml:"min_lr_ratio"`
	// GradClip is the global gradient-norm clip (default 1.0; negative disables).
	GradClip float64 `json:"grad_clip" yaml:"grad_clip"`
	// MicroBatchRows is the default micro-batch size for LogProbs and Update when UpdateOptions
	// does not set one; micro-batches are padded to it so the graph shape stays fixed (default 8).
	MicroBatchRows int `json:"micro_batch_rows" yaml:"micro_batch_rows"`
	// Seed seeds the initialisation of the value and log Z heads.
	Seed uint64 `json:"seed" yaml:"seed"`
	// TrainPath chooses how Update (and LogProbs with a value head) computes the network: "fast"
	// (the default: the hand-written forward and backward pass of model/train, 2–3.5× the graph's
	// throughput on a CPU) or "graph" (the GoMLX graph: the reference the fast path is tested
	// against, and the path to XLA). Both run the same algo losses; their gradients agree to float32
	// rounding. Empty means $ASCENT_TRAIN_PATH when set, else "fast".
	TrainPath string `json:"train_path" yaml:"train_path"`
}

// TrainPaths lists the valid Config.TrainPath names.
var TrainPaths = []string{"graph", "fast"}

// Schedules lists the valid Config.Schedule names.
var Schedules = []string{"constant", "cosine"}

// Defaults returns c with unset fields filled in.
func (c Config) Defaults() Config {
	if c.Backend == "" {
		c.Backend = "go"
	}
	if c.Beta1 == 0 {
		c.Beta1 = 0.9
	}
	if c.Beta2 == 0 {
		c.Beta2 = 0.999
	}
	if c.Eps == 0 {
		c.Eps = 1e-8
	}
	if c.Schedule == "" {
		c.Schedule = "constant"
	}
	if c.GradClip == 0 {
		c.GradClip = 1.0
	}
	if c.MicroBatchRows == 0 {
		c.MicroBatchRows = 8
	}
	if c.TrainPath == "" {
		c.TrainPath = os.Getenv("ASCENT_TRAIN_PATH")
	}
	if c.TrainPath == "" {
		c.TrainPath = "fast"
	}
	return c
}

// Validate reports the first invalid field.
func (c Config) Validate() error {
	switch {
	case c.Backend != "go" && c.Backend != "xla":
		return fmt.Errorf("engine config: backend %q: expected \"go\" or \"xla\"", c.Backend)
	case c.LR < 0 || c.LR > 1:
		return fmt.Errorf("engine config: lr %g: expected 0 ≤ lr ≤ 1", c.LR)
	case c.Beta1 < 0 || c.Beta1 >= 1:
		return fmt.Errorf("engine config: beta1 %g: expected [0, 1)", c.Beta1)
	case c.Beta2 < 0 || c.Beta2 >= 1:
		return fmt.Errorf("engine config: beta2 %g: expected [0, 1)", c.Beta2)
	case c.Eps <= 0:
		return fmt.Errorf("engine config: eps %g: expected > 0", c.Eps)
	case c.WeightDecay < 0:
		return fmt.Errorf("engine config: weight_decay %g: expected ≥ 0", c.WeightDecay)
	case c.WarmupSteps < 0:
		return fmt.Errorf("engine config: warmup_steps %d: expected ≥ 0", c.WarmupSteps)
	case !slices.Contains(Schedules, c.Schedule):
		return fmt.Errorf("engine config: schedule %q: expected one of %s", c.Schedule, strings.Join(Schedules, ", "))
	case c.Schedule == "cosine" && c.TotalSteps <= 0:
		return fmt.Errorf("engine config: total_steps %d: the cosine schedule needs total_steps > 0", c.TotalSteps)
	case c.MinLRRatio < 0 || c.MinLRRatio > 1:
		return fmt.Errorf("engine config: min_lr_ratio %g: expected [0, 1]", c.MinLRRatio)
	case !slices.Contains(TrainPaths, c.TrainPath):
		return fmt.Errorf("engine config: train_path %q: expected one of %s", c.TrainPath, strings.Join(TrainPaths, ", "))
	case c.MicroBatchRows < 0:
		return fmt.Errorf("engine config: micro_batch_rows %d: expected ≥ 0", c.MicroBatchRows)
	}
	return nil
}

// NewLearner creates an engine on p with the trainer's optimizer settings and the defaults for
// everything else (the constructor trainer.Run takes).
func NewLearner(p *model.Params, o engine.OptimizerConfig) (*Engine, error) {
	return New(p, Config{LR: o.LR, WeightDecay: o.WeightDecay, WarmupSteps: o.WarmupSteps, Schedule: o.Schedule,
		MinLRRatio: o.MinLRRatio, TotalSteps: o.TotalSteps, GradClip: o.GradClip, MicroBatchRows: o.MicroBatchRows, Seed: o.Seed})
}
