package trainer

import (
	"context"
	"fmt"
	"math"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/reward"
	"github.com/ascent-rl/ascent/rollout"
)

// shapeRewards turns verdicts into trajectory rewards: the preset's correct/incorrect values
// (interpolated by a graded verifier's partial credit, see credit), or TTRL's majority vote (no
// labels used), plus DAPO's soft overlong penalty. It returns TTRL's
// diagnostics, which read the hidden labels and never feed training.
func (t *Trainer) shapeRewards(groups []*rollout.Group) (voteMetrics, error) {
	r := t.cfg.Algo.Reward
	var vm voteMetrics
	for _, g := range groups {
		ts := g.Trajectories
		if r.Vote.Enabled {
			texts := make([]string, len(ts))
			for i := range ts {
				texts[i] = ts[i].Text
			}
			results, vote := reward.VoteGroup(context.Background(), texts)
			preds := make([]string, len(results))
			for i, res := range results {
				preds[i] = res.Verdict.Pred
				ts[i].Reward = r.Incorrect + (r.Correct-r.Incorrect)*vote.Rewards[i]
			}
			if gt := g.Task.Example.GroundTruth; gt != "" { // diagnostics only: TTRL never trains on labels
				diag, err := algo.Diagnose(preds, vote, gt, t.scorer.equivalent)
				if err != nil {
					return vm, fmt.Errorf("ttrl diagnostics for row %q: %w", g.Task.Example.ID, err)
				}
				vm.add(diag)
			}
		} else {
			for i := range ts {
				ts[i].Reward = r.Incorrect + (r.Correct-r.Incorrect)*credit(&ts[i])
			}
		}
		if r.Overlong.Enabled {
			for i := range ts {
				pen, err := algo.OverlongPenalty(len(ts[i].Tokens), t.cfg.Algo.Batch.MaxResponseLen, r.Overlong.Buffer, r.Overlong.Factor)
				if err != nil {
					return vm, fmt.Errorf("overlong penalty: %w", err)
				}
				ts[i].Reward += pen
			}
		}
	}
	return vm, nil
}

// credit is how right a trajectory is, in [0, 1]: 1 when the verdict is correct, else the
// verifier's score clamped to [0, 1]. Graded verifiers (physics: the fraction of sub-answers right;
// code: the fraction of tests passed; event F1) give partial credit between the preset's incorrect
// and correct values, as P1's reward does; binary verifiers score 0/1 (JustRL's −1/+1 clamps to
// 0/1), so they map to exactly those two values.
func credit(t *rollout.Trajectory) float64 {
	if t.Verdict.Correct {
		return 1
	}
	if math.IsNaN(t.Score) {
		return 0
	}
	return min(max(t.Score, 0), 1)
}

// klInReward subtracts β·kl(old, ref) from the token rewards (algo.KLInReward with
// algo.kl.reward_type, k1 by default) and, with algo.kl.adaptive, steers β towards target_kl
// (algo.AdaptiveKL, its coefficient kept in the run state so that a resumed run continues it).
// It logs verl's actor/reward_kl_penalty (the batch mean of per-sequence masked-mean KL) and
// actor/reward_kl_penalty_coeff (the β applied this step).
func (t *Trainer) klInReward(rewards [][]float64, old, ref [][]float32, mask [][]float64, m metrics) ([][]float64, error) {
	k := t.cfg.Algo.KL
	kind := algo.KLK1
	if k.RewardType != "" {
		var err error
		if kind, err = algo.ParseKLType(string(k.RewardType)); err != nil {
			return nil, fmt.Errorf("algo.kl.reward_type: %w", err)
		}
	}
	beta := k.RewardCoef
	if k.Adaptive && t.state.KLCoef != nil {
		beta = *t.state.KLCoef
	}
	shaped, mean, err := algo.KLInReward(rewards, toF64(old, mask), toF64(ref, mask), mask, beta, kind)
	if err != nil {
		return nil, err
	}
	m[metric.RewardKL] = mean
	m[metric.RewardKLCoef] = beta
	if k.Adaptive {
		c := algo.AdaptiveKL{Beta: beta, Target: k.TargetKL, Horizon: k.Horizon}
		next, err := c.Update(mean, len(rewards))
		if err != nil {
			return nil, fmt.Errorf("algo.kl.adaptive: %w", err)
		}
		t.state.KLCoef = &next
	}
	return shaped, nil
}

// toF64 widens per-row float32 values into a [B][T] matrix shaped like mask (zero past a row's end).
func toF64(x [][]float32, mask [][]float64) [][]float64 {
	out := make([][]float64, len(mask))
	for i := range mask {
		out[i] = make([]float64, len(mask[i]))
		for j := range min(len(x[i]), len(mask[i])) {
			out[i][j] = float64(x[i][j])
		}
	}
	return out
}
