package trainer

import (
	"context"
	"fmt"

	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/model/tokenizer"
	"github.com/ascent-rl/ascent/rollout"
)

// encodePrompt tokenises an example's prompt: BOS + plain text for the character tokenizer, the
// chat template otherwise. A prompt longer than max_prompt_len is an error naming the row.
func (t *Trainer) encodePrompt(ex data.Example) ([]int, error) {
	ids, err := tokenizer.EncodePrompt(t.tok, promptText(t.tok, ex))
	if err != nil {
		return nil, fmt.Errorf("prompt of row %q: %w", ex.ID, err)
	}
	if limit := t.cfg.Algo.Batch.MaxPromptLen; len(ids) > limit {
		return nil, fmt.Errorf("prompt of row %q is %d tokens; algo.batch.max_prompt_len is %d", ex.ID, len(ids), limit)
	}
	return ids, nil
}

// samplingParams are the rollout's sampler settings for one draw.
func (t *Trainer) samplingParams(seed uint64, maxTokens int, greedy bool) engine.SamplingParams {
	s := t.cfg.Algo.Sampling
	p := engine.SamplingParams{Temperature: s.Temperature, TopP: s.TopP, MaxTokens: maxTokens, Seed: seed}
	if eos := t.tok.Specials().EOS; eos >= 0 {
		p.StopTokens = []int{eos}
	}
	if greedy {
		p.Temperature, p.TopP = 0, 0
	}
	return p
}

// nextTasks draws n training rows and encodes their prompts.
func (t *Trainer) nextTasks(n int) ([]rollout.Task, error) {
	exs, err := t.train.Next(n)
	if err != nil {
		return nil, err
	}
	tasks := make([]rollout.Task, len(exs))
	for i, ex := range exs {
		ids, err := t.encodePrompt(ex)
		if err != nil {
			return nil, err
		}
		tasks[i] = rollout.Task{Example: ex, Prompt: ids}
	}
	return tasks, nil
}

// workflow is the step's rollout: single-turn generate-then-verify on n samples per prompt, then
// the reward shaping that dynamic sampling filters on.
func (t *Trainer) workflow(n int, st *rolloutStats, vm *voteMetrics) rollout.Workflow {
	var w rollout.Workflow = rollout.SingleTurn{N: n, Params: t.samplingParams(0, t.cfg.Algo.Batch.MaxResponseLen, false),
		Decode: t.detok, Verify: t.scorer.verify, Phase: st.phase(t.prog)}
	if t.tools != nil { // rollout.tools: multi-turn with the tools' replies masked (trainer/tools.go)
		st.tools = &toolStats{}
		w = t.multiTurn(n, t.samplingParams(0, t.cfg.Algo.Batch.MaxResponseLen, false), &st.tools.counts, st.phase(t.prog))
	}
	return rollout.Then(w, func(groups []*rollout.Group) error {
		v, err := t.shapeRewards(groups)
		vm.merge(v)
		return err
	})
}

// collect rolls out until P groups are kept: dynamic sampling drops the groups whose filter metric
// is constant and draws more prompts, up to max_gen_batches rounds; TTRL then keeps the first
// n_train of its n_votes samples.
func (t *Trainer) collect(ctx context.Context, step int) ([]*rollout.Group, rolloutStats, voteMetrics, error) {
	return t.collectFrom(ctx, step, t.sampler())
}

// collectFrom is collect with sampler s (the asynchronous producer's own).
func (t *Trainer) collectFrom(ctx context.Context, step int, s Sampler) ([]*rollout.Group, rolloutStats, voteMetrics, error) {
	a := t.cfg.Algo
	n := a.Batch.Rollouts
	if a.Reward.Vote.Enabled {
		n = a.Reward.Vote.NVotes
	}
	var st rolloutStats
	var vm voteMetrics
	r := rollout.Refill{Groups: a.Batch.Prompts, Observe: func(g *rollout.Group, kept bool) {
		st.observe(g, a.Batch.MaxResponseLen)
		if !kept {
			st.filtered++
		}
	}}
	if f := a.Reward.FilterGroups; f.Enabled {
		value, err := rollout.TrajectoryMetric(filterMetric(f.Metric))
		if err != nil {
			return nil, st, vm, fmt.Errorf("algo.reward.filter_groups.metric: %w", err)
		}
		r.Filter, r.MaxRounds, r.Scale = rollout.NonConstant(value), f.MaxGenBatches, f.GenBatchScale
	}
	seed := func(round int) uint64 { return streamSeed(t.cfg.Run.Seed, "rollout", step, round) }
	groups, err := rollout.Collect(ctx, t.workflow(n, &st, &vm), s, t.nextTasks, seed, r)
	if err != nil {
		return nil, st, vm, err
	}
	if a.Reward.Vote.Enabled {
		if err := rollout.FirstN(groups, a.Reward.Vote.NTrain); err != nil {
			return nil, st, vm, fmt.Errorf("ttrl: %w", err)
		}
	}
	return groups, st, vm, nil
}

// filterMetric is the dynamic-sampling metric, "acc" when unset (verl's default).
func filterMetric(name string) string {
	if name == "" {
		return rollout.MetricAcc
	}
	return name
}

// promptText is the text the policy is conditioned on: the plain prompt for built-in tokenizers
// (tiny models have no chat template), the Qwen ChatML rendering of the chat list otherwise.
func promptText(tok tokenizer.Tokenizer, ex data.Example) string {
	if tok.Name() != "hf-bpe" || len(ex.Prompt) == 0 {
		return ex.PromptText
	}
	msgs := make([]tokenizer.Message, len(ex.Prompt))
	for i, m := range ex.Prompt {
		msgs[i] = tokenizer.Message{Role: m.Role, Content: m.Content}
	}
	s, err := tokenizer.ApplyChatTemplate("chatml", msgs, tokenizer.ChatOptions{AddGenerationPrompt: true})
	if err != nil {
		return ex.PromptText
	}
	return s
}
