package trainer

import (
	"context"
	"fmt"
	"time"

	"github.com/ascent-rl/ascent/rollout"
)

// evaluate greedily decodes every held-out problem once and returns the fraction solved.
func (t *Trainer) evaluate(ctx context.Context) (float64, error) {
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
	correct := 0
	for _, r := range res {
		if r.Correct {
			correct++
		}
	}
	acc := float64(correct) / float64(len(res))
	t.logf("eval: %d/%d held-out problems solved (%.1f%%) in %.1fs", correct, len(res), 100*acc, time.Since(start).Seconds())
	return acc, t.evalSampled(ctx, acc)
}
