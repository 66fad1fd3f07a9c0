package trainer

import (
	"fmt"
	"slices"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/rollout"
)

// batch is one step's training rows with their bookkeeping.
type batch struct {
	rows    []engine.Row
	groupOf []int       // row → index of its prompt group
	scores  []float64   // row → sequence reward
	sampler [][]float32 // row → the sampler's log-probs (nil for demonstrations)
}

// route applies HPT's per-question switch (algo.HPTRoute on the count of verified-correct
// rollouts) and returns how many prompts train on their demonstration.
func (t *Trainer) route(groups []*rollout.Group) (int, error) {
	sw := t.cfg.Algo.Reward.Switch
	if !sw.Enabled {
		return 0, nil
	}
	return rollout.Route(groups, func(g *rollout.Group) (bool, error) {
		r, err := algo.HPTRoute(g.Correct(), len(g.Trajectories), sw.Gate, sw.GateOff)
		return r != algo.RouteRL, err
	})
}

// buildRows turns kept groups into training rows: one per trajectory, with its loss mask and the
// sampler's log-probs, or one SFT row of the demonstration for a group Route marked.
func (t *Trainer) buildRows(groups []*rollout.Group) (*batch, error) {
	b := &batch{}
	for gi, g := range groups {
		if g.Demo {
			resp, err := t.encodeResponse(g.Task.Example.Demonstration)
			if err != nil {
				return nil, fmt.Errorf("demonstration of row %q: %w", g.Task.Example.ID, err)
			}
			b.add(engine.Row{Prompt: g.Task.Prompt, Response: resp, Demo: true}, gi, 0, nil)
			continue
		}
		for _, tr := range g.Trajectories {
			b.add(engine.Row{Prompt: g.Task.Prompt, Response: tr.Tokens, LossMask: tr.LossMask}, gi, tr.Reward, tr.LogProbs)
		}
	}
	return b, nil
}

// add appends one row with its group, sequence reward and sampler log-probs.
func (b *batch) add(r engine.Row, group int, score float64, sampler []float32) {
	b.rows = append(b.rows, r)
	b.groupOf = append(b.groupOf, group)
	b.scores = append(b.scores, score)
	b.sampler = append(b.sampler, sampler)
}

// encodeResponse tokenises a demonstration as a response ending in EOS, within max_response_len.
func (t *Trainer) encodeResponse(text string) ([]int, error) {
	ids, err := t.tok.Encode(text)
	if err != nil {
		return nil, err
	}
	if eos := t.tok.Specials().EOS; eos >= 0 {
		ids = append(ids, eos)
	}
	if limit := t.cfg.Algo.Batch.MaxResponseLen; len(ids) > limit {
		return nil, fmt.Errorf("%d tokens; algo.batch.max_response_len is %d", len(ids), limit)
	}
	return ids, nil
}

// hasAdvantage reports whether any of r's advantages is non-zero (a row without one is inert).
func hasAdvantage(r engine.Row) bool {
	return slices.ContainsFunc(r.Advantages, func(a float32) bool { return a != 0 })
}

// withoutInertRows drops the rows whose advantages are all zero (they add nothing to a loss whose
// ZeroAdvantageRowsInert is true) and returns the totals the update must still normalise by. It
// keeps at least one row, so that the optimiser still takes its step (momentum, weight decay) exactly
// as it would on the whole mini-batch.
func withoutInertRows(rows []engine.Row) ([]engine.Row, *engine.UpdateTotals) {
	totals := engine.TotalsOf(rows)
	kept := make([]engine.Row, 0, len(rows))
	for _, r := range rows {
		if hasAdvantage(r) {
			kept = append(kept, r)
		}
	}
	if len(kept) == len(rows) {
		return rows, nil
	}
	if len(kept) == 0 {
		kept = rows[:1]
	}
	return kept, &totals
}
