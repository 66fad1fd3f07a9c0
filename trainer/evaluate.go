package trainer

import (
	"context"
	"fmt"
	"time"

	"github.com/ascent-rl/ascent/rollout"
)

// evaluate greedily decodes every held-out problem once and returns the fraction solved; with
// rollout.tools, through the tool workflow (and once more without tools, trainer/tools_eval.go).
func (t *Trainer) evaluate(ctx context.Context) (float64, error) {
	if t.tools != nil {
		return t.evaluateTools(ctx)
	}
	return t.evaluatePlain(ctx)
}

// evaluatePlain is single-turn greedy decoding of every held-out problem.
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
	for _, r := range res {
		if r.Correct {
			correct++
		}
		score += r.Score
	}
	acc := float64(correct) / float64(len(res))
	t.valScore, t.scored = score/float64(len(res)), true
	if t.state.EvalBefore == nil { // the evaluation before RL (the loop records its accuracy next)
		s := t.valScore
		t.state.EvalBeforeScore = &s
	}
	t.logf("eval: %d/%d held-out problems solved (%.1f%%), mean score %.4f, in %.1fs", correct, len(res), 100*acc, t.valScore, time.Since(start).Seconds())
	return acc, t.evalSampled(ctx, acc)
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
