package env

import (
	"context"
	"errors"
	"fmt"
	"image"
	"time"
)

// EpisodeResult is the outcome of one episode played by RunEpisodes.
type EpisodeResult struct {
	// Episode is the episode played.
	Episode Episode `json:"episode"`
	// Instruction is the task's instruction.
	Instruction string `json:"instruction"`
	// Success is true when the task's success check held.
	Success bool `json:"success"`
	// Truncated is true when the episode hit the step cap.
	Truncated bool `json:"truncated"`
	// Pushcut is true when the success pushed an object the demonstration grasps.
	Pushcut bool `json:"pushcut"`
	// FinishStep is the number of low-level steps executed.
	FinishStep int `json:"finish_step"`
	// Err is set when the env failed (construction, a dead remote env): the episode is counted
	// as failed-with-error, never as a plain failure.
	Err string `json:"error,omitempty"`
	// Frames holds the first observation and one frame per step when RunOptions.RecordFrames is set.
	Frames []*image.RGBA `json:"-"`
}

// RunOptions configure RunEpisodes.
type RunOptions struct {
	// Parallel is the number of envs stepped together per decision step (0: 16).
	Parallel int
	// RecordFrames keeps every frame of the recorded episodes (for videos; memory grows with them).
	RecordFrames bool
	// RecordLimit records only the first RecordLimit episodes of the list (0: all of them).
	RecordLimit int
	// MaxErrors stops the run once more episodes than this failed with env errors, so a dead
	// server ends an evaluation instead of failing every episode in turn (0: 10 + 10% of the
	// episodes; negative: never stop).
	MaxErrors int
}

// records reports whether episode i's frames are kept.
func (o RunOptions) records(i int) bool {
	return o.RecordFrames && (o.RecordLimit <= 0 || i < o.RecordLimit)
}

// Summary aggregates episode results (the env/* metrics).
type Summary struct {
	// SuccessRate is successes over episodes that ran without error.
	SuccessRate float64 `json:"success_rate"`
	// Episodes counts every episode, errored ones included.
	Episodes int `json:"episodes"`
	// Errors counts episodes that failed with an env error.
	Errors int `json:"errors"`
	// PushcutRatio is the share of successes that were pushcuts.
	PushcutRatio float64 `json:"pushcut_ratio"`
	// FinishStepMean is the mean low-level steps per error-free episode.
	FinishStepMean float64 `json:"finish_step_mean"`
	// StepsPerSecond is env steps over wall time (set by the caller that timed the run).
	StepsPerSecond float64 `json:"steps_per_s,omitempty"`
}

// Summarize aggregates results.
func Summarize(rs []EpisodeResult) Summary {
	s := Summary{Episodes: len(rs)}
	ok, wins, cuts, steps := 0, 0, 0, 0
	for _, r := range rs {
		if r.Err != "" {
			s.Errors++
			continue
		}
		ok++
		steps += r.FinishStep
		if r.Success {
			wins++
			if r.Pushcut {
				cuts++
			}
		}
	}
	if ok > 0 {
		s.SuccessRate = float64(wins) / float64(ok)
		s.FinishStepMean = float64(steps) / float64(ok)
	}
	if wins > 0 {
		s.PushcutRatio = float64(cuts) / float64(wins)
	}
	return s
}

// slot is one env of the pool and the episode it is running.
type slot struct {
	env  Env
	i    int // index into the episode list; −1 when idle
	obs  *Observation
	step int
}

// RunEpisodes plays every episode with policy p on envs from cat, opt.Parallel at a time, one
// policy call and one StepAll per decision step. Env failures are recorded in the episode's Err;
// a policy error or a cancelled context stops the run.
func RunEpisodes(ctx context.Context, cat Catalog, p Policy, eps []Episode, opt RunOptions) ([]EpisodeResult, Summary, error) {
	par := opt.Parallel
	if par <= 0 {
		par = 16
	}
	par = min(par, len(eps))
	results := make([]EpisodeResult, len(eps))
	slots := make([]*slot, par)
	defer func() {
		for _, s := range slots {
			if s != nil && s.env != nil {
				s.env.Close()
			}
		}
	}()
	maxErr := opt.MaxErrors
	if maxErr == 0 {
		maxErr = 10 + len(eps)/10
	}
	nErr := 0
	fail := func(i int, err error) {
		results[i].Err = err.Error()
		nErr++
	}
	next := 0
	start := time.Now()
	totalSteps := 0
	// fill starts the next pending episode in s, recording construction failures.
	fill := func(s *slot) {
		s.i = -1
		for next < len(eps) && (maxErr < 0 || nErr <= maxErr) {
			i := next
			next++
			results[i].Episode = eps[i]
			if s.env == nil {
				e, err := cat.NewEnv(ctx)
				if err != nil {
					fail(i, err)
					continue
				}
				s.env = e
			}
			obs, err := s.env.Reset(ctx, eps[i])
			if err != nil {
				fail(i, err)
				continue
			}
			s.i, s.obs, s.step = i, obs, 0
			results[i].Instruction = obs.Instruction
			if opt.records(i) {
				results[i].Frames = append(results[i].Frames, obs.Image)
			}
			return
		}
	}
	for j := range slots {
		slots[j] = &slot{i: -1}
		fill(slots[j])
	}
	for {
		if err := ctx.Err(); err != nil {
			return results, Summarize(results), fmt.Errorf("env: run episodes: %w", err)
		}
		var active []*slot
		var ds []Decision
		for _, s := range slots {
			if s.i >= 0 {
				active = append(active, s)
				ds = append(ds, Decision{Env: s.env, Episode: eps[s.i], Obs: s.obs, Step: s.step, Index: s.i})
			}
		}
		if maxErr >= 0 && nErr > maxErr {
			return results, Summarize(results[:next]), fmt.Errorf("env: %d episodes failed with env errors (more than %d), stopping; last: %s",
				nErr, maxErr, lastErr(results))
		}
		if len(active) == 0 {
			break
		}
		chunks, err := p.Act(ctx, ds)
		if err != nil {
			return results, Summarize(results), fmt.Errorf("env: policy: %w", err)
		}
		if len(chunks) != len(ds) {
			return results, Summarize(results), fmt.Errorf("env: policy returned %d chunks for %d envs", len(chunks), len(ds))
		}
		rs, errs := stepRecording(ctx, active, chunks, opt)
		for j, s := range active {
			r := &results[s.i]
			if errs[j] != nil {
				if errors.Is(errs[j], context.Canceled) || errors.Is(errs[j], context.DeadlineExceeded) {
					if ctx.Err() != nil {
						return results, Summarize(results), fmt.Errorf("env: run episodes: %w", ctx.Err())
					}
				}
				fail(s.i, errs[j])
				s.env.Close()
				s.env = nil
				fill(s)
				continue
			}
			res := rs[j]
			totalSteps += res.Executed
			s.obs, s.step = res.Obs, res.FinishStep
			if opt.records(s.i) {
				r.Frames = append(r.Frames, res.Frames...)
			}
			if res.Done {
				r.Success, r.Truncated, r.Pushcut, r.FinishStep = res.Success, res.Truncated, res.Pushcut, res.FinishStep
				fill(s)
			}
		}
	}
	sum := Summarize(results)
	if dt := time.Since(start).Seconds(); dt > 0 {
		sum.StepsPerSecond = float64(totalSteps) / dt
	}
	return results, sum, nil
}

// stepRecording steps the active slots, asking for frames only from the envs whose episodes are
// recorded (two StepAll calls while both kinds are active).
func stepRecording(ctx context.Context, active []*slot, chunks [][][]float32, opt RunOptions) ([]*StepResult, []error) {
	var rec, plain []int
	for j, s := range active {
		if opt.records(s.i) {
			rec = append(rec, j)
		} else {
			plain = append(plain, j)
		}
	}
	rs := make([]*StepResult, len(active))
	errs := make([]error, len(active))
	for _, part := range []struct {
		idx    []int
		frames bool
	}{{plain, false}, {rec, true}} {
		if len(part.idx) == 0 {
			continue
		}
		envs := make([]Env, len(part.idx))
		cs := make([][][]float32, len(part.idx))
		for n, j := range part.idx {
			envs[n], cs[n] = active[j].env, chunks[j]
		}
		r, e := StepAll(ctx, envs, cs, StepOptions{RecordFrames: part.frames})
		for n, j := range part.idx {
			rs[j], errs[j] = r[n], e[n]
		}
	}
	return rs, errs
}

// lastErr is the last recorded episode error.
func lastErr(rs []EpisodeResult) string {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].Err != "" {
			return rs[i].Err
		}
	}
	return ""
}
