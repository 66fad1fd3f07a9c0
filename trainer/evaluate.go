package trainer

import (
	"context"
	"fmt"
	"time"

	"github.com/ascent-rl/ascent/rollout"
	"github.com/ascent-rl/ascent/track"
)

// evaluate greedily decodes every held-out problem once and returns the fraction solved; with
// rollout.tools, through the tool workflow (and once more without tools, trainer/tools_eval.go).
func (t *Trainer) evaluate(ctx context.Context) (float64, error) {
	if t.tools != nil {
		return t.evaluateTools(ctx)
	}
	return t.evaluatePlain(ctx)
}

// evaluatePlain is single-turn greedy decoding of every held-out problem; the responses go to
// samples/eval_step_N.jsonl (N: the RL steps done, 0 before RL) and, for a task with problem
// kinds, the mean score of each kind to the step's metrics.
func (t *Trainer) evaluatePlain(ctx context.Context) (float64, error) {
	if len(t.val) == 0 {
		return 0, nil
	}
	start := time.Now()
	prompts := make([][]int, len(t.val))
	for i, ex := range t.val {
		ids, err := t.encodePrompt(ex)
		if err != nil {
			return 0, fmt.Errorf("eval: %w", err)
		}
		prompts[i] = ids
	}
	maxTok := t.cfg.Eval.MaxTokens
	if maxTok == 0 {
		maxTok = t.evalMaxLen // algo.batch.max_response_len as configured: stages do not move it
	}
	seqs, err := t.policy.Sample(ctx, prompts, 1, t.samplingParams(0, maxTok, true))
	if err != nil {
		return 0, fmt.Errorf("eval: %w", err)
	}
	items := make([]rollout.Item, len(seqs))
	for i, s := range seqs {
		items[i] = rollout.Item{Example: t.val[i], Text: t.detok(s.Tokens)}
	}
	res, err := t.scorer.strictForEval().verify(ctx, items)
	if err != nil {
		return 0, fmt.Errorf("eval: %w", err)
	}
	correct, score := 0, 0.0
	graded := make([]evalItem, len(res))
	for i, r := range res {
		if r.Correct {
			correct++
		}
		score += r.Score
		ex := t.val[i]
		graded[i] = evalItem{kind: ex.ExtraInfo["kind"], score: r.Score, sample: track.Sample{Prompt: ex.PromptText,
			Response: items[i].Text, Reward: r.Score, Verdict: verdictName(r.Correct, r.Verdict.Status),
			GroundTruth: ex.GroundTruth, Pred: r.Verdict.Pred}}
	}
	if err := t.run.LogEvalSamples(t.evalStep(), evalSamples(graded)); err != nil {
		return 0, err
	}
	acc := float64(correct) / float64(len(res))
	t.valScore, t.scored = score/float64(len(res)), true
	if t.state.EvalBefore == nil { // the evaluation before RL (the loop records its accuracy next)
		s := t.valScore
		t.state.EvalBeforeScore = &s
	}
	kinds := evalKindScores(graded)
	t.logf("eval: %d/%d held-out problems solved (%.1f%%), mean score %.4f%s, in %.1fs", correct, len(res), 100*acc, t.valScore, kindNote(kinds), time.Since(start).Seconds())
	if err := t.evalSampled(ctx, acc); err != nil {
		return acc, err
	}
	if kinds != nil {
		if t.evalExtra == nil {
			t.evalExtra = metrics{}
		}
		t.evalExtra.addAll(kinds)
	}
	return acc, nil
}

// withEvalScores adds the held-out mean scores before and after RL (val/score; for physics the
// mean sub-answer accuracy) to the run's summary.
func (t *Trainer) withEvalScores(sum map[string]any) map[string]any {
	if t.state.EvalBeforeScore != nil {
		sum["eval_before_score"] = *t.state.EvalBeforeScore
		switch {
		case t.cfg.Run.Steps == 0:
			sum["eval_after_score"] = *t.state.EvalBeforeScore
		case t.scored: // this process ran the final evaluation
			sum["eval_after_score"] = t.valScore
		}
	}
	return sum
}
