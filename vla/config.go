package vla

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/env"
	"gopkg.in/yaml.v3"
)

// Config is one `ascent train --preset simplevla` run. Every knob of the SimpleVLA-RL recipe is a
// field (switchable with --set key=value); the defaults are the preset.
type Config struct {
	// Out is the runs root directory.
	Out string `json:"out"`
	// Name labels the run directory.
	Name string `json:"name"`
	// Seed seeds the policy initialisation, the trial draws and the sampling.
	Seed uint64 `json:"seed"`
	// Suite is the simulator suite (pick, push, long).
	Suite string `json:"suite"`
	// Resolution is the observation side in pixels; Patch the patch side.
	Resolution int `json:"resolution"`
	Patch      int `json:"patch"`
	// Hidden, Layers, Heads and MLP size the transformer.
	Hidden int `json:"hidden"`
	Layers int `json:"layers"`
	Heads  int `json:"heads"`
	MLP    int `json:"mlp"`
	// SFTSteps are full-batch AdamW steps on the one-demonstration-per-task data at SFTLR.
	SFTSteps int     `json:"sft_steps"`
	SFTLR    float64 `json:"sft_lr"`
	// Steps are RL steps; each trains on Groups groups of N episodes of one (task, trial).
	Steps  int `json:"steps"`
	Groups int `json:"groups"`
	N      int `json:"n"`
	// MiniBatches splits each step's rows into that many AdamW updates (one pass).
	MiniBatches int `json:"mini_batches"`
	// LR is the RL learning rate; WeightDecay and GradClip configure AdamW.
	LR          float64 `json:"lr"`
	WeightDecay float64 `json:"weight_decay"`
	GradClip    float64 `json:"grad_clip"`
	// EpisodeMean weighs each episode's rows by the step's mean decision count over its own, so
	// every episode counts the same under token-mean (see episodeScale); false is SimpleVLA-RL's
	// plain token-mean, where the longer failures outweigh the successes.
	EpisodeMean bool `json:"episode_mean"`
	// ClipLow and ClipHigh are the asymmetric PPO clip ε (0.2 / 0.28).
	ClipLow  float64 `json:"clip_low"`
	ClipHigh float64 `json:"clip_high"`
	// KLCoef and EntropyCoef are the KL-loss and entropy-bonus coefficients (0 in SimpleVLA-RL).
	KLCoef      float64 `json:"kl_coef"`
	EntropyCoef float64 `json:"entropy_coef"`
	// Temperature is the rollout sampling temperature (1.0 here; the paper's 1.6 in the ablation).
	Temperature float64 `json:"temperature"`
	// DynamicSampling keeps only groups whose success rate lies in [BandLow, BandHigh] and refills
	// (at most MaxRounds rollout rounds a step).
	DynamicSampling bool    `json:"dynamic_sampling"`
	BandLow         float64 `json:"band_low"`
	BandHigh        float64 `json:"band_high"`
	MaxRounds       int     `json:"max_rounds"`
	// GenScale asks for ⌈GenScale × missing⌉ groups per dynamic-sampling round (DAPO gen_batch_size).
	GenScale float64 `json:"gen_scale"`
	// EvalTrials is the number of held-out trials per task (trial ids from env.HeldOutTrial);
	// EvalEvery evaluates during RL every that many steps (0: only before and after).
	EvalTrials int `json:"eval_trials"`
	EvalEvery  int `json:"eval_every"`
	// MaxSteps caps an episode's low-level steps (0: the suite's cap).
	MaxSteps int `json:"max_steps"`
	// Parallel is the number of environments stepped together; Micro the rows per micro-batch.
	Parallel int `json:"parallel"`
	Micro    int `json:"micro"`
	// Decoders is the number of decoders that sample a decision step's environments in parallel,
	// each on its own part of them with its own random stream (one per core; the draws depend on
	// it, so a run is reproduced with the same value; 1 is the single-decoder sampler).
	Decoders int `json:"decoders"`
	// Videos is the number of validation episodes written as GIFs before and after RL.
	Videos int `json:"videos"`
	// Endpoint, when set, plays episodes on a remote simulator server (ascent sim serve) instead
	// of in-process; demonstrations still come from the in-process expert.
	Endpoint string `json:"endpoint"`
}

// DefaultConfig is the simplevla preset: algo.SimpleVLA's recipe at this policy's scale — sampling
// temperature 1.0 instead of the paper's 1.6 (a 32-wide policy trained from scratch is too peaked
// for 1.6: its chunks lose their precision and no rollout succeeds), learning rate 5e-4 and
// episode_mean on, and 150 steps of 16 groups (docs/vla.md says why and benchmarks.md has the
// ablation and the three seeds).
func DefaultConfig() Config {
	a := algo.SimpleVLA()
	return Config{Out: "runs", Name: "simplevla", Seed: 1, Suite: "pick_local", Resolution: env.DefaultResolution, Patch: 16,
		Hidden: 32, Layers: 2, Heads: 2, MLP: 64, SFTSteps: 300, SFTLR: 5e-3,
		Steps: 150, Groups: 16, N: a.Batch.Rollouts, MiniBatches: 2, LR: 5e-4, WeightDecay: a.Optim.WeightDecay, GradClip: a.Optim.GradClip,
		EpisodeMean: true, ClipLow: a.Loss.ClipLow, ClipHigh: a.Loss.ClipHigh, KLCoef: a.KL.LossCoef, EntropyCoef: a.EntropyCoef,
		Temperature: 1.0, DynamicSampling: true, BandLow: 0.1, BandHigh: 0.9, MaxRounds: 12, GenScale: 2,
		EvalTrials: 5, EvalEvery: 10, MaxSteps: 64, Parallel: 64, Micro: 32, Decoders: 2, Videos: 3}
}

// Set applies key=value overrides (keys are Config's json names; values YAML scalars).
func (c *Config) Set(sets []string) error {
	var m map[string]any
	b, _ := json.Marshal(c)
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		k = strings.TrimPrefix(strings.TrimSpace(k), "vla.")
		if !ok {
			return fmt.Errorf("vla: --set %q: want key=value", s)
		}
		if _, known := m[k]; !known {
			keys := make([]string, 0, len(m))
			for n := range m {
				keys = append(keys, n)
			}
			sort.Strings(keys)
			return fmt.Errorf("vla: unknown config key %q; known: %s", k, strings.Join(keys, ", "))
		}
		var val any
		if err := yaml.Unmarshal([]byte(v), &val); err != nil {
			return fmt.Errorf("vla: --set %s: %w", s, err)
		}
		m[k] = val
	}
	b, _ = json.Marshal(m)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var out Config
	if err := dec.Decode(&out); err != nil {
		return fmt.Errorf("vla: config: %w", err)
	}
	*c = out
	return nil
}

// Validate checks the run's settings.
func (c Config) Validate() error {
	switch {
	case c.SFTSteps < 0 || c.Steps < 0:
		return fmt.Errorf("vla: sft_steps %d and steps %d: want ≥ 0", c.SFTSteps, c.Steps)
	case c.Groups <= 0 || c.N < 2:
		return fmt.Errorf("vla: groups %d and n %d: want groups > 0 and n ≥ 2 (GRPO compares rollouts of one task)", c.Groups, c.N)
	case c.MiniBatches <= 0 || c.Micro <= 0 || c.Parallel <= 0 || c.Decoders <= 0:
		return fmt.Errorf("vla: mini_batches %d, micro %d, parallel %d, decoders %d: want > 0", c.MiniBatches, c.Micro, c.Parallel, c.Decoders)
	case c.Temperature <= 0:
		return fmt.Errorf("vla: temperature %g: want > 0", c.Temperature)
	case c.BandLow < 0 || c.BandHigh > 1 || c.BandLow > c.BandHigh:
		return fmt.Errorf("vla: success band [%g, %g]: want 0 ≤ band_low ≤ band_high ≤ 1", c.BandLow, c.BandHigh)
	case c.EvalTrials <= 0:
		return fmt.Errorf("vla: eval_trials %d: want > 0", c.EvalTrials)
	case c.KLCoef != 0:
		return fmt.Errorf("vla: kl_coef %g: the VLA trainer keeps no reference policy; SimpleVLA-RL uses 0", c.KLCoef)
	}
	return nil
}

// loss is the run's policy loss: algo's clipped surrogate (vanilla) with the run's ε and the
// entropy term, token-mean as the preset.
func (c Config) loss() (algo.Loss, error) {
	a := algo.SimpleVLA()
	a.Loss.ClipLow, a.Loss.ClipHigh, a.EntropyCoef = c.ClipLow, c.ClipHigh, c.EntropyCoef
	if c.EntropyCoef != 0 {
		return nil, fmt.Errorf("vla: entropy_coef %g: the host learner trains on log-probs only; SimpleVLA-RL uses 0", c.EntropyCoef)
	}
	act, err := a.NewActorLoss()
	if err != nil {
		return nil, err
	}
	return act, nil
}
