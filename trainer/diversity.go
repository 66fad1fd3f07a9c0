package trainer

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/eval"
	"github.com/ascent-rl/ascent/internal/atomicfile"
	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/reward"
	"github.com/ascent-rl/ascent/rollout"
)

// evalBeforeFile holds the sampled metrics of the evaluation before RL (step 0 is never a row of
// metrics.jsonl), next to summary.json's greedy eval_before.
const evalBeforeFile = "eval_before.json"

// evalSampled runs the sampled half of an evaluation when eval.pass_k > 0: pass_k responses per
// held-out problem (the first eval.pass_k_problems) at the rollout temperature, scored with the
// same verifier as the greedy pass. It keeps the metrics for the step's row (t.evalExtra) and, for
// the evaluation before RL, writes them with the greedy accuracy to RUN/eval_before.json.
func (t *Trainer) evalSampled(ctx context.Context, greedyAcc float64) error {
	t.evalExtra = nil
	k := t.cfg.Eval.PassK
	if k <= 0 || len(t.val) == 0 {
		return nil
	}
	val := t.val
	if n := t.cfg.Eval.PassKProblems; n > 0 && n < len(val) {
		val = val[:n]
	}
	prompts := make([][]int, len(val))
	for i, ex := range val {
		ids, err := t.encodePrompt(ex)
		if err != nil {
			return fmt.Errorf("eval pass@k: %w", err)
		}
		prompts[i] = ids
	}
	maxTok := t.cfg.Eval.MaxTokens
	if maxTok == 0 {
		maxTok = t.evalMaxLen
	}
	// One fixed seed for every evaluation of the run: the curves compare the policy, not the draws.
	seqs, err := t.policy.Sample(ctx, prompts, k, t.samplingParams(streamSeed(t.cfg.Run.Seed, "eval-pass-k"), maxTok, false))
	if err != nil {
		return fmt.Errorf("eval pass@k: %w", err)
	}
	if len(seqs) != len(val)*k {
		return fmt.Errorf("eval pass@k: sampler returned %d sequences for %d problems × %d", len(seqs), len(val), k)
	}
	items := make([]rollout.Item, len(seqs))
	texts := make([]string, len(seqs))
	for i, s := range seqs {
		texts[i] = t.detok(s.Tokens)
		items[i] = rollout.Item{Example: val[i/k], Text: texts[i]}
	}
	res, err := t.scorer.strictForEval().verify(ctx, items)
	if err != nil {
		return fmt.Errorf("eval pass@k: %w", err)
	}
	groups := make([]sampledGroup, len(val))
	for p := range val {
		g := sampledGroup{texts: texts[p*k : (p+1)*k]}
		for _, r := range res[p*k : (p+1)*k] {
			g.correct = append(g.correct, r.Correct)
			g.preds = append(g.preds, r.Verdict.Pred)
		}
		groups[p] = g
	}
	m := sampledMetrics(ctx, groups, k)
	t.evalExtra = m
	t.logf("eval: pass@1 %.3f  pass@%d %.3f  maj@%d %.3f  distinct correct %.2f on %d problems × %d samples",
		m[metric.ValPassAt+"1"], k, m[metric.ValPassAt+strconv.Itoa(k)], k, m[metric.ValMajAt+strconv.Itoa(k)],
		m[metric.ValDistinctCorrect], len(val), k)
	if t.state.EvalBefore != nil {
		return nil
	}
	rec := map[string]float64{metric.ValAccuracy: greedyAcc}
	for name, v := range m {
		rec[name] = v
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(t.runDir, evalBeforeFile), b, 0o644)
}

// sampledGroup is one held-out problem's samples: decoded texts, verdicts and extracted answers.
type sampledGroup struct {
	texts   []string
	correct []bool
	preds   []string
}

// sampledMetrics averages pass@k (k = 1, 2, 4, … and K), maj@K and distinct correct answers per
// problem over groups of K samples each.
func sampledMetrics(ctx context.Context, groups []sampledGroup, k int) metrics {
	ks := passKs(k)
	m := metrics{}
	var maj, distinct float64
	for _, g := range groups {
		c := 0
		seen := map[string]bool{}
		for i, ok := range g.correct {
			if ok {
				c++
				seen[strings.Join(strings.Fields(g.preds[i]), "")] = true
			}
		}
		for _, kk := range ks {
			m[metric.ValPassAt+strconv.Itoa(kk)] += eval.PassAtK(len(g.correct), c, kk)
		}
		distinct += float64(len(seen))
		// maj@K: TTRL's vote over the extracted answers; right when the majority class's first
		// member is correct (every member of a class is equivalent to it).
		_, vote := reward.VoteGroup(ctx, g.texts)
		if vote.HasLabel {
			for i, r := range vote.Rewards {
				if r == 1 {
					if g.correct[i] {
						maj++
					}
					break
				}
			}
		}
	}
	n := float64(len(groups))
	for _, kk := range ks {
		m[metric.ValPassAt+strconv.Itoa(kk)] /= n
	}
	m[metric.ValMajAt+strconv.Itoa(k)] = maj / n
	m[metric.ValDistinctCorrect] = distinct / n
	return m
}

// passKs are the k of pass@k reported for K samples: powers of two below K, then K.
func passKs(k int) []int {
	var ks []int
	for v := 1; v < k; v *= 2 {
		ks = append(ks, v)
	}
	return append(ks, k)
}

// logpAdvCov is the batch covariance of the sampled tokens' log-probabilities and advantages over
// valid tokens — the term Cov(log π, A) whose sign, by the Entropy Mechanism's identity (spec §4.2),
// sets the sign of the next entropy change (positive: entropy falls). It is the mean of
// algo.TokenCovarianceRef's per-token cross-products. logp is per row; adv and mask are [B][T].
func logpAdvCov(logp [][]float32, adv, mask [][]float64) float64 {
	cov := algo.TokenCovarianceRef(toF64(logp, mask), adv, mask)
	var s, n float64
	for i := range cov {
		for j := range cov[i] {
			s += cov[i][j]
			n += mask[i][j]
		}
	}
	if n == 0 {
		return 0
	}
	return s / n
}
