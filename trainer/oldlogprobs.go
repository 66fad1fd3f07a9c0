package trainer

import (
	"context"

	"github.com/ascent-rl/ascent/engine"
)

// oldLogProbModes are run.old_log_probs' values ("" is "all").
var oldLogProbModes = []string{"all", "updated"}

// scoresUpdatedRowsOnly reports whether the old-log-prob pass may skip the rows the update leaves
// out: run.old_log_probs is "updated", the loss leaves zero-advantage rows inert (the update drops
// them, withoutInertRows), and nothing else reads every row's old log-probs before the update —
// no critic (its values come from the same pass and GAE reads them), no KL penalty in the reward,
// no reference policy. Advantages then depend on the rewards alone and are computed first.
func (t *Trainer) scoresUpdatedRowsOnly() bool {
	if t.cfg.Run.OldLogProbs != "updated" || t.cfg.Algo.Critic != nil || t.cfg.Algo.KL.InReward || t.ref != nil {
		return false
	}
	return t.zeroAdvantageRowsInert()
}

// zeroAdvantageRowsInert reports whether the actor loss ignores rows whose advantages are all zero
// (algo.Actor.ZeroAdvantageRowsInert), so the update may leave them out.
func (t *Trainer) zeroAdvantageRowsInert() bool {
	inert, ok := t.actor.(interface{ ZeroAdvantageRowsInert() bool })
	return ok && inert.ZeroAdvantageRowsInert()
}

// updatedRows returns the indices of the rows whose old log-probs the update can read: every row
// with a non-zero advantage, and the first row of every group — a mini-batch is whole groups in
// some order, and one whose rows are all inert still updates on its first row
// (withoutInertRows), so that row must be scored too.
func updatedRows(rows []engine.Row, groupOf []int) []int {
	seen := map[int]bool{}
	var sel []int
	for i, r := range rows {
		first := !seen[groupOf[i]]
		seen[groupOf[i]] = true
		if first || hasAdvantage(r) {
			sel = append(sel, i)
		}
	}
	return sel
}

// logProbsOf scores rows sel of rows and returns the result at full size: nil log-probs and
// entropies for the rows not in sel.
func (t *Trainer) logProbsOf(ctx context.Context, rows []engine.Row, sel []int, temp float64) (*engine.LogProbResult, error) {
	sub := make([]engine.Row, len(sel))
	for k, i := range sel {
		sub[k] = rows[i]
	}
	got, err := t.policy.LogProbs(ctx, sub, temp)
	if err != nil {
		return nil, err
	}
	res := &engine.LogProbResult{LogProbs: make([][]float32, len(rows)), Entropies: make([][]float32, len(rows))}
	for k, i := range sel {
		res.LogProbs[i] = got.LogProbs[k]
		if k < len(got.Entropies) {
			res.Entropies[i] = got.Entropies[k]
		}
	}
	return res, nil
}
