// Package rollout turns tasks into trajectory groups: a Workflow samples from a Sampler, lets a tool
// or an environment insert tokens between turns, and verifies the result; the steps around it
// (dynamic-sampling refill, TTRL's first-N, HPT's routing) compose without the trainer knowing
// which workflow ran.
//
//	task ──► Workflow.Run ──► []*Group ──► Collect (refill until P kept) ──► FirstN / Route ──► rows
//
// Token in, token out: a trajectory is the exact token ids the sampler produced and the tool
// inserted, in order, never re-tokenised text; LossMask marks the ones the policy is trained on.
package rollout

import (
	"context"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/reward"
)

// Sampler draws responses from a policy (engine/local, engine/openai).
type Sampler interface {
	// Sample draws n responses for each prompt, prompt-major (all n responses of prompt 0 first).
	Sample(ctx context.Context, prompts [][]int, n int, p engine.SamplingParams) ([]engine.Sequence, error)
}

// Task is one prompt to roll out: its data row and its encoded prompt.
type Task struct {
	Example data.Example // the row (prompt text, ground truth, data_source, demonstration)
	Prompt  []int        // prompt token ids, not trained on
}

// Step is one decision of a multi-turn trajectory or an environment episode: the span of Tokens
// the policy produced for it (an action chunk, a turn) and the reward the environment gave it.
// Tokens between steps were inserted by the tool or the environment (observations) and are masked.
type Step struct {
	Start, End int     // the policy's tokens of this step are Tokens[Start:End]
	Reward     float64 // the environment's reward for this step (0 when it gives none)
}

// Trajectory is one sampled response (single turn) or one episode (multi-turn, environment).
type Trajectory struct {
	// Tokens are every token after the prompt, sampled and inserted, exactly as the sampler and the
	// tool produced them.
	Tokens []int
	// LogProbs are the sampler's log-probs, [len(Tokens)] (0 at inserted tokens).
	LogProbs []float32
	// TokenVersions is the weight version that sampled each token, [len(Tokens)], when generation
	// continued across a weight update (async.partial: continue); nil: the batch's one version.
	TokenVersions []int `json:",omitempty"`
	// LossMask is 1 where the policy produced the token and 0 where a tool or environment inserted
	// it, [len(Tokens)]; nil means every token is the policy's (single turn).
	LossMask []float32
	// Steps are the decisions of a multi-turn trajectory or an episode (nil for a single turn).
	Steps []Step
	// FinishReason is the last sample's: "stop" or "length".
	FinishReason string
	// Text is the response as the verifier reads it (the policy's and the tool's text, specials
	// dropped).
	Text string
	// Verdict is the verifier's judgement with its status (rewards never lie).
	Verdict answer.Verdict
	// Score is the verifier's scalar reward.
	Score float64
	// Reward is the trajectory's reward after shaping (vote, correct/incorrect values, overlong).
	Reward float64
	// Meta carries workflow-specific facts (turns taken, tool calls) for logging.
	Meta map[string]any
}

// StepRewards returns the per-step rewards of a trajectory (nil when it has no steps).
func (t *Trajectory) StepRewards() []float64 {
	if len(t.Steps) == 0 {
		return nil
	}
	out := make([]float64, len(t.Steps))
	for i, s := range t.Steps {
		out[i] = s.Reward
	}
	return out
}

// Group is one task's trajectories.
type Group struct {
	Task         Task
	Trajectories []Trajectory
	// Demo is set by Route when the task trains on its demonstration instead of its rollouts (HPT).
	Demo bool
}

// Rewards returns the shaped reward of each trajectory.
func (g *Group) Rewards() []float64 {
	out := make([]float64, len(g.Trajectories))
	for i := range g.Trajectories {
		out[i] = g.Trajectories[i].Reward
	}
	return out
}

// Correct counts the trajectories the verifier accepted.
func (g *Group) Correct() int {
	n := 0
	for i := range g.Trajectories {
		if g.Trajectories[i].Verdict.Correct {
			n++
		}
	}
	return n
}

// Workflow turns a batch of tasks into one group per task, in task order.
type Workflow interface {
	// Run rolls out tasks with s; seed makes the sampling reproducible. An error means the
	// rollout could not finish (sampler or tool failure, context ended); verifier failures are
	// statuses in the verdicts.
	Run(ctx context.Context, tasks []Task, s Sampler, seed uint64) ([]*Group, error)
}

// Item is one response to verify.
type Item struct {
	Example data.Example // the row it answers
	Text    string       // the response
}

// Verifier scores responses, one reward.Result (score and verdict) per item. A verifier failure is
// a status in the verdict, not an error; an error means the context ended.
type Verifier func(ctx context.Context, items []Item) ([]reward.Result, error)

// Phase is told when a workflow moves between its phases ("rollout", "reward", and "" when it is
// done), for progress displays and timings; nil is fine.
type Phase func(name string)

func (p Phase) enter(name string) {
	if p != nil {
		p(name)
	}
}

// Then runs a workflow and then shape on its groups (reward shaping before selection).
func Then(w Workflow, shape func([]*Group) error) Workflow { return then{w, shape} }

type then struct {
	w     Workflow
	shape func([]*Group) error
}

// Run implements Workflow.
func (t then) Run(ctx context.Context, tasks []Task, s Sampler, seed uint64) ([]*Group, error) {
	gs, err := t.w.Run(ctx, tasks, s, seed)
	if err != nil {
		return nil, err
	}
	return gs, t.shape(gs)
}
