package vla

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/env"
	"github.com/ascent-rl/ascent/rollout"
)

// The env workflow: a rollout.Workflow whose tasks are episodes (suite, task, trial). Each task is
// played N times by parallel environments (env.RunEpisodes: a goroutine pool, one batched policy
// call per decision step); each episode becomes a rollout.Trajectory whose tokens are the action
// tokens of its decisions, whose LossMask drops the tokens after the episode ended (the
// finish-step mask) and whose reward is 1 on success, 0 otherwise. Episodes that failed with an
// env error are counted and left out of their group — never scored as a failure.

// Trace is one played episode: its result and the decisions that led to it.
type Trace struct {
	Result    env.EpisodeResult
	Decisions []Decided
}

// Decided is one decision of an episode: what the policy read and the tokens it sampled.
type Decided struct {
	F      *Features
	Tokens []int // [K·D]
}

// Rows turns the trace into training rows with advantage adv: every decision's tokens, with the
// tokens of rows the env did not execute (after success or the cap) masked out.
func (t *Trace) Rows(sh Shape, adv float32) []Row {
	out := make([]Row, len(t.Decisions))
	left := t.Result.FinishStep // low-level steps still to attribute
	for i, d := range t.Decisions {
		mask := make([]float32, sh.ActTokens())
		exec := min(max(left, 0), sh.K)
		for j := 0; j < exec*sh.D; j++ {
			mask[j] = 1
		}
		left -= sh.K
		out[i] = Row{F: d.F, Tokens: d.Tokens, Mask: mask, Adv: adv}
	}
	return out
}

// Workflow is the env workflow (see above); Run implements rollout.Workflow and ignores its text
// sampler: the policy is the Workflow's Sampler.
type Workflow struct {
	Catalog  env.Catalog
	Sampler  *Sampler
	N        int          // episodes per task
	Parallel int          // environments stepped together
	Episodes sync.Map     // task ID (Episode.String()) → env.Episode, filled by Task
	Stats    RolloutStats // accumulated over every Run
}

// RolloutStats accumulate what the env/* metrics report.
type RolloutStats struct {
	Results    []env.EpisodeResult
	SimTime    time.Duration // summed over environments
	PolicyTime time.Duration // the policy's decoder passes
	Wall       time.Duration
	Steps      int
}

// Task returns the rollout task of episode ep (registering it with the workflow).
func (w *Workflow) Task(ep env.Episode) rollout.Task {
	w.Episodes.Store(ep.String(), ep)
	return rollout.Task{Example: data.Example{ID: ep.String(), DataSource: "env/" + ep.Suite}}
}

// Run implements rollout.Workflow.
func (w *Workflow) Run(ctx context.Context, tasks []rollout.Task, _ rollout.Sampler, seed uint64) ([]*rollout.Group, error) {
	var eps []env.Episode
	for _, t := range tasks {
		v, ok := w.Episodes.Load(t.Example.ID)
		if !ok {
			return nil, fmt.Errorf("vla workflow: task %q is not an episode made by Workflow.Task", t.Example.ID)
		}
		for range w.N {
			eps = append(eps, v.(env.Episode))
		}
	}
	traces, err := w.Play(ctx, eps, false, 0)
	if err != nil {
		return nil, err
	}
	groups := make([]*rollout.Group, len(tasks))
	for i, t := range tasks {
		g := &rollout.Group{Task: t}
		for _, tr := range traces[i*w.N : (i+1)*w.N] {
			if tr.Result.Err != "" {
				continue
			}
			g.Trajectories = append(g.Trajectories, trajectory(tr))
		}
		groups[i] = g
	}
	return groups, nil
}

// trajectory is the rollout form of a trace (the trace itself rides in Meta["trace"]).
func trajectory(tr *Trace) rollout.Trajectory {
	r := 0.0
	if tr.Result.Success {
		r = 1
	}
	tj := rollout.Trajectory{Score: r, Reward: r, FinishReason: "stop", Text: tr.Result.Episode.String(),
		Verdict: answer.Verdict{Correct: tr.Result.Success}, Meta: map[string]any{"trace": tr}}
	for _, d := range tr.Decisions {
		start := len(tj.Tokens)
		tj.Tokens = append(tj.Tokens, d.Tokens...)
		tj.Steps = append(tj.Steps, rollout.Step{Start: start, End: len(tj.Tokens)})
	}
	if n := len(tj.Steps); n > 0 {
		tj.Steps[n-1].Reward = r
		if tr.Result.Truncated || !tr.Result.Success {
			tj.FinishReason = "length"
		}
	}
	return tj
}

// TraceOf returns the trace a workflow trajectory carries.
func TraceOf(t *rollout.Trajectory) *Trace { tr, _ := t.Meta["trace"].(*Trace); return tr }

// Play runs eps with the workflow's sampler and returns one trace per episode, in order; record
// keeps the frames of the first recordN episodes.
func (w *Workflow) Play(ctx context.Context, eps []env.Episode, record bool, recordN int) ([]*Trace, error) {
	traces := make([]*Trace, len(eps))
	for i := range traces {
		traces[i] = &Trace{}
	}
	var mu sync.Mutex
	w.Sampler.Record = func(d env.Decision, f *Features, tokens []int) {
		mu.Lock()
		defer mu.Unlock()
		traces[d.Index].Decisions = append(traces[d.Index].Decisions, Decided{F: f, Tokens: tokens})
	}
	defer func() { w.Sampler.Record = nil }()
	cat := &timedCatalog{Catalog: w.Catalog}
	pol := &timedPolicy{p: w.Sampler}
	start := time.Now()
	res, _, err := env.RunEpisodes(ctx, cat, pol, eps, env.RunOptions{Parallel: w.Parallel, RecordFrames: record, RecordLimit: recordN})
	if err != nil {
		return nil, err
	}
	for i := range res {
		traces[i].Result = res[i]
	}
	w.Stats.Results = append(w.Stats.Results, res...)
	w.Stats.SimTime += time.Duration(cat.ns.Load())
	w.Stats.PolicyTime += pol.d
	w.Stats.Wall += time.Since(start)
	for _, r := range res {
		w.Stats.Steps += r.FinishStep
	}
	return traces, nil
}

// timedCatalog times every Step of its environments.
type timedCatalog struct {
	env.Catalog
	ns atomic.Int64
}

func (c *timedCatalog) NewEnv(ctx context.Context) (env.Env, error) {
	e, err := c.Catalog.NewEnv(ctx)
	if err != nil {
		return nil, err
	}
	return &timedEnv{Env: e, ns: &c.ns}, nil
}

type timedEnv struct {
	env.Env
	ns *atomic.Int64
}

func (e *timedEnv) Step(ctx context.Context, chunk [][]float32, opt env.StepOptions) (*env.StepResult, error) {
	t := time.Now()
	r, err := e.Env.Step(ctx, chunk, opt)
	e.ns.Add(int64(time.Since(t)))
	return r, err
}

// Shape passes the wrapped env's chunk shape through.
func (e *timedEnv) Shape() (k, d int) {
	if s, ok := e.Env.(env.Shaper); ok {
		return s.Shape()
	}
	return env.SimChunkLen, env.SimActionDim
}

// timedPolicy times the policy's calls.
type timedPolicy struct {
	p env.Policy
	d time.Duration
}

func (p *timedPolicy) Act(ctx context.Context, ds []env.Decision) ([][][]float32, error) {
	t := time.Now()
	out, err := p.p.Act(ctx, ds)
	p.d += time.Since(t)
	return out, err
}
