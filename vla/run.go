package vla

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/env"
	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/rollout"
	"github.com/ascent-rl/ascent/track"
)

// Summary is a run's outcome (summary.json).
type Summary struct {
	RunDir     string    `json:"run_dir"`
	EvalBefore float64   `json:"eval_before"` // held-out success after SFT, before RL
	EvalAfter  float64   `json:"eval_after"`  // held-out success after RL
	Curve      []float64 `json:"curve"`       // held-out success at CurveSteps
	CurveSteps []int     `json:"curve_steps"`
	// FirstPushcut is the first RL step whose rollouts contained a pushcut (−1: none), on task
	// PushcutTask; PushcutGIF is its replay.
	FirstPushcut int     `json:"first_pushcut_step"`
	PushcutTask  int     `json:"first_pushcut_task"`
	PushcutGIF   string  `json:"first_pushcut_gif,omitempty"`
	EvalPushcut  float64 `json:"eval_after_pushcut_ratio"`
	// SimShare is the share of rollout time spent in the simulator (the rest is the policy).
	SimShare    float64 `json:"sim_time_share"`
	StepsPerSec float64 `json:"env_steps_per_s"`
	Errors      int     `json:"env_errors"`
	Seconds     float64 `json:"seconds"`
}

// Run trains a policy with the SimpleVLA-RL recipe: SFT on one scripted demonstration per task,
// a held-out evaluation, GRPO in the simulator, and the evaluation again. log gets progress lines.
func Run(ctx context.Context, c Config, log io.Writer) (*Summary, error) {
	t0 := time.Now()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	loss, err := c.loss()
	if err != nil {
		return nil, err
	}
	words, err := MaxWords(c.Suite)
	if err != nil {
		return nil, err
	}
	var cat env.Catalog = env.SimCatalog{}
	if c.Endpoint != "" {
		cat = env.NewClient(c.Endpoint)
	}
	info, err := suiteInfo(ctx, cat, c.Suite)
	if err != nil {
		return nil, err
	}
	sh := Shape{Res: c.Resolution, Patch: c.Patch, Proprio: info.ProprioDim, Words: words, K: info.ChunkLen, D: info.ActionDim,
		Hidden: c.Hidden, Layers: c.Layers, Heads: c.Heads, MLP: c.MLP}
	pol, err := NewPolicy(sh, c.Seed)
	if err != nil {
		return nil, err
	}
	sh = pol.Shape
	learner, err := NewLearner(pol, c.SFTLR, c.WeightDecay, c.GradClip, c.Micro)
	if err != nil {
		return nil, err
	}
	cfgMap := map[string]any{}
	b, _ := json.Marshal(c)
	_ = json.Unmarshal(b, &cfgMap)
	run, err := track.Open(c.Out, track.RunMeta{Name: c.Name, Preset: "simplevla", Config: map[string]any{"vla": cfgMap}})
	if err != nil {
		return nil, err
	}
	status := track.StatusFailed
	defer func() { run.Finish(status) }()
	sum := &Summary{RunDir: run.Dir(), FirstPushcut: -1, PushcutTask: -1}
	fmt.Fprintf(log, "vla: run %s: suite %s, %d tasks, policy %d×%d (%d prefix + %d words + %d action tokens)\n",
		run.Dir(), c.Suite, info.NTasks, c.Layers, c.Hidden, sh.Prefix(), sh.Words, sh.ActTokens())

	// SFT on one demonstration per task.
	demos, err := env.OneDemoPerTask(ctx, c.Suite, 0)
	if err != nil {
		return nil, err
	}
	var sft []Row
	for _, d := range demos {
		for _, st := range d.Steps {
			obs := *st.Obs
			f, err := pol.Features(&obs)
			if err != nil {
				return nil, fmt.Errorf("demo %s: %w", d.Episode, err)
			}
			toks, err := pol.ChunkTokens(st.Chunk, info.NormStats)
			if err != nil {
				return nil, fmt.Errorf("demo %s: %w", d.Episode, err)
			}
			sft = append(sft, Row{F: f, Tokens: toks, Mask: ones(sh.ActTokens())})
		}
	}
	for s := 0; s < c.SFTSteps; s++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("sft step %d: %w", s+1, err)
		}
		m, err := learner.SFTStep(sft)
		if err != nil {
			return nil, fmt.Errorf("sft step %d: %w", s+1, err)
		}
		if s == 0 || (s+1)%20 == 0 || s+1 == c.SFTSteps {
			fmt.Fprintf(log, "vla: sft step %d/%d: loss %.3f (%d rows from %d demonstrations)\n", s+1, c.SFTSteps, m[metric.SFTLoss], len(sft), len(demos))
		}
	}
	learner.host.SetLR(c.LR)

	sampler, err := NewSampler(pol, c.Parallel, c.Decoders, c.Temperature, info.NormStats, c.Seed)
	if err != nil {
		return nil, err
	}
	wf := &Workflow{Catalog: cat, Sampler: sampler, N: c.N, Parallel: c.Parallel}
	heldOut, err := trials(c.Suite, info.NTasks, env.HeldOutTrial, c.EvalTrials, env.Config{Resolution: c.Resolution, MaxSteps: c.MaxSteps})
	if err != nil {
		return nil, err
	}
	evaluate := func(step int, tag string) (env.Summary, error) {
		sampler.SetTemperature(0)
		defer sampler.SetTemperature(c.Temperature)
		ew := &Workflow{Catalog: cat, Sampler: sampler, N: 1, Parallel: c.Parallel}
		traces, err := ew.Play(ctx, heldOut, tag != "", c.Videos)
		if err != nil {
			return env.Summary{}, err
		}
		res := make([]env.EpisodeResult, len(traces))
		for i, tr := range traces {
			res[i] = tr.Result
			if tag != "" && i < c.Videos && len(tr.Result.Frames) > 0 {
				if err := writeGIF(filepath.Join(run.Dir(), "videos", fmt.Sprintf("%s_%s.gif", tag, slug(tr.Result.Episode))), tr.Result.Frames); err != nil {
					return env.Summary{}, err
				}
			}
		}
		s := env.Summarize(res)
		sum.Curve, sum.CurveSteps = append(sum.Curve, s.SuccessRate), append(sum.CurveSteps, step)
		fmt.Fprintf(log, "vla: step %d: held-out success %.1f%% over %d episodes (%d errors, pushcut ratio %.2f)\n", step, 100*s.SuccessRate, s.Episodes, s.Errors, s.PushcutRatio)
		return s, nil
	}
	before, err := evaluate(0, "before")
	if err != nil {
		return nil, err
	}
	sum.EvalBefore = before.SuccessRate
	if err := run.Log(1, map[string]float64{metric.EnvValSuccess: before.SuccessRate}); err != nil {
		return nil, err
	}

	train, err := trials(c.Suite, info.NTasks, 0, 200, env.Config{Resolution: c.Resolution, MaxSteps: c.MaxSteps})
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(c.Seed, 0x7a5c))
	adv, err := algo.NewAdvantage(algo.SimpleVLA().Advantage)
	if err != nil {
		return nil, err
	}
	var pushcutTrace *Trace
	var simT, polT, wallT time.Duration
	stepsN := 0
	for step := 1; step <= c.Steps; step++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("rl step %d: %w", step, err)
		}
		ts := time.Now()
		wf.Stats = RolloutStats{}
		rounds := 0
		var kept []*rollout.Group // what the band kept, for a step whose refill ran out of rounds
		refill := rollout.Refill{Groups: c.Groups, Observe: func(g *rollout.Group, ok bool) {
			if ok {
				kept = append(kept, g)
			}
		}}
		if c.DynamicSampling {
			refill.Filter, refill.MaxRounds, refill.Scale = bandFilter(c.BandLow, c.BandHigh), c.MaxRounds, c.GenScale
		}
		groups, err := rollout.Collect(ctx, wf, nil, func(n int) ([]rollout.Task, error) {
			rounds++
			out := make([]rollout.Task, n)
			for i := range out {
				out[i] = wf.Task(train[rng.IntN(len(train))])
			}
			return out, nil
		}, func(round int) uint64 { return uint64(step*100 + round) }, refill)
		if err != nil && c.DynamicSampling && ctx.Err() == nil {
			fmt.Fprintf(log, "vla: step %d: %v; training on the %d kept\n", step, err, len(kept))
			groups = kept
		} else if err != nil {
			return nil, err
		}
		rs := env.Summarize(wf.Stats.Results)
		m := map[string]float64{metric.EnvSuccessRate: rs.SuccessRate, metric.EnvFinishStep: rs.FinishStepMean,
			metric.EnvPushcutRatio: rs.PushcutRatio, metric.EnvErrors: float64(rs.Errors),
			metric.EnvKeptGroups: float64(len(groups)), metric.EnvRolloutRounds: float64(rounds)}
		if w := wf.Stats.Wall.Seconds(); w > 0 {
			m[metric.EnvStepsPerS] = float64(wf.Stats.Steps) / w
		}
		if tot := wf.Stats.SimTime + wf.Stats.PolicyTime; tot > 0 {
			m[metric.EnvSimShare] = wf.Stats.SimTime.Seconds() / tot.Seconds()
		}
		sum.Errors += rs.Errors
		simT, polT, wallT, stepsN = simT+wf.Stats.SimTime, polT+wf.Stats.PolicyTime, wallT+wf.Stats.Wall, stepsN+wf.Stats.Steps
		for _, r := range wf.Stats.Results {
			if r.Pushcut && sum.FirstPushcut < 0 {
				sum.FirstPushcut, sum.PushcutTask = step, r.Episode.Task
			}
		}
		if sum.FirstPushcut == step && pushcutTrace == nil {
			pushcutTrace = findPushcut(groups)
		}
		m[metric.TimeGen] = time.Since(ts).Seconds()
		if len(groups) > 0 {
			tu := time.Now()
			um, err := update(learner, loss, adv, groups, sh, c, rng)
			if err != nil {
				return nil, fmt.Errorf("step %d: %w", step, err)
			}
			for k, v := range um {
				m[k] = v
			}
			sampler.Refresh()
			m[metric.TimeUpdate] = time.Since(tu).Seconds()
		}
		if c.EvalEvery > 0 && step%c.EvalEvery == 0 && step < c.Steps {
			s, err := evaluate(step, "")
			if err != nil {
				return nil, err
			}
			m[metric.EnvValSuccess] = s.SuccessRate
		}
		m[metric.TimeStep] = time.Since(ts).Seconds()
		fmt.Fprintf(log, "vla: step %d/%d: rollout success %.2f (%d episodes, %d rounds, %d groups kept), pg_clipfrac %.3f, %.1fs\n",
			step, c.Steps, rs.SuccessRate, rs.Episodes, rounds, len(groups), m[metric.PGClipFrac], m[metric.TimeStep])
		if err := run.Log(step+1, m); err != nil {
			return nil, err
		}
	}
	after, err := evaluate(c.Steps, "after")
	if err != nil {
		return nil, err
	}
	sum.EvalAfter, sum.EvalPushcut = after.SuccessRate, after.PushcutRatio
	if err := run.Log(c.Steps+2, map[string]float64{metric.EnvValSuccess: after.SuccessRate}); err != nil {
		return nil, err
	}
	if pushcutTrace != nil {
		p := filepath.Join(run.Dir(), "videos", fmt.Sprintf("pushcut_step%d_%s.gif", sum.FirstPushcut, slug(pushcutTrace.Result.Episode)))
		if err := replayGIF(ctx, pol, info.NormStats, pushcutTrace, p); err != nil {
			return nil, err
		}
		sum.PushcutGIF = p
	}
	if simT+polT > 0 {
		sum.SimShare = simT.Seconds() / (simT + polT).Seconds()
	}
	if wallT > 0 {
		sum.StepsPerSec = float64(stepsN) / wallT.Seconds()
	}
	sum.Seconds = time.Since(t0).Seconds()
	if err := run.WriteSummary(map[string]any{"eval_before": sum.EvalBefore, "eval_after": sum.EvalAfter, "vla": sum}); err != nil {
		return nil, err
	}
	status = track.StatusCompleted
	return sum, nil
}

func ones(n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = 1
	}
	return out
}

// suiteInfo finds suite in the catalog or lists the valid suites.
func suiteInfo(ctx context.Context, cat env.Catalog, suite string) (env.SuiteInfo, error) {
	infos, err := cat.Suites(ctx)
	if err != nil {
		return env.SuiteInfo{}, err
	}
	var names []string
	for _, s := range infos {
		if s.Suite == suite {
			return s, nil
		}
		names = append(names, s.Suite)
	}
	return env.SuiteInfo{}, fmt.Errorf("vla: unknown suite %q; known: %v", suite, names)
}

// trials returns per trial-screened episodes: for each task the first per trials at or after from
// that pass the seed screen, task-major.
func trials(suite string, tasks, from, per int, cfg env.Config) ([]env.Episode, error) {
	var out []env.Episode
	for t := range tasks {
		ok, err := env.FeasibleTrials(suite, t, from, from+4*per)
		if err != nil {
			return nil, err
		}
		if len(ok) < per {
			return nil, fmt.Errorf("vla: suite %s task %d: only %d feasible trials in [%d, %d)", suite, t, len(ok), from, from+4*per)
		}
		for _, tr := range ok[:per] {
			out = append(out, env.Episode{Suite: suite, Task: t, Trial: tr, Config: cfg})
		}
	}
	return out, nil
}

// bandFilter keeps groups whose success rate lies in [lo, hi] (SimpleVLA-RL's dynamic sampling).
func bandFilter(lo, hi float64) func([]*rollout.Group) ([]bool, error) {
	return func(gs []*rollout.Group) ([]bool, error) {
		keep := make([]bool, len(gs))
		for i, g := range gs {
			if len(g.Trajectories) < 2 {
				continue
			}
			r := float64(g.Correct()) / float64(len(g.Trajectories))
			keep[i] = r >= lo-1e-9 && r <= hi+1e-9
		}
		return keep, nil
	}
}

func findPushcut(groups []*rollout.Group) *Trace {
	for _, g := range groups {
		for i := range g.Trajectories {
			if tr := TraceOf(&g.Trajectories[i]); tr != nil && tr.Result.Pushcut {
				return tr
			}
		}
	}
	return nil
}

func writeGIF(path string, frames []*image.RGBA) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := env.WriteGIF(f, frames, 8, 4); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// replayGIF re-executes a trace's chunks in the deterministic simulator with frames recorded.
func replayGIF(ctx context.Context, p *Policy, ns env.NormStats, tr *Trace, path string) error {
	s := env.NewSim()
	obs, err := s.Reset(ctx, tr.Result.Episode)
	if err != nil {
		return err
	}
	frames := []*image.RGBA{obs.Image}
	for _, d := range tr.Decisions {
		chunk, err := p.Chunk(d.Tokens, ns)
		if err != nil {
			return err
		}
		r, err := s.Step(ctx, chunk, env.StepOptions{RecordFrames: true})
		if err != nil {
			return err
		}
		frames = append(frames, r.Frames...)
		if r.Done {
			break
		}
	}
	return writeGIF(path, frames)
}

// slug names an episode in a file name: "pick-3-5001".
func slug(ep env.Episode) string { return fmt.Sprintf("%s-%d-%d", ep.Suite, ep.Task, ep.Trial) }
