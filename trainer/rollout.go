package trainer

import (
	"context"
	"fmt"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/model/tokenizer"
	"github.com/ascent-rl/ascent/reward"
)

// group is one prompt's responses after scoring.
type group struct {
	ex      data.Example
	prompt  []int             // prompt token ids
	seqs    []engine.Sequence // sampled responses
	texts   []string          // decoded responses
	verdict []scoreResult     // verifier results, one per response
	reward  []float64         // final reward per response (after vote and shaping)
	demo    bool              // HPT routed this prompt to its demonstration
}

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

// rollout samples n responses for each example and scores them.
func (t *Trainer) rollout(ctx context.Context, exs []data.Example, n int, seed uint64) ([]*group, rolloutStats, error) {
	var st rolloutStats
	prompts := make([][]int, len(exs))
	for i, ex := range exs {
		ids, err := t.encodePrompt(ex)
		if err != nil {
			return nil, st, err
		}
		prompts[i] = ids
	}
	t.prog.enter("rollout")
	st.gen.start()
	seqs, err := t.sampler().Sample(ctx, prompts, n, t.samplingParams(seed, t.cfg.Algo.Batch.MaxResponseLen, false))
	st.gen.stop()
	if err != nil {
		return nil, st, fmt.Errorf("rollout: %w", err)
	}
	if len(seqs) != len(exs)*n {
		return nil, st, fmt.Errorf("rollout: engine returned %d sequences for %d prompts × %d", len(seqs), len(exs), n)
	}
	groups := make([]*group, len(exs))
	var items []scoreItem
	for i, ex := range exs {
		g := &group{ex: ex, prompt: prompts[i], seqs: seqs[i*n : (i+1)*n]}
		for _, s := range g.seqs {
			text := t.detok(s.Tokens)
			g.texts = append(g.texts, text)
			items = append(items, scoreItem{ex: ex, response: text})
		}
		groups[i] = g
	}
	t.prog.enter("reward")
	st.reward.start()
	results, err := t.scorer.scoreAll(ctx, items)
	st.reward.stop()
	if err != nil {
		return nil, st, err
	}
	for i, g := range groups {
		g.verdict = results[i*n : (i+1)*n]
	}
	return groups, st, nil
}

// assignRewards turns verdicts into rewards: the preset's correct/incorrect values, TTRL's majority
// vote (no labels used), and DAPO's soft overlong penalty.
func (t *Trainer) assignRewards(groups []*group) (voteMetrics, error) {
	r := t.cfg.Algo.Reward
	var vm voteMetrics
	for _, g := range groups {
		g.reward = make([]float64, len(g.seqs))
		if r.Vote.Enabled {
			results, vote := reward.VoteGroup(context.Background(), g.texts)
			preds := make([]string, len(results))
			for i, res := range results {
				preds[i], _ = res.Extra["pred"].(string)
				g.reward[i] = r.Incorrect + (r.Correct-r.Incorrect)*vote.Rewards[i]
			}
			if g.ex.GroundTruth != "" { // diagnostics only: TTRL never trains on labels
				diag, err := algo.Diagnose(preds, vote, g.ex.GroundTruth, t.scorer.equivalent)
				if err != nil {
					return vm, fmt.Errorf("ttrl diagnostics for row %q: %w", g.ex.ID, err)
				}
				vm.add(diag)
			}
		} else {
			for i, v := range g.verdict {
				g.reward[i] = r.Incorrect
				if v.correct {
					g.reward[i] = r.Correct
				}
			}
		}
		if r.Overlong.Enabled {
			for i, s := range g.seqs {
				pen, err := algo.OverlongPenalty(len(s.Tokens), t.cfg.Algo.Batch.MaxResponseLen, r.Overlong.Buffer, r.Overlong.Factor)
				if err != nil {
					return vm, fmt.Errorf("overlong penalty: %w", err)
				}
				g.reward[i] += pen
			}
		}
	}
	return vm, nil
}

// nonConstant reports whether a group's rewards vary (DAPO's dynamic-sampling filter on "acc").
func nonConstant(g *group) bool {
	for _, r := range g.reward[1:] {
		if r != g.reward[0] {
			return true
		}
	}
	return false
}

// collect runs rollouts until P groups are kept: with dynamic sampling, constant-reward groups are
// dropped and more prompts are generated, up to max_gen_batches rounds.
func (t *Trainer) collect(ctx context.Context, step int) ([]*group, rolloutStats, voteMetrics, error) {
	a := t.cfg.Algo
	P, n := a.Batch.Prompts, a.Batch.Rollouts
	if a.Reward.Vote.Enabled {
		n = a.Reward.Vote.NVotes
	}
	f := a.Reward.FilterGroups
	var kept []*group
	var st rolloutStats
	var vm voteMetrics
	for round := 0; len(kept) < P; round++ {
		if f.Enabled && f.MaxGenBatches > 0 && round >= f.MaxGenBatches {
			return nil, st, vm, fmt.Errorf("dynamic sampling: after %d rounds only %d of %d prompts had non-constant rewards; raise algo.reward.filter_groups.max_gen_batches or use easier data", round, len(kept), P)
		}
		need := P - len(kept)
		if f.Enabled && f.GenBatchScale > 1 {
			need = int(float64(need)*f.GenBatchScale + 0.999)
		}
		exs, err := t.train.Next(need)
		if err != nil {
			return nil, st, vm, fmt.Errorf("data: %w", err)
		}
		groups, rs, err := t.rollout(ctx, exs, n, streamSeed(t.cfg.Run.Seed, "rollout", step, round))
		st.merge(rs)
		if err != nil {
			return nil, st, vm, err
		}
		v, err := t.assignRewards(groups)
		if err != nil {
			return nil, st, vm, err
		}
		vm.merge(v)
		for _, g := range groups {
			st.observe(g, a.Batch.MaxResponseLen)
			if f.Enabled && !nonConstant(g) {
				st.filtered++
				continue
			}
			kept = append(kept, g)
		}
		if !f.Enabled {
			break
		}
	}
	if len(kept) > P {
		kept = kept[:P]
	}
	if a.Reward.Vote.Enabled && a.Reward.Vote.NTrain < n {
		k := a.Reward.Vote.NTrain // TTRL trains on the first N of the voting samples, in generation order
		for _, g := range kept {
			g.seqs, g.texts, g.verdict, g.reward = g.seqs[:k], g.texts[:k], g.verdict[:k], g.reward[:k]
		}
	}
	return kept, st, vm, nil
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
