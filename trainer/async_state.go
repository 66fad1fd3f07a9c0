package trainer

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/reward"
)

// AsyncState is the asynchronous producer's part of a checkpoint: the batches sampled but not yet
// trained on (with the versions that sampled them) and the next step to sample. The data
// sampler's position in State.Data is the producer's, after its last batch.
type AsyncState struct {
	Next    int           `json:"next"`    // the next step the producer samples
	Batches []*asyncBatch `json:"batches"` // in step order
}

// weightLog holds the weight versions the learner published until the producer has used them.
type weightLog struct {
	mu      sync.Mutex
	changed chan struct{}
	byVer   map[int]*model.Params
	latest  int
	err     error
}

func newWeightLog() *weightLog {
	return &weightLog{changed: make(chan struct{}), byVer: map[int]*model.Params{}, latest: -1}
}

// publish adds version v (weights the log now owns).
func (w *weightLog) publish(v int, p *model.Params) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.byVer[v] = p
	w.latest = max(w.latest, v)
	close(w.changed)
	w.changed = make(chan struct{})
}

// wait returns version v once it is published; it fails after timeout, when ctx ends or the log is
// closed, and when v was dropped.
func (w *weightLog) wait(ctx context.Context, v int, timeout time.Duration) (*model.Params, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		w.mu.Lock()
		p, ok := w.byVer[v]
		latest, err, ch := w.latest, w.err, w.changed
		w.mu.Unlock()
		switch {
		case ok:
			return p, nil
		case err != nil:
			return nil, err
		case latest > v:
			return nil, fmt.Errorf("weight version %d is no longer held (latest %d)", v, latest)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-deadline.C:
			return nil, fmt.Errorf("waited %v for the learner to publish weight version %d (latest %d): %w", timeout, v, latest, context.DeadlineExceeded)
		}
	}
}

// drop forgets the versions older than v.
func (w *weightLog) drop(v int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for k := range w.byVer {
		if k < v {
			delete(w.byVer, k)
		}
	}
}

// close makes every wait fail with err.
func (w *weightLog) close(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
		close(w.changed)
		w.changed = make(chan struct{})
	}
}

// savedStats is rolloutStats as a checkpoint stores it.
type savedStats struct {
	Gen, Reward  float64         `json:",omitempty"`
	Lengths      []float64       `json:"lengths"`
	Clipped      int             `json:"clipped"`
	Results      []reward.Result `json:"results"`
	Groups       int             `json:"groups"`
	ZeroStd      int             `json:"zero_std"`
	Filtered     int             `json:"filtered"`
	PromptLength []float64       `json:"prompt_length"`
}

func saveStats(s rolloutStats) savedStats {
	return savedStats{Gen: s.gen.total, Reward: s.reward.total, Lengths: s.lengths, Clipped: s.clipped, Results: s.results,
		Groups: s.groups, ZeroStd: s.zeroStd, Filtered: s.filtered, PromptLength: s.promptLength}
}

func (s savedStats) load() rolloutStats {
	return rolloutStats{gen: timer{total: s.Gen}, reward: timer{total: s.Reward}, lengths: s.Lengths, clipped: s.Clipped,
		results: s.Results, groups: s.Groups, zeroStd: s.ZeroStd, filtered: s.Filtered, promptLength: s.PromptLength}
}

// savedVotes is voteMetrics as a checkpoint stores it.
type savedVotes struct {
	N                                          int
	Label, Reward, Majority, Truth, VoteReward float64
}

func saveVotes(v voteMetrics) savedVotes {
	return savedVotes{v.n, v.label, v.reward, v.majority, v.truth, v.voteReward}
}

func (v savedVotes) load() voteMetrics {
	return voteMetrics{v.N, v.Label, v.Reward, v.Majority, v.Truth, v.VoteReward}
}
