// Package env holds multi-step environments for vision-language-action (VLA) policies: the Env
// interface the rollout workflow drives, a pure-Go deterministic table-top simulator (Sim) with
// grasp-carry-place and pushing, scripted experts, and the remote simulator protocol (an HTTP/JSON
// server and a client implementing Env) so a Python LIBERO/RoboTwin server can plug in.
//
//	go run ./cmd/ascent sim list
//	go run ./cmd/ascent sim play --suite pick --task 0 --trial 0 --out play.gif
//	go run ./cmd/ascent sim eval --suite long --trials 5000-5199 --json
//	go run ./cmd/ascent sim serve --addr 127.0.0.1:8765
//	go test -bench Sim -run '^$' ./env
//
// An episode is (suite, task, trial): the task picks the instruction and objects, the trial seeds
// the layout, exactly like LIBERO's (task_id, trial_id). A decision step sends an action chunk of
// K rows × D dims; the env executes it open-loop, stopping early on success or at the step cap.
package env

import (
	"context"
	"fmt"
	"image"
	"math"
)

// Env is one environment instance. Reset starts an episode; Step executes one action chunk
// open-loop. An Env is used by one goroutine at a time.
type Env interface {
	// Reset starts the episode ep deterministically and returns its first observation.
	Reset(ctx context.Context, ep Episode) (*Observation, error)
	// Step executes chunk ([K][D], K ≤ the suite's chunk length) open-loop, stopping at success or
	// at the step cap. Stepping a finished episode executes nothing and repeats its final result.
	Step(ctx context.Context, chunk [][]float32, opt StepOptions) (*StepResult, error)
	// Close releases the environment (a remote one is deleted on its server).
	Close() error
}

// Catalog lists suites and makes environments: the in-process simulator and a remote server both
// implement it.
type Catalog interface {
	// Suites describes every suite the catalog serves.
	Suites(ctx context.Context) ([]SuiteInfo, error)
	// NewEnv returns an environment with no episode yet; call Reset before Step.
	NewEnv(ctx context.Context) (Env, error)
}

// Episode names one episode: a suite, a task in it and a trial (the layout seed).
type Episode struct {
	// Suite is the task suite, e.g. "pick", "push", "long" (or "libero_10" on a remote server).
	Suite string `json:"suite"`
	// Task indexes the suite's tasks (0-based).
	Task int `json:"task_id"`
	// Trial seeds the initial layout; the same (suite, task, trial) gives the same episode.
	Trial int `json:"trial_id"`
	// Config holds per-episode options; zero values mean the suite's defaults.
	Config Config `json:"config"`
}

// String names the episode as "suite/task/trial".
func (ep Episode) String() string { return fmt.Sprintf("%s/%d/%d", ep.Suite, ep.Task, ep.Trial) }

// Config holds per-episode options (the protocol's "config" object).
type Config struct {
	// Resolution is the square observation image side in pixels (0: 64).
	Resolution int `json:"resolution,omitempty"`
	// NumStepsWait is the number of no-op steps run at reset to let the scene settle (LIBERO uses 10).
	NumStepsWait int `json:"num_steps_wait,omitempty"`
	// MaxSteps caps the episode's low-level steps (0: the suite's cap).
	MaxSteps int `json:"max_steps,omitempty"`
	// ChunkLen is K, the most rows an action chunk may have (0: the suite's, 8 in the Go simulator).
	ChunkLen int `json:"chunk_len,omitempty"`
	// Cameras names the requested cameras; the Go simulator has one, "top".
	Cameras []string `json:"cameras,omitempty"`
	// NoProprio drops the proprioception vector from observations.
	NoProprio bool `json:"no_proprio,omitempty"`
}

// StepOptions modify one Step call.
type StepOptions struct {
	// RecordFrames asks for one rendered frame per executed low-level step (validation videos).
	RecordFrames bool
}

// Observation is what the policy sees after a reset or a chunk.
type Observation struct {
	// Image is the rendered RGB view (Resolution × Resolution).
	Image *image.RGBA
	// Proprio is the robot state: gripper x, y, z and gripper command (−1 open, +1 closed).
	Proprio []float32
	// Instruction is the task's language instruction.
	Instruction string
}

// StepResult reports the outcome of one chunk.
type StepResult struct {
	// Obs is the observation after the last executed step.
	Obs *Observation
	// Executed counts the low-level steps this chunk ran (< K when the episode ended inside it).
	Executed int
	// FinishStep counts the low-level steps the episode has run so far; final once Done.
	FinishStep int
	// Done is true once the episode ended (success or truncation).
	Done bool
	// Success is true when the task's success check held.
	Success bool
	// Truncated is true when the episode hit the step cap without success.
	Truncated bool
	// Pushcut is true when the success moved an object to its target only by pushing although the
	// task's demonstration grasps it (the env/pushcut_ratio metric); remote servers may not report it.
	Pushcut bool
	// Frames holds one frame per executed step when StepOptions.RecordFrames was set.
	Frames []*image.RGBA
}

// SuiteInfo describes a suite (the protocol's GET /v1/suites item).
type SuiteInfo struct {
	// Suite is the suite name.
	Suite string `json:"suite"`
	// NTasks is the number of tasks; task ids are 0..NTasks-1.
	NTasks int `json:"n_tasks"`
	// TrialsPerTask is the conventional number of trials (any non-negative trial id is valid).
	TrialsPerTask int `json:"trials_per_task"`
	// MaxSteps is the default low-level step cap of an episode.
	MaxSteps int `json:"max_steps"`
	// ActionDim is D, the number of action dimensions (the last one is the gripper).
	ActionDim int `json:"action_dim"`
	// ChunkLen is K, the number of low-level steps per action chunk.
	ChunkLen int `json:"chunk_len"`
	// ActionSpace bounds each action dimension.
	ActionSpace ActionSpace `json:"action_space"`
	// ProprioDim is the length of Observation.Proprio.
	ProprioDim int `json:"proprio_dim"`
	// NormStats holds per-dimension q01/q99 action statistics for un-normalising policy outputs.
	NormStats NormStats `json:"norm_stats"`
	// Instructions lists each task's instruction (index = task id); optional for remote servers.
	Instructions []string `json:"instructions,omitempty"`
	// Gripper states the gripper convention, e.g. "last dim: >= 0 closes, < 0 opens; not flipped".
	Gripper string `json:"gripper,omitempty"`
}

// ActionSpace bounds each action dimension.
type ActionSpace struct {
	// Low is the per-dimension lower bound.
	Low []float32 `json:"low"`
	// High is the per-dimension upper bound.
	High []float32 `json:"high"`
}

// NormStats are OpenVLA-style action statistics: values are un-normalised from [−1, 1] to
// [q01, q99]; dimensions with Mask false (the gripper) are left as they are.
type NormStats struct {
	// Q01 is the per-dimension 1st percentile.
	Q01 []float32 `json:"q01"`
	// Q99 is the per-dimension 99th percentile.
	Q99 []float32 `json:"q99"`
	// Mask marks the dimensions that are un-normalised.
	Mask []bool `json:"mask"`
}

// CheckChunk validates an action chunk against k rows at most and d dims per row, naming the env
// and the episode step in the error.
func CheckChunk(name string, step int, chunk [][]float32, k, d int) error {
	if len(chunk) == 0 || len(chunk) > k {
		return fmt.Errorf("env %s: step %d: action chunk has %d rows, want 1..%d", name, step, len(chunk), k)
	}
	for i, row := range chunk {
		if len(row) != d {
			return fmt.Errorf("env %s: step %d: action chunk row %d has %d dims, want %d", name, step, i, len(row), d)
		}
		for j, v := range row {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("env %s: step %d: action chunk row %d dim %d is %v", name, step, i, j, v)
			}
		}
	}
	return nil
}
