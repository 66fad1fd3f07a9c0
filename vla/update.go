package vla

import (
	"fmt"
	"math/rand/v2"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/rollout"
)

// update turns the kept groups into training rows — GRPO advantages per episode from algo's
// estimator (the binary success is the reward at the last valid token, so the sequence score is
// the success), broadcast to every valid token of the episode's decisions — recomputes the
// rollout-time log-probs at the sampling temperature, and takes MiniBatches AdamW steps of the
// clipped surrogate over the shuffled rows.
func update(l *Learner, loss algo.Loss, adv algo.AdvantageEstimator, groups []*rollout.Group, sh Shape, c Config, rng *rand.Rand) (map[string]float64, error) {
	var in algo.AdvantageInputs
	var traces []*Trace
	for gi, g := range groups {
		for i := range g.Trajectories {
			t := &g.Trajectories[i]
			tr := TraceOf(t)
			if tr == nil {
				return nil, fmt.Errorf("vla: trajectory without its trace")
			}
			traces = append(traces, tr)
			in.TokenRewards = append(in.TokenRewards, []float64{t.Reward})
			in.Mask = append(in.Mask, []float64{1})
			in.Group = append(in.Group, fmt.Sprintf("%d:%s", gi, g.Task.Example.ID))
		}
	}
	out, err := adv.Compute(in)
	if err != nil {
		return nil, err
	}
	scale := make([]float64, len(traces))
	for i := range scale {
		scale[i] = 1
	}
	if c.EpisodeMean {
		lens := make([]int, len(traces))
		for i, tr := range traces {
			lens[i] = len(tr.Decisions)
		}
		scale = episodeScale(lens)
	}
	var rows []Row
	advSum, advN := 0.0, 0
	for i, tr := range traces {
		a := out.Advantages[i][0] * scale[i]
		if a == 0 {
			continue // all-equal groups (no dynamic sampling) carry no signal
		}
		for _, r := range tr.Rows(sh, float32(a)) {
			rows = append(rows, r)
			advSum += a
			advN++
		}
	}
	m := map[string]float64{metric.NumUpdates: 0}
	if len(rows) == 0 {
		return m, nil
	}
	old, err := l.LogProbs(rows, c.Temperature)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].Old = old[i]
	}
	rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	n := c.MiniBatches
	for k := range n {
		part := rows[k*len(rows)/n : (k+1)*len(rows)/n]
		if len(part) == 0 {
			continue
		}
		um, err := l.RLStep(part, loss, c.Temperature)
		if err != nil {
			return nil, err
		}
		for key, v := range um {
			m[key] += v / float64(n)
		}
		m[metric.NumUpdates]++
	}
	m[metric.AdvantagesMean] = advSum / float64(advN)
	m["perf/train_rows"] = float64(len(rows))
	return m, nil
}

// episodeScale is the episode_mean weight of each episode with lens[i] decisions: the mean
// decision count over the step divided by its own, so that under token-mean every episode weighs
// the same and a group's advantages, which sum to zero over its episodes, also sum to zero over
// its rows. Without it a failure, which runs to the cap, has more rows than a success, which ends
// early, and the step pushes down the tokens both share. An empty episode gets 0.
func episodeScale(lens []int) []float64 {
	out := make([]float64, len(lens))
	tot, n := 0, 0
	for _, l := range lens {
		if l > 0 {
			tot, n = tot+l, n+1
		}
	}
	for i, l := range lens {
		if l > 0 {
			out[i] = float64(tot) / float64(n) / float64(l)
		}
	}
	return out
}
