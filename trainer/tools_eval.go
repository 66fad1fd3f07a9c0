package trainer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ascent-rl/ascent/internal/atomicfile"
	"github.com/ascent-rl/ascent/rollout"
	"github.com/ascent-rl/ascent/tool"
)

// FileToolEval is the run file with one JSON line per evaluation of a run with tools.
const FileToolEval = "tool_eval.jsonl"

// ToolEval is one evaluation of a run with tools.
type ToolEval struct {
	Step             int     `json:"step"`               // RL steps done (0: after SFT, before RL)
	WithTools        float64 `json:"with_tools"`         // held-out accuracy through the tool workflow (val/accuracy)
	WithoutTools     float64 `json:"without_tools"`      // the same policy, single turn, no tool answering
	CallsPerResponse float64 `json:"calls_per_response"` // tool calls per held-out response (with tools)
	ErrorRatio       float64 `json:"error_ratio"`        // share of those calls answered with an error
}

// evaluateTools evaluates the held-out problems greedily twice: through the tool workflow (the
// returned accuracy, val/accuracy) and without tools (single turn: the policy's own text after a
// call), and records both in FileToolEval.
func (t *Trainer) evaluateTools(ctx context.Context) (float64, error) {
	if len(t.val) == 0 {
		return 0, nil
	}
	start := time.Now()
	tasks := make([]rollout.Task, len(t.val))
	for i, ex := range t.val {
		ids, err := t.encodePrompt(ex)
		if err != nil {
			return 0, fmt.Errorf("eval: %w", err)
		}
		tasks[i] = rollout.Task{Example: ex, Prompt: ids}
	}
	maxTok := t.cfg.Eval.MaxTokens
	if maxTok == 0 {
		maxTok = t.evalMaxLen
	}
	var counts tool.Counts
	groups, err := t.multiTurn(1, t.samplingParams(0, maxTok, true), &counts, nil).Run(ctx, tasks, t.policy, 0)
	if err != nil {
		return 0, fmt.Errorf("eval with tools: %w", err)
	}
	correct := 0
	for _, g := range groups {
		correct += g.Correct()
	}
	rec := ToolEval{Step: t.evalStep(), WithTools: float64(correct) / float64(len(groups))}
	if calls := counts.Calls.Load(); calls > 0 {
		rec.CallsPerResponse = float64(calls) / float64(len(groups))
		rec.ErrorRatio = float64(counts.Errors.Load()) / float64(calls)
	}
	if rec.WithoutTools, err = t.evaluatePlain(ctx); err != nil {
		return 0, fmt.Errorf("eval without tools: %w", err)
	}
	t.logf("eval with tools (%s): %d/%d held-out problems solved (%.1f%%), %.2f calls per response, %.1f%% tool errors, in %.1fs; without tools %.1f%%",
		t.tools.syntax.Name(), correct, len(groups), 100*rec.WithTools, rec.CallsPerResponse, 100*rec.ErrorRatio,
		time.Since(start).Seconds(), 100*rec.WithoutTools)
	if err := t.recordToolEval(rec); err != nil {
		return 0, err
	}
	return rec.WithTools, nil
}

// evalStep is the RL step an evaluation belongs to. The loop evaluates before RL (EvalBefore not
// yet set: step 0), every eval.every steps before it counts the step as done (state.Step is one
// behind), and after the last step (state.Step already run.steps).
func (t *Trainer) evalStep() int {
	if t.state.EvalBefore != nil && t.state.Step < t.cfg.Run.Steps {
		return t.state.Step + 1
	}
	return t.state.Step
}

// recordToolEval rewrites FileToolEval with rec in place of any earlier record of its step (a
// resumed run repeats none, but a crash between an evaluation and its checkpoint can).
func (t *Trainer) recordToolEval(rec ToolEval) error {
	if t.runDir == "" {
		return nil
	}
	path := filepath.Join(t.runDir, FileToolEval)
	old, err := ReadToolEvals(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, r := range old {
		if r.Step != rec.Step {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
	}
	if err := enc.Encode(rec); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, buf.Bytes(), 0o644)
}

// ReadToolEvals reads a run's FileToolEval.
func ReadToolEvals(path string) ([]ToolEval, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []ToolEval
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		var r ToolEval
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}
