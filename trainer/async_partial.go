package trainer

import (
	"context"
	"fmt"
	"strings"

	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/rollout"
)

// Partial rollouts (async.partial). With "finish" a batch is sampled entirely under the version it
// started with: a weight update published meanwhile waits for the next batch. With "continue" the
// producer samples through rollout.Segmented: before every segment of async.segment_tokens tokens
// it loads the newest published version, so generation in flight when the learner publishes goes
// on under the new weights from the next segment, every token records its version
// (Trajectory.TokenVersions) and keeps the sampler's own log-prob, and a trajectory's staleness is
// that of its oldest token.

// Partial modes (async.partial).
const (
	PartialFinish   = "finish"   // in-flight generations finish under the version they started with
	PartialContinue = "continue" // they continue under newly published weights from the next segment
)

// partialModes lists the valid async.partial values.
var partialModes = []string{PartialFinish, PartialContinue}

// defaultSegmentTokens is async.segment_tokens when unset.
const defaultSegmentTokens = 8

// continues reports whether in-flight generation picks up new weights (async.partial: continue).
func (c AsyncConfig) continues() bool { return c.Partial == PartialContinue }

// segmentTokens is the most tokens a response grows by between two weight checks.
func (c AsyncConfig) segmentTokens() int {
	if c.SegmentTokens > 0 {
		return c.SegmentTokens
	}
	return defaultSegmentTokens
}

// validatePartial checks async.partial and async.segment_tokens.
func (c Config) validatePartial() error {
	a := c.Async
	switch {
	case a.Partial != "" && a.Partial != PartialFinish && a.Partial != PartialContinue:
		return fmt.Errorf("config: async.partial = %q: want one of %s", a.Partial, strings.Join(partialModes, ", "))
	case a.SegmentTokens < 0:
		return fmt.Errorf("config: async.segment_tokens = %d: want ≥ 0 (0: %d)", a.SegmentTokens, defaultSegmentTokens)
	case a.continues() && !a.on():
		return fmt.Errorf("config: async.partial = %q needs async.max_staleness ≥ 1: the synchronous loop never updates weights during generation", a.Partial)
	case a.continues() && len(c.Rollout.Tools) > 0:
		return fmt.Errorf("config: async.partial = %q continues single-turn generation; with rollout.tools %v use %q", a.Partial, c.Rollout.Tools, PartialFinish)
	}
	return nil
}

// segmented is the producer's sampler for batch b in continue mode: before each segment it puts
// the newest published weights on the sampler and records b's first version.
func (r *asyncRun) segmented(b *asyncBatch) rollout.Sampler {
	first := true
	return rollout.Segmented{S: r.sampler, Segment: r.t.cfg.Async.segmentTokens(),
		Context: r.t.policy.Params().Config.MaxPositionEmbeddings,
		Refresh: func(ctx context.Context) (int, error) {
			v, p := r.weights.newest()
			if v > r.loaded {
				if !first {
					b.Interrupts++
				}
				sm, err := r.load(ctx, p)
				if err != nil {
					return 0, fmt.Errorf("load weight version %d on the sampler: %w", v, err)
				}
				r.loaded = v
				b.Sync = mergeSync(b.Sync, sm)
			}
			if first {
				b.Version, first = r.loaded, false
			}
			return r.loaded, nil
		}}
}

// mergeSync adds a later weight sync's metrics to a batch's: timings add up, the rest is the
// latest sync's.
func mergeSync(into, m map[string]float64) map[string]float64 {
	if len(m) == 0 {
		return into
	}
	if into == nil {
		into = map[string]float64{}
	}
	for k, v := range m {
		if strings.HasPrefix(k, "timing_s/") {
			into[k] += v
		} else {
			into[k] = v
		}
	}
	return into
}

// partialMetrics logs, in continue mode, how many of the trained trajectories were continued
// under a newer version than the one they started with and the mean staleness of their policy
// tokens (learner's version minus each token's).
func partialMetrics(m metrics, kept []*rollout.Group, learner, interrupts int) {
	continued, tokens, sum := 0, 0, 0.0
	for _, g := range kept {
		for i := range g.Trajectories {
			tr := &g.Trajectories[i]
			if tr.Continued() {
				continued++
			}
			for j, v := range tr.TokenVersions {
				if tr.LossMask == nil || tr.LossMask[j] != 0 {
					tokens++
					sum += float64(learner - v)
				}
			}
		}
	}
	m[metric.PartialContinued] = float64(continued)
	m[metric.PartialInterrupts] = float64(interrupts)
	if tokens > 0 {
		m[metric.TokenStalenessMean] = sum / float64(tokens)
	}
}

// newest returns the latest published version and its weights.
func (w *weightLog) newest() (int, *model.Params) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.latest, w.byVer[w.latest]
}
