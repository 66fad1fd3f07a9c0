package trainer

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/model/tokenizer"
	"github.com/ascent-rl/ascent/rollout"
	"github.com/ascent-rl/ascent/track"
)

// loop runs the phases: SFT warm-up, evaluation, RL steps (with checkpoints), evaluation.
func (t *Trainer) loop(ctx context.Context) (Summary, error) {
	sum := Summary{RunDir: t.runDir}
	if !t.state.SFTDone {
		if err := t.sftWarmup(ctx); err != nil {
			return sum, err
		}
		t.state.SFTDone = true
	}
	if t.ref == nil { // a resumed run has loaded the reference it froze at the start
		if err := t.freezeReference(); err != nil {
			return sum, err
		}
	}
	if err := t.saveReference(); err != nil {
		return sum, err
	}
	if t.state.EvalBefore == nil {
		acc, err := t.evaluate(ctx)
		if err != nil {
			return sum, err
		}
		t.state.EvalBefore = &acc
		if err := t.checkpoint(); err != nil { // step 0: SFT and the first evaluation are never redone
			return sum, err
		}
	}
	sum.EvalBefore = *t.state.EvalBefore
	if t.asyncOn() {
		if err := t.startAsync(); err != nil {
			return sum, err
		}
	} else if _, err := t.syncRollout(ctx); err != nil { // the servers start from the trainer's weights
		return sum, err
	}
	rlStart := time.Now()
	t.prog = newProgress(t.out, t.state.Step, t.cfg.Run.Steps)
	out := t.out
	t.out = t.prog.writer(out) // log lines print above the live bars in a terminal
	// The producer reports to t.prog: stop it first.
	defer func() { t.stopAsync(); t.prog.close(); t.prog, t.out = nil, out }()
	for step := t.state.Step + 1; step <= t.cfg.Run.Steps; step++ {
		if err := ctx.Err(); err != nil {
			t.logf("interrupted: stopping after step %d", t.state.Step)
			return sum, t.stopCleanly(err)
		}
		m, groups, err := t.rlStep(ctx, step)
		if err != nil {
			if ctx.Err() != nil {
				return sum, t.stopCleanly(ctx.Err())
			}
			return sum, fmt.Errorf("step %d: %w", step, err)
		}
		if t.cfg.Eval.Every > 0 && step%t.cfg.Eval.Every == 0 && step < t.cfg.Run.Steps {
			start := time.Now()
			acc, err := t.evaluate(ctx)
			if err != nil {
				return sum, err
			}
			m[metric.ValAccuracy], m[metric.ValScore] = acc, t.valScore
			m.addAll(t.evalExtra)
			m[metric.TimeTesting] = time.Since(start).Seconds()
		}
		t.state.Step = step
		last := step == t.cfg.Run.Steps || t.overBudget(rlStart)
		if last {
			acc, err := t.evaluate(ctx)
			if err != nil {
				return sum, err
			}
			m[metric.ValAccuracy], m[metric.ValScore] = acc, t.valScore
			m.addAll(t.evalExtra)
			sum.EvalAfter = acc
		}
		if err := t.run.Log(step, m); err != nil {
			return sum, err
		}
		if err := t.logSamples(step, groups); err != nil {
			return sum, err
		}
		t.printStep(step, m)
		t.prog.stepDone(step, m)
		if last || (t.cfg.Run.SaveEvery > 0 && step%t.cfg.Run.SaveEvery == 0) {
			if err := t.checkpoint(); err != nil {
				return sum, err
			}
		}
		if last {
			break
		}
	}
	sum.Steps = t.state.Step
	if t.cfg.Run.Steps == 0 {
		sum.EvalAfter = sum.EvalBefore
	}
	err := t.run.WriteSummary(t.withEvalScores(map[string]any{"eval_before": sum.EvalBefore, "eval_after": sum.EvalAfter,
		"steps": sum.Steps, "preset": t.cfg.Preset, "eval_problems": len(t.val)}))
	return sum, err
}

// stopCleanly saves a checkpoint of the last finished step before returning the interrupt.
func (t *Trainer) stopCleanly(cause error) error {
	if err := t.checkpoint(); err != nil {
		return fmt.Errorf("%w (and the checkpoint failed: %v)", cause, err)
	}
	t.logf("saved step %d; continue with: ascent train --resume %s", t.state.Step, t.runDir)
	return cause
}

// checkpoint writes the engine and trainer state after the current step.
func (t *Trainer) checkpoint() error {
	start := time.Now()
	ds, err := t.dataState()
	if err != nil {
		return err
	}
	if t.async != nil {
		defer t.async.release()
	}
	t.state.Data = ds
	if err := t.run.Sync(); err != nil {
		return err
	}
	dir, err := writeCheckpoint(t.runDir, t.state.Step, t.cfg.Run.KeepCheckpoints, func(dir string) error {
		if err := t.policy.Save(filepath.Join(dir, engineSubdir)); err != nil {
			return err
		}
		// The checkpoint names its tokenizer so that `ascent eval/serve --model` find it.
		if err := tokenizer.WriteBuiltinFile(filepath.Join(dir, engineSubdir), t.tok); err != nil {
			return err
		}
		return saveState(dir, t.state)
	})
	if err != nil {
		return err
	}
	t.logf("checkpoint: %s (%.1fs)", dir, time.Since(start).Seconds())
	return nil
}

// resume restores the newest valid checkpoint of runDir and reopens its run for appending.
func (t *Trainer) resume(runDir string) error {
	t.runDir = runDir
	dir, step, err := latestValidCheckpoint(runDir, func(msg string) { t.logf("resume: %s", msg) })
	if err != nil {
		return err
	}
	if dir == "" {
		return fmt.Errorf("resume %s: no valid checkpoint (the run stopped before its first one); start it again", runDir)
	}
	st, err := loadState(dir)
	if err != nil {
		return err
	}
	if err := t.policy.Load(filepath.Join(dir, engineSubdir)); err != nil {
		return fmt.Errorf("resume %s: %w", dir, err)
	}
	var ds data.DataState
	if err := json.Unmarshal(st.Data, &ds); err != nil {
		return fmt.Errorf("resume %s: data state: %w", dir, err)
	}
	if err := t.train.Restore(ds); err != nil {
		return fmt.Errorf("resume %s: %w", dir, err)
	}
	if t.needsRef() {
		if err := t.loadReference(); err != nil {
			return err
		}
	}
	t.state = st
	root, id := filepath.Dir(filepath.Clean(runDir)), filepath.Base(filepath.Clean(runDir))
	if t.run, err = track.Resume(root, id, step); err != nil {
		return err
	}
	t.logf("resume: continuing %s after step %d (checkpoint %s)", runDir, step, dir)
	return nil
}

// printStep prints one line per step.
func (t *Trainer) printStep(step int, m metrics) {
	line := fmt.Sprintf("step %4d/%d  acc %.3f  score %+.3f  entropy %.3f  len %.1f  pg_loss %+.4f  %.1fs",
		step, t.cfg.Run.Steps, m[metric.Accuracy], m[metric.ScoreMean], m[metric.Entropy],
		m[metric.RespLenMean], m[metric.PGLoss], m[metric.TimeStep])
	if v, ok := m[metric.ValAccuracy]; ok {
		line += fmt.Sprintf("  val %.3f", v)
	}
	t.logf("%s", line)
}

// logSamples writes the first samples_per_step responses of the step.
func (t *Trainer) logSamples(step int, groups []*rollout.Group) error {
	limit := t.cfg.Run.SamplesPerStep
	var out []track.Sample
	for _, g := range groups {
		for _, tr := range g.Trajectories {
			if len(out) >= limit {
				break
			}
			out = append(out, track.Sample{Prompt: g.Task.Example.PromptText, Response: tr.Text, Reward: tr.Reward,
				Verdict: verdictName(tr.Verdict.Correct, tr.Verdict.Status), GroundTruth: g.Task.Example.GroundTruth, Pred: tr.Verdict.Pred})
		}
	}
	if len(out) == 0 {
		return nil
	}
	return t.run.LogSamples(step, out)
}
