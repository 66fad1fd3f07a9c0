package rollout

import (
	"context"
	"fmt"

	"github.com/ascent-rl/ascent/engine"
)

// SingleTurn is generate-then-verify: N responses per task, each decoded and verified once.
type SingleTurn struct {
	N      int                   // responses per task
	Params engine.SamplingParams // sampler settings; Run sets Seed
	Decode func([]int) string    // response tokens → text (special tokens dropped)
	Verify Verifier              // scores the decoded responses
	Phase  Phase                 // told "rollout" then "reward"; may be nil
}

// Run implements Workflow.
func (w SingleTurn) Run(ctx context.Context, tasks []Task, s Sampler, seed uint64) ([]*Group, error) {
	prompts := make([][]int, len(tasks))
	for i, t := range tasks {
		prompts[i] = t.Prompt
	}
	p := w.Params
	p.Seed = seed
	w.Phase.enter("rollout")
	seqs, err := s.Sample(ctx, prompts, w.N, p)
	if err != nil {
		return nil, fmt.Errorf("rollout: %w", err)
	}
	if len(seqs) != len(tasks)*w.N {
		return nil, fmt.Errorf("rollout: sampler returned %d sequences for %d prompts × %d", len(seqs), len(tasks), w.N)
	}
	groups := make([]*Group, len(tasks))
	for i, t := range tasks {
		g := &Group{Task: t, Trajectories: make([]Trajectory, w.N)}
		for j, q := range seqs[i*w.N : (i+1)*w.N] {
			g.Trajectories[j] = Trajectory{Tokens: q.Tokens, LogProbs: q.LogProbs, TokenVersions: q.Versions, FinishReason: q.FinishReason, Text: w.Decode(q.Tokens)}
		}
		groups[i] = g
	}
	w.Phase.enter("reward")
	err = verifyAll(ctx, groups, w.Verify)
	w.Phase.enter("")
	return groups, err
}

// verifyAll verifies every trajectory of groups in one batch and stores the verdicts.
func verifyAll(ctx context.Context, groups []*Group, verify Verifier) error {
	var items []Item
	for _, g := range groups {
		for _, t := range g.Trajectories {
			items = append(items, Item{Example: g.Task.Example, Text: t.Text})
		}
	}
	res, err := verify(ctx, items)
	if err != nil {
		return err
	}
	if len(res) != len(items) {
		return fmt.Errorf("rollout: verifier returned %d results for %d responses", len(res), len(items))
	}
	k := 0
	for _, g := range groups {
		for j := range g.Trajectories {
			g.Trajectories[j].Verdict, g.Trajectories[j].Score = res[k].Verdict, res[k].Score
			k++
		}
	}
	return nil
}
