package trainer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/rollout"
)

// prepare computes old/ref log-probs, values and advantages of a batch, in place. With
// run.old_log_probs "updated" (scoresUpdatedRowsOnly) the advantages come first and only the rows
// the update reads are scored; the others keep nil old log-probs and the metrics from this pass
// (actor/entropy, the sampler/trainer differences, the IS statistics) cover the scored rows.
func (t *Trainer) prepare(ctx context.Context, b *batch, m metrics, tm *timings) error {
	temp := t.cfg.Algo.Sampling.Temperature
	B := len(b.rows)
	T := 0
	for _, r := range b.rows {
		T = max(T, len(r.Response))
	}
	in := algo.AdvantageInputs{TokenRewards: matrix(B, T), Mask: matrix(B, T), Group: make([]string, B), Demo: make([]bool, B)}
	for i, r := range b.rows {
		last := -1 // the sequence reward sits at the last trained token
		for j := range r.Response {
			if r.Trained(j) {
				in.Mask[i][j], last = 1, j
			}
		}
		if last >= 0 {
			in.TokenRewards[i][last] = b.scores[i]
		}
		in.Group[i] = fmt.Sprint(b.groupOf[i])
		in.Demo[i] = r.Demo
	}
	var out algo.AdvantageOutput // computed first when only the updated rows are scored
	var old *engine.LogProbResult
	var err error
	advFirst := t.scoresUpdatedRowsOnly()
	if advFirst {
		tm.begin("adv")
		out, err = t.adv.Compute(in)
		tm.end("adv")
		if err != nil {
			return fmt.Errorf("advantages: %w", err)
		}
		for i, r := range b.rows {
			b.rows[i].Advantages = toF32(out.Advantages[i][:len(r.Response)])
		}
		sel := updatedRows(b.rows, b.groupOf)
		m[metric.OldLogProbRows] = float64(len(sel)) / float64(max(B, 1))
		tm.begin("old_log_prob")
		old, err = t.logProbsOf(ctx, b.rows, sel, temp)
		tm.end("old_log_prob")
	} else {
		tm.begin("old_log_prob")
		old, err = t.policy.LogProbs(ctx, b.rows, temp)
		tm.end("old_log_prob")
	}
	if err != nil {
		return fmt.Errorf("old log-probs: %w", err)
	}
	var ref *engine.LogProbResult
	if t.ref != nil {
		tm.begin("ref")
		if ref, err = t.ref.LogProbs(ctx, b.rows, temp); err != nil {
			return fmt.Errorf("reference log-probs: %w", err)
		}
		tm.end("ref")
	}
	tm.begin("adv")
	defer tm.end("adv")
	var sampler, trainer [][]float32
	scored := matrix(B, T) // the mask of the tokens whose old log-probs were computed
	for i := range b.rows {
		b.rows[i].OldLogProbs = old.LogProbs[i]
		if old.LogProbs[i] != nil {
			copy(scored[i], in.Mask[i])
		}
		if ref != nil {
			b.rows[i].RefLogProbs = ref.LogProbs[i]
		}
		if b.sampler[i] != nil && old.LogProbs[i] != nil {
			sampler = append(sampler, b.sampler[i])
			trainer = append(trainer, old.LogProbs[i])
		}
	}
	m.addAll(rollout.ProbsDiff(sampler, trainer))
	// verl's actor/entropy: the token-mean entropy of the policy on this batch, from the old-log-prob
	// pass over the trained tokens (losses without an entropy term do not compute it in the update).
	entSum, entN := 0.0, 0
	for i, e := range old.Entropies {
		for j, x := range e {
			if b.rows[i].Trained(j) {
				entSum += float64(x)
				entN++
			}
		}
	}
	if entN > 0 {
		m[metric.Entropy] = entSum / float64(entN)
	}
	if t.cfg.Algo.KL.InReward && ref != nil {
		if in.TokenRewards, err = t.klInReward(in.TokenRewards, old.LogProbs, ref.LogProbs, in.Mask, m); err != nil {
			return err
		}
	}
	if t.cfg.Algo.Critic != nil {
		if len(old.Values) != B {
			return fmt.Errorf("preset %s needs critic values but the engine returned %d rows of values for %d rows", t.cfg.Preset, len(old.Values), B)
		}
		in.Values = matrix(B, T)
		for i := range b.rows {
			for j, v := range old.Values[i] {
				in.Values[i][j] = float64(v)
			}
		}
	}
	if !advFirst {
		if out, err = t.adv.Compute(in); err != nil {
			return fmt.Errorf("advantages: %w", err)
		}
	}
	m[metric.LogpAdvCov] = logpAdvCov(old.LogProbs, out.Advantages, scored)
	for i, r := range b.rows {
		L := len(r.Response)
		b.rows[i].Advantages = toF32(out.Advantages[i][:L])
		if t.cfg.Algo.Critic != nil {
			b.rows[i].Returns = toF32(out.Returns[i][:L])
			b.rows[i].OldValues = old.Values[i]
		}
	}
	t.applyTIS(b, m)
	t.applyMasked(b, m)
	m.stats(metric.Score, b.scores)
	m.statsMasked(metric.Rewards, in.TokenRewards, in.Mask, true)
	m.statsMasked(metric.Advantages, out.Advantages, in.Mask, false)
	if t.cfg.Algo.Critic != nil {
		m.statsMasked(metric.Returns, out.Returns, in.Mask, false)
		m.statsMasked(metric.Values, in.Values, in.Mask, false)
	}
	return nil
}

// update runs ppo_epochs × mini-batches of engine.Update and averages their metrics.
func (t *Trainer) update(ctx context.Context, b *batch, ngroups, step int, m metrics) error {
	a := t.cfg.Algo
	nmb := a.Batch.Prompts / a.Batch.MiniBatchPrompts
	if ngroups < nmb {
		nmb = max(ngroups, 1)
	}
	rowsOf := make([][]int, ngroups)
	for i, g := range b.groupOf {
		rowsOf[g] = append(rowsOf[g], i)
	}
	acc := metrics{}
	updates, skipped, total := 0, 0, 0
	for epoch := 0; epoch < a.Batch.PPOEpochs; epoch++ {
		order := make([]int, ngroups)
		for i := range order {
			order[i] = i
		}
		if epoch > 0 { // the first epoch keeps generation order, as verl (shuffle=False) does
			r := rand.New(rand.NewPCG(streamSeed(t.cfg.Run.Seed, "minibatch", step, epoch), 0))
			r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		for mb := 0; mb < nmb; mb++ {
			var rows []engine.Row
			for _, g := range order[mb*ngroups/nmb : (mb+1)*ngroups/nmb] {
				for _, i := range rowsOf[g] {
					rows = append(rows, b.rows[i])
				}
			}
			if len(rows) == 0 {
				continue
			}
			opt := engine.UpdateOptions{Temperature: a.Sampling.Temperature, MicroBatchRows: t.cfg.Run.MicroBatchRows,
				Seed: streamSeed(t.cfg.Run.Seed, "loss", step, epoch, mb), SkipAboveGradNorm: a.Optim.SkipGradNormAbove}
			if t.zeroAdvantageRowsInert() {
				all := len(rows)
				rows, opt.Totals = withoutInertRows(rows)
				skipped += all - len(rows)
				total += all
			}
			um, err := t.policy.Update(ctx, rows, t.actor, opt)
			if err != nil {
				return fmt.Errorf("update (epoch %d, mini-batch %d): %w", epoch, mb, err)
			}
			acc.sum(um)
			updates++
		}
	}
	for k, v := range acc {
		if _, fromRollout := m[k]; fromRollout && k == metric.Entropy {
			continue // keep the rollout-batch entropy, which every preset reports the same way
		}
		m[k] = v / float64(max(updates, 1))
	}
	m[metric.NumUpdates] = float64(updates)
	if total > 0 {
		m[metric.UpdateRowsSkipped] = float64(skipped) / float64(total)
	}
	return nil
}

// rlStep runs one RL step and returns its metrics and the samples to log.
func (t *Trainer) rlStep(ctx context.Context, step int) (metrics, []*rollout.Group, error) {
	start := time.Now()
	m := metrics{}
	tm := &timings{}
	t.enterStage(step, m)
	groups, rs, vm, err := t.stepRollouts(ctx, step, m)
	if err != nil {
		return nil, nil, err
	}
	sftPrompts, err := t.route(groups)
	if err != nil {
		return nil, nil, err
	}
	b, err := t.buildRows(groups)
	if err != nil {
		return nil, nil, err
	}
	if err := t.prepare(ctx, b, m, tm); err != nil {
		return nil, nil, err
	}
	t.prog.enter("update")
	tm.begin("update_actor")
	err = t.update(ctx, b, len(groups), step, m)
	tm.end("update_actor")
	if err != nil {
		return nil, nil, err
	}
	sm, err := t.publish(ctx, step) // the next rollouts must come from the updated policy
	if err != nil {
		return nil, nil, err
	}
	m.addAll(sm)
	if t.remote != nil {
		m.addAll(t.remote.Metrics())
	}
	if t.scorer.remote != nil {
		m.addAll(t.scorer.remote.metrics())
	}
	rs.report(m)
	vm.report(m, t.cfg.Algo.Reward.Vote.Enabled)
	if t.cfg.Algo.Reward.Switch.Enabled {
		m[metric.SFTPromptRatio] = float64(sftPrompts) / float64(len(groups))
	}
	tm.set("gen", rs.gen.total)
	tm.set("reward", rs.reward.total)
	elapsed := time.Since(start).Seconds()
	tm.set("step", elapsed)
	tm.report(m)
	tokens := 0
	for _, r := range b.rows {
		tokens += len(r.Prompt) + len(r.Response)
	}
	m[metric.TotalTokens] = float64(tokens)
	m[metric.TimePerStep] = elapsed
	m[metric.Throughput] = float64(tokens) / elapsed
	m[metric.CompileCount] = float64(t.policy.CompileCount())
	m[metric.GlobalStep] = float64(step)
	m[metric.Epoch] = float64(t.train.Epoch())
	return m, groups, nil
}

func matrix(b, t int) [][]float64 {
	m := make([][]float64, b)
	for i := range m {
		m[i] = make([]float64, t)
	}
	return m
}

func toF32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}
