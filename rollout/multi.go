package rollout

import (
	"context"
	"fmt"
	"slices"

	"github.com/ascent-rl/ascent/engine"
)

// Reply is what a tool or environment answers after one of the policy's turns.
type Reply struct {
	Tokens []int   // token ids inserted after the turn (masked out of the loss); nil: none
	Reward float64 // the reward of the turn just taken (an environment's step reward)
	Done   bool    // the trajectory ends after this turn; Tokens are ignored
}

// Tool answers the policy between turns. It sees the trajectory so far (its Tokens are the exact
// ids sampled and inserted) and must not modify it.
type Tool interface {
	// Respond answers the turn that ends t (t.Steps' last entry); an error aborts the rollout.
	Respond(ctx context.Context, task Task, t *Trajectory) (Reply, error)
}

// MultiTurn alternates policy turns with tool replies, token in and token out: each turn is
// sampled on the task's prompt followed by every token of the trajectory so far, and the tool's
// tokens are appended as ids, never re-tokenised from text. The policy's tokens have LossMask 1,
// the tool's 0. A trajectory ends when the tool says Done, after MaxTurns turns, or when
// MaxTokens tokens (all turns, both sides) are used up. Each trajectory has its own budget: a
// turn is sampled for all live trajectories at once with the largest budget left among them and
// each response is cut at its own trajectory's (a prefix of an autoregressive sample is a sample
// under the shorter budget), so one trajectory whose tool reply used most of its tokens does not
// shorten the others' turns.
type MultiTurn struct {
	N         int                   // trajectories per task
	MaxTurns  int                   // policy turns per trajectory (≥ 1)
	MaxTokens int                   // tokens after the prompt, all turns together
	Params    engine.SamplingParams // sampler settings of each turn; Run sets Seed and caps MaxTokens
	Tool      Tool                  // answers between turns
	Decode    func([]int) string    // trajectory tokens → the text the verifier reads
	Verify    Verifier              // scores the finished trajectories
	Phase     Phase                 // told "rollout" then "reward"; may be nil
}

// active is one unfinished trajectory.
type active struct {
	g, j int // group and trajectory index
}

// Run implements Workflow.
func (w MultiTurn) Run(ctx context.Context, tasks []Task, s Sampler, seed uint64) ([]*Group, error) {
	if w.N < 1 || w.MaxTurns < 1 || w.MaxTokens < 1 {
		return nil, fmt.Errorf("multi-turn rollout: n %d, max_turns %d, max_tokens %d: want all ≥ 1", w.N, w.MaxTurns, w.MaxTokens)
	}
	groups := make([]*Group, len(tasks))
	var live []active
	for i, t := range tasks {
		groups[i] = &Group{Task: t, Trajectories: make([]Trajectory, w.N)}
		for j := range w.N {
			groups[i].Trajectories[j].LossMask = []float32{}
			live = append(live, active{i, j})
		}
	}
	w.Phase.enter("rollout")
	for turn := 0; turn < w.MaxTurns && len(live) > 0; turn++ {
		prompts := make([][]int, len(live))
		budget := 0 // the largest budget left among the live trajectories
		for k, a := range live {
			tr := &groups[a.g].Trajectories[a.j]
			prompts[k] = slices.Concat(tasks[a.g].Prompt, tr.Tokens)
			budget = max(budget, w.MaxTokens-len(tr.Tokens))
		}
		p := w.Params
		p.Seed = seed + uint64(turn)*0x9E3779B97F4A7C15
		p.MaxTokens = min(p.MaxTokens, budget)
		seqs, err := s.Sample(ctx, prompts, 1, p)
		if err != nil {
			return nil, fmt.Errorf("multi-turn rollout, turn %d: %w", turn+1, err)
		}
		if len(seqs) != len(live) {
			return nil, fmt.Errorf("multi-turn rollout, turn %d: sampler returned %d sequences for %d prompts", turn+1, len(seqs), len(live))
		}
		var next []active
		for k, a := range live {
			tr := &groups[a.g].Trajectories[a.j]
			q := cut(seqs[k], w.MaxTokens-len(tr.Tokens))
			start := len(tr.Tokens)
			tr.Tokens = append(tr.Tokens, q.Tokens...)
			tr.LogProbs = append(tr.LogProbs, q.LogProbs...)
			tr.LossMask = append(tr.LossMask, ones(len(q.Tokens))...)
			tr.FinishReason = q.FinishReason
			tr.Steps = append(tr.Steps, Step{Start: start, End: len(tr.Tokens)})
			rep, err := w.Tool.Respond(ctx, tasks[a.g], tr)
			if err != nil {
				return nil, fmt.Errorf("multi-turn rollout, row %q, turn %d: tool: %w", tasks[a.g].Example.ID, turn+1, err)
			}
			tr.Steps[len(tr.Steps)-1].Reward = rep.Reward
			if rep.Done || turn+1 == w.MaxTurns || len(tr.Tokens)+len(rep.Tokens) >= w.MaxTokens {
				continue
			}
			tr.Tokens = append(tr.Tokens, rep.Tokens...)
			tr.LogProbs = append(tr.LogProbs, make([]float32, len(rep.Tokens))...)
			tr.LossMask = append(tr.LossMask, make([]float32, len(rep.Tokens))...)
			next = append(next, a)
		}
		live = next
	}
	for _, g := range groups {
		for j := range g.Trajectories {
			g.Trajectories[j].Text = w.Decode(g.Trajectories[j].Tokens)
		}
	}
	w.Phase.enter("reward")
	err := verifyAll(ctx, groups, w.Verify)
	w.Phase.enter("")
	return groups, err
}

// cut returns q limited to n tokens, finished by "length" when it had more.
func cut(q engine.Sequence, n int) engine.Sequence {
	if len(q.Tokens) > n {
		q.Tokens, q.LogProbs, q.FinishReason = q.Tokens[:n], q.LogProbs[:n], "length"
	}
	return q
}

// ones returns n ones.
func ones(n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = 1
	}
	return out
}
