package rollout

import (
	"context"
	"fmt"
	"strconv"

	"github.com/ascent-rl/ascent/algo"
)

// Refill is dynamic sampling around a workflow (DAPO): run it on more tasks until Groups groups
// pass Filter, at most MaxRounds rounds.
type Refill struct {
	// Groups is the number of groups to return (P prompts per step).
	Groups int
	// Filter reports which groups of a round to keep; nil keeps every group and runs one round.
	Filter func(groups []*Group) ([]bool, error)
	// MaxRounds fails the collection after this many rounds without Groups kept (0: no limit).
	MaxRounds int
	// Scale asks for ⌈Scale × missing⌉ tasks per round when above 1 (DAPO gen_batch_size).
	Scale float64
	// Observe sees every group of every round, kept or not (statistics); nil is fine.
	Observe func(g *Group, kept bool)
}

// Collect runs w on tasks from next, round after round, until r.Groups groups are kept, and returns
// the first r.Groups of them in generation order. seed gives each round's sampling seed.
func Collect(ctx context.Context, w Workflow, s Sampler, next func(n int) ([]Task, error), seed func(round int) uint64, r Refill) ([]*Group, error) {
	var kept []*Group
	for round := 0; len(kept) < r.Groups; round++ {
		if r.Filter != nil && r.MaxRounds > 0 && round >= r.MaxRounds {
			return nil, fmt.Errorf("dynamic sampling: after %d rounds only %d of %d groups had non-constant rewards; allow more rounds or use easier data", round, len(kept), r.Groups)
		}
		need := r.Groups - len(kept)
		if r.Filter != nil && r.Scale > 1 {
			need = int(float64(need)*r.Scale + 0.999)
		}
		tasks, err := next(need)
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		groups, err := w.Run(ctx, tasks, s, seed(round))
		if err != nil {
			return nil, err
		}
		keep := make([]bool, len(groups))
		if r.Filter == nil {
			for i := range keep {
				keep[i] = true
			}
		} else if keep, err = r.Filter(groups); err != nil {
			return nil, err
		}
		for i, g := range groups {
			if r.Observe != nil {
				r.Observe(g, keep[i])
			}
			if keep[i] {
				kept = append(kept, g)
			}
		}
		if r.Filter == nil {
			break
		}
	}
	return kept[:min(len(kept), r.Groups)], nil
}

// The per-trajectory values dynamic sampling can filter on (verl filter_groups.metric).
const (
	MetricAcc       = "acc"              // 1 when the verifier accepted the response, else 0
	MetricScore     = "score"            // the verifier's scalar reward, before shaping
	MetricSeqReward = "seq_final_reward" // the shaped reward (vote, overlong penalty)
)

// MetricNames lists the valid filter metrics.
var MetricNames = []string{MetricAcc, MetricScore, MetricSeqReward}

// TrajectoryMetric returns the per-trajectory value a filter metric names, or an error listing the
// valid names.
func TrajectoryMetric(name string) (func(*Trajectory) float64, error) {
	switch name {
	case MetricAcc:
		return func(t *Trajectory) float64 {
			if t.Verdict.Correct {
				return 1
			}
			return 0
		}, nil
	case MetricScore:
		return func(t *Trajectory) float64 { return t.Score }, nil
	case MetricSeqReward:
		return func(t *Trajectory) float64 { return t.Reward }, nil
	}
	return nil, fmt.Errorf("filter metric %q: valid: %v", name, MetricNames)
}

// NonConstant is DAPO's group filter (algo.FilterGroups): keep the groups whose metric varies
// across their trajectories (a group of one trajectory is kept).
func NonConstant(metric func(*Trajectory) float64) func([]*Group) ([]bool, error) {
	return func(groups []*Group) ([]bool, error) {
		var ids []string
		var vals []float64
		for i, g := range groups {
			for j := range g.Trajectories {
				ids = append(ids, strconv.Itoa(i))
				vals = append(vals, metric(&g.Trajectories[j]))
			}
		}
		keep := make([]bool, len(groups))
		if len(ids) == 0 {
			return keep, nil
		}
		kept, err := algo.FilterGroups(ids, vals)
		if err != nil {
			return nil, err
		}
		for _, id := range kept {
			i, _ := strconv.Atoi(id)
			keep[i] = true
		}
		return keep, nil
	}
}

// FirstN keeps the first n trajectories of every group, in generation order (TTRL trains on the
// first N_train of its N_vote samples: algo.FirstN).
func FirstN(groups []*Group, n int) error {
	for _, g := range groups {
		ts, err := algo.FirstN(g.Trajectories, n)
		if err != nil {
			return fmt.Errorf("row %q: %w", g.Task.Example.ID, err)
		}
		g.Trajectories = ts
	}
	return nil
}

// Route marks the groups that train on their demonstration instead of their rollouts (HPT's
// per-question switch: demo(g) decides) and returns how many it marked.
func Route(groups []*Group, demo func(*Group) (bool, error)) (int, error) {
	n := 0
	for _, g := range groups {
		d, err := demo(g)
		if err != nil {
			return n, fmt.Errorf("row %q: %w", g.Task.Example.ID, err)
		}
		g.Demo = d
		if d {
			n++
		}
	}
	return n, nil
}
