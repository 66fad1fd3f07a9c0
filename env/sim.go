package env

import (
	"cmp"
	"context"
	"fmt"
	"image"
)

// Sim is the in-process table-top simulator as an Env. It is deterministic: the same Episode and
// the same chunks give the same observations and results, bit for bit.
type Sim struct {
	ep        Episode
	suite     *simSuite
	task      *simTask
	w         *world
	steps     int // low-level steps executed this episode
	maxSteps  int
	res       int
	k         int // chunk length
	done      bool
	success   bool
	truncated bool
	last      *StepResult
	bg        *image.RGBA // the table and zones, drawn once per episode
}

// NewSim returns a simulator with no episode; call Reset before Step.
func NewSim() *Sim { return &Sim{} }

// SimCatalog serves the Go simulator's suites in-process.
type SimCatalog struct{}

// Suites describes the simulator's suites.
func (SimCatalog) Suites(context.Context) ([]SuiteInfo, error) { return SimSuites(), nil }

// NewEnv returns a fresh in-process simulator.
func (SimCatalog) NewEnv(context.Context) (Env, error) { return NewSim(), nil }

// SimSuites describes every simulator suite, sorted by name.
func SimSuites() []SuiteInfo {
	var out []SuiteInfo
	for _, n := range SimSuiteNames() {
		s := simSuites[n]
		info := SuiteInfo{
			Suite: n, NTasks: len(s.Tasks), TrialsPerTask: SimTrialsPerTask, MaxSteps: s.MaxSteps,
			ActionDim: SimActionDim, ChunkLen: SimChunkLen, ProprioDim: SimProprioDim,
			ActionSpace: ActionSpace{Low: []float32{-1, -1, -1, -1}, High: []float32{1, 1, 1, 1}},
			NormStats: NormStats{Q01: []float32{-1, -1, -1, -1}, Q99: []float32{1, 1, 1, 1},
				Mask: []bool{true, true, true, false}},
			Gripper: "last dim: >= 0 closes, < 0 opens; not flipped (already un-normalised, client binarises)",
		}
		for _, t := range s.Tasks {
			info.Instructions = append(info.Instructions, t.Instruction)
		}
		out = append(out, info)
	}
	return out
}

// Name identifies the env in errors: "sim:suite/task/trial".
func (s *Sim) Name() string { return "sim:" + s.ep.String() }

// Reset starts episode ep: builds the trial's layout and runs Config.NumStepsWait no-op steps.
func (s *Sim) Reset(ctx context.Context, ep Episode) (*Observation, error) {
	suite, task, err := lookupTask(ep.Suite, ep.Task)
	if err != nil {
		return nil, err
	}
	if ep.Trial < 0 {
		return nil, fmt.Errorf("env sim:%s: trial %d is negative", ep, ep.Trial)
	}
	cfg := ep.Config
	if cfg.Resolution < 0 || cfg.Resolution > 1024 || cfg.MaxSteps < 0 || cfg.NumStepsWait < 0 || cfg.NumStepsWait > 10000 || cfg.ChunkLen < 0 || cfg.ChunkLen > 1024 {
		return nil, fmt.Errorf("env sim:%s: config resolution %d, max_steps %d, num_steps_wait %d, chunk_len %d: want 0..1024, >= 0, 0..10000, 0..1024",
			ep, cfg.Resolution, cfg.MaxSteps, cfg.NumStepsWait, cfg.ChunkLen)
	}
	for _, cam := range cfg.Cameras {
		if cam != "top" {
			return nil, fmt.Errorf("env sim:%s: unknown camera %q; the simulator has one: top", ep, cam)
		}
	}
	*s = Sim{ep: ep, suite: suite, task: task, w: layout(ep.Suite, task, ep.Task, ep.Trial),
		maxSteps: suite.MaxSteps, res: DefaultResolution, k: SimChunkLen}
	if cfg.ChunkLen > 0 {
		s.k = cfg.ChunkLen
	}
	if cfg.MaxSteps > 0 {
		s.maxSteps = cfg.MaxSteps
	}
	if cfg.Resolution > 0 {
		s.res = cfg.Resolution
	}
	s.bg = background(s.w, s.res)
	noop := []float32{0, 0, 0, gripOpen}
	for i := 0; i < cfg.NumStepsWait; i++ {
		s.w.step(noop)
	}
	return s.observe(), nil
}

func (s *Sim) observe() *Observation {
	obs := &Observation{Image: render(s.w, s.res, s.bg), Instruction: s.task.Instruction}
	if !s.ep.Config.NoProprio {
		g := float32(gripOpen)
		if s.w.Closed {
			g = gripClosed
		}
		obs.Proprio = []float32{float32(s.w.GX), float32(s.w.GY), float32(s.w.GZ), g}
	}
	return obs
}

// Step executes chunk open-loop, checking success after every low-level step.
func (s *Sim) Step(ctx context.Context, chunk [][]float32, opt StepOptions) (*StepResult, error) {
	if s.w == nil {
		return nil, fmt.Errorf("env sim: Step before Reset")
	}
	if s.done {
		r := *s.last
		r.Executed, r.Frames = 0, nil
		return &r, nil
	}
	if err := CheckChunk(s.Name(), s.steps, chunk, s.k, SimActionDim); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("env %s: step %d: %w", s.Name(), s.steps, err)
	}
	r := &StepResult{}
	for _, a := range chunk {
		s.w.step(a)
		s.steps++
		r.Executed++
		if opt.RecordFrames {
			r.Frames = append(r.Frames, render(s.w, s.res, s.bg))
		}
		if s.task.success(s.w) {
			s.done, s.success = true, true
			break
		}
		if s.steps >= s.maxSteps {
			s.done, s.truncated = true, true
			break
		}
	}
	r.Obs = s.observe()
	r.FinishStep, r.Done, r.Success, r.Truncated = s.steps, s.done, s.success, s.truncated
	r.Pushcut = s.success && s.task.pushcut(s.w)
	s.last = r
	return r, nil
}

// Shape is the chunk shape (K rows, D dims) the simulator accepts in this episode.
func (s *Sim) Shape() (k, d int) { return cmp.Or(s.k, SimChunkLen), SimActionDim }

// Close is a no-op for the in-process simulator.
func (s *Sim) Close() error { return nil }

// Instruction is the current episode's instruction.
func (s *Sim) Instruction() string { return s.task.Instruction }

// ExpertChunk returns the scripted expert's next k actions ([k][SimActionDim]) from the current
// state, planned on a copy of the world (the dynamics are deterministic, so executing the chunk
// open-loop reproduces the plan). Rows after the plan reaches success repeat a hold action.
func (s *Sim) ExpertChunk(k int) [][]float32 { return s.plan(k, false) }

// PusherChunk is ExpertChunk for the pushing variant of the expert: it pushes blocks onto their
// plates instead of grasping them, so its successes on pick and long are pushcuts.
func (s *Sim) PusherChunk(k int) [][]float32 { return s.plan(k, true) }

func (s *Sim) plan(k int, push bool) [][]float32 {
	if s.w == nil {
		return nil
	}
	w := s.w.clone()
	out := make([][]float32, 0, k)
	reached := false
	for len(out) < k {
		var a []float32
		if reached {
			g := float32(gripOpen)
			if w.Closed {
				g = gripClosed
			}
			a = []float32{0, 0, 0, g}
		} else {
			a = expertAction(w, s.task, push)
		}
		w.step(a)
		reached = reached || s.task.success(w)
		out = append(out, a)
	}
	return out
}

// Render draws the current state at n × n pixels (for frame strips at another size).
func (s *Sim) Render(n int) *image.RGBA { return render(s.w, n, nil) }
