package trainer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/rollout"
)

// Asynchronous RL (async.max_staleness = η > 0). A producer goroutine rolls out the groups of step
// k with weight version k−1−η (version v is the policy after v RL steps; version 0 the policy RL
// starts from) while the learner trains step k−1, …, and hands them over through a bounded
// rollout.Buffer. The learner trains step k on weights of version k−1, so every trajectory it
// trains on is exactly min(η, k−1) versions stale: the schedule is fixed, not "whatever finished
// first", so a run is as deterministic as the synchronous loop and resumes exactly (the batches
// sampled from versions older than the checkpoint's are saved in it). The producer pauses when
// the version it needs is not published yet (the staleness bound) and when the buffer is full.
//
//	learner:   … train k−1 ──publish v=k−1──► train k ──publish v=k──► …
//	producer:  … sample k+η−1 (v=k−2) ──► sample k+η (v=k−1) ──► …

// asyncBatch is one step's rollouts as the producer made them.
type asyncBatch struct {
	Step    int `json:"step"`    // the RL step it is for
	Version int `json:"version"` // the weight version that sampled its first tokens (every token, unless async.partial is continue)
	// Interrupts counts the weight updates that arrived while it was generating and that it
	// continued under (async.partial: continue).
	Interrupts int                `json:"interrupts,omitempty"`
	Groups     []*rollout.Group   `json:"groups"`
	Stats      savedStats         `json:"stats"`
	Votes      savedVotes         `json:"votes"`
	Sync       map[string]float64 `json:"sync,omitempty"` // the weight sync made before it, if any
	Data       json.RawMessage    `json:"data"`           // the data sampler's state after its draws
}

// asyncRun is the producer and its hand-over state.
type asyncRun struct {
	t       *Trainer
	eta     int
	timeout time.Duration
	buf     *rollout.Buffer[*asyncBatch]
	weights *weightLog
	sampler Sampler
	// load puts a weight version on the sampler (a weight sync, or a copy into the local sampler).
	load   func(ctx context.Context, p *model.Params) (map[string]float64, error)
	loaded int // the version on the sampler (producer goroutine only; -1: none)
	cancel context.CancelFunc
	done   chan struct{}
	err    error // the producer's error, set before done is closed

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every change below
	pauseAbove int           // while > 0, the producer starts no batch for a later step
	generating bool          // a batch is being sampled
	pending    *asyncBatch   // produced, waiting for room in the buffer
	next       int           // the next step to produce
	data       json.RawMessage
	idle       time.Duration // producer waits since the learner's last take
}

// startAsync starts the producer from the trainer's current weights and state (a resumed run's
// saved batches included).
func (t *Trainer) startAsync() error {
	a := t.cfg.Async
	buf, err := rollout.NewBuffer[*asyncBatch](t.cfg.bufferGroups())
	if err != nil {
		return fmt.Errorf("async: %w", err)
	}
	r := &asyncRun{t: t, eta: a.MaxStaleness, timeout: a.waitTimeout(), buf: buf, loaded: -1,
		weights: newWeightLog(), changed: make(chan struct{}), done: make(chan struct{}), next: t.state.Step + 1}
	r.weights.publish(t.state.Step, t.policy.Params().Clone())
	if t.remote != nil {
		r.sampler = t.remote
		r.load = t.syncRolloutParams
	} else {
		// The learner cannot sample while it trains: the producer samples from its own copy.
		cp, err := t.newLearner(t.policy.Params().Clone(), optimizerConfig(t.cfg, t.cfg.Algo.Optim.LR, 1))
		if err != nil {
			return fmt.Errorf("async: the sampler's copy of the policy: %w", err)
		}
		set, ok := cp.(interface{ SetWeights(*model.Params) error })
		if !ok {
			return fmt.Errorf("async: the local learner %T cannot take published weights (no SetWeights)", cp)
		}
		if err := a.Local.boundSampler(cp); err != nil {
			return err
		}
		r.sampler = cp
		r.load = func(_ context.Context, p *model.Params) (map[string]float64, error) { return nil, set.SetWeights(p) }
	}
	if err := a.Local.boundLearner(t.policy, a.Local.LearnerThreads); err != nil {
		return err
	}
	if s := t.state.Async; s != nil { // resumed: the batches sampled before the checkpoint
		for _, b := range s.Batches {
			if err := buf.Put(context.Background(), b.Step, len(b.Groups), b, r.timeout); err != nil {
				return fmt.Errorf("resume: async buffer: %w", err)
			}
		}
		r.next = s.Next
	}
	if r.data, err = json.Marshal(t.train.State()); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background()) // not the run's: a Ctrl-C checkpoint still needs it
	r.cancel = cancel
	t.async = r
	go func() {
		r.err = r.produce(ctx)
		if r.err != nil {
			buf.Close(fmt.Errorf("async producer: %w", r.err))
			r.weights.close(r.err)
		}
		close(r.done)
		r.notify()
	}()
	return nil
}

// stopAsync stops the producer and waits for it.
func (t *Trainer) stopAsync() {
	if t.async == nil {
		return
	}
	t.async.cancel()
	t.async.weights.close(context.Canceled)
	<-t.async.done
	t.async = nil
	_ = t.cfg.Async.Local.boundLearner(t.policy, 0) // the split is for the overlap only
}

// produce samples steps next … run.steps.
func (r *asyncRun) produce(ctx context.Context) error {
	for k := r.next; k <= r.t.cfg.Run.Steps; k++ {
		v := max(0, k-1-r.eta)
		start := time.Now()
		p, err := r.weights.wait(ctx, v, r.timeout)
		r.addIdle(time.Since(start))
		if err != nil {
			return fmt.Errorf("step %d: %w", k, err)
		}
		if err := r.begin(ctx, k); err != nil {
			return fmt.Errorf("step %d: %w", k, err)
		}
		b, err := r.sample(ctx, k, v, p)
		if err != nil {
			r.end(nil, nil)
			return fmt.Errorf("step %d: %w", k, err)
		}
		data, err := json.Marshal(r.t.train.State())
		if err != nil {
			r.end(nil, nil)
			return err
		}
		b.Data = data
		r.end(b, data)
		start = time.Now()
		err = r.buf.Put(ctx, k, len(b.Groups), b, r.timeout)
		r.addIdle(time.Since(start))
		r.mu.Lock()
		r.pending = nil
		r.mu.Unlock()
		if err != nil {
			return fmt.Errorf("step %d: %w", k, err)
		}
		r.weights.drop(v) // later steps need version v+1 or newer
	}
	return nil
}

// sample rolls out step k with weight version v.
func (r *asyncRun) sample(ctx context.Context, k, v int, p *model.Params) (*asyncBatch, error) {
	b := &asyncBatch{Step: k, Version: v}
	s := r.sampler
	if r.t.cfg.Async.continues() {
		s = r.segmented(b) // loads the newest version before each segment
	} else if r.loaded != v {
		sm, err := r.load(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("load weight version %d on the sampler: %w", v, err)
		}
		b.Sync, r.loaded = sm, v
	}
	groups, rs, vm, err := r.t.collectFrom(ctx, k, s)
	if err != nil {
		return nil, err
	}
	b.Groups, b.Stats, b.Votes = groups, saveStats(rs), saveVotes(vm)
	return b, nil
}

// begin waits while a checkpoint holds the producer before step k, then marks it generating.
func (r *asyncRun) begin(ctx context.Context, k int) error {
	deadline := time.Now().Add(r.timeout)
	for {
		r.mu.Lock()
		if r.pauseAbove == 0 || k <= r.pauseAbove {
			r.generating = true
			r.mu.Unlock()
			r.notify()
			return nil
		}
		ch := r.changed
		r.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Until(deadline)):
			return fmt.Errorf("held %v by a checkpoint that never ended: %w", r.timeout, context.DeadlineExceeded)
		}
	}
}

// end records a produced batch (nil after a failure) and the data state after it.
func (r *asyncRun) end(b *asyncBatch, data json.RawMessage) {
	r.mu.Lock()
	r.generating = false
	if b != nil {
		r.pending, r.next, r.data = b, b.Step+1, data
	}
	r.mu.Unlock()
	r.notify()
}

func (r *asyncRun) notify() {
	r.mu.Lock()
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

func (r *asyncRun) addIdle(d time.Duration) {
	r.mu.Lock()
	r.idle += d
	r.mu.Unlock()
}

// take hands step's batch to the learner and records the async metrics.
func (r *asyncRun) take(ctx context.Context, step int, m metrics) ([]*rollout.Group, rolloutStats, voteMetrics, error) {
	start := time.Now()
	b, err := r.buf.Take(ctx, step, r.timeout)
	m[metric.LearnerIdle] = time.Since(start).Seconds()
	if err != nil {
		return nil, rolloutStats{}, voteMetrics{}, fmt.Errorf("async: %w", err)
	}
	m[metric.BufferFill] = r.buf.Fill() + float64(len(b.Groups))/float64(r.buf.Capacity())
	r.mu.Lock()
	m[metric.SamplerIdle] = r.idle.Seconds()
	r.idle = 0
	r.mu.Unlock()
	kept, dropped, stale := dropStale(b, step-1, r.eta)
	m[metric.DroppedStale] = float64(dropped)
	m.stats("async/staleness", stale)
	delete(m, "async/staleness/min")
	if r.t.cfg.Async.continues() {
		partialMetrics(m, kept, step-1, b.Interrupts)
	}
	if len(kept) == 0 {
		return nil, rolloutStats{}, voteMetrics{}, fmt.Errorf("async: every group of step %d is staler than async.max_staleness %d (sampled with version %d, learner at %d)", step, r.eta, b.Version, step-1)
	}
	m.addAll(b.Sync)
	return kept, b.Stats.load(), b.Votes.load(), nil
}

// dropStale keeps the groups of b at most eta versions older than learner (the learner's weight
// version) and returns them, how many it dropped, and the staleness of each kept trajectory: the
// learner's version minus that of the trajectory's oldest token.
func dropStale(b *asyncBatch, learner, eta int) (kept []*rollout.Group, dropped int, stale []float64) {
	for _, g := range b.Groups {
		ss := make([]float64, len(g.Trajectories))
		ok := true
		for i := range g.Trajectories {
			s := learner - g.Trajectories[i].OldestVersion(b.Version)
			ss[i] = float64(s)
			ok = ok && s <= eta && s >= 0
		}
		if !ok {
			dropped++
			continue
		}
		kept = append(kept, g)
		stale = append(stale, ss...)
	}
	return kept, dropped, stale
}

// snapshot holds the producer at a point a resumed run can continue from exactly, after the
// learner finished step: every batch that needs a weight version older than step's is produced
// (they cannot be regenerated from the checkpoint's weights) and no later one is being sampled.
// It returns the held batches with the producer's position; resume with release.
func (r *asyncRun) snapshot(step int) (*AsyncState, json.RawMessage, error) {
	last := min(step+r.eta, r.t.cfg.Run.Steps)
	deadline := time.Now().Add(r.timeout)
	r.mu.Lock()
	r.pauseAbove = last
	for r.generating || (r.next <= last && !r.finished()) {
		ch := r.changed
		r.mu.Unlock()
		select {
		case <-ch:
		case <-time.After(time.Until(deadline)):
			return nil, nil, fmt.Errorf("async checkpoint: waited %v for the producer to finish step %d's batch (it is at step %d): %w", r.timeout, last, r.next, context.DeadlineExceeded)
		}
		r.mu.Lock()
	}
	defer r.mu.Unlock()
	if r.finished() && r.err != nil && !errors.Is(r.err, context.Canceled) {
		return nil, nil, fmt.Errorf("async checkpoint: the producer failed: %w", r.err)
	}
	byStep := map[int]*asyncBatch{}
	for _, b := range r.buf.Held() {
		byStep[b.Step] = b
	}
	if r.pending != nil {
		byStep[r.pending.Step] = r.pending
	}
	st := &AsyncState{Next: r.next}
	for _, b := range byStep {
		st.Batches = append(st.Batches, b)
	}
	sort.Slice(st.Batches, func(i, j int) bool { return st.Batches[i].Step < st.Batches[j].Step })
	return st, r.data, nil
}

// release lets the producer go on after a snapshot.
func (r *asyncRun) release() {
	r.mu.Lock()
	r.pauseAbove = 0
	r.mu.Unlock()
	r.notify()
}

// finished reports whether the producer goroutine has returned (r.mu held).
func (r *asyncRun) finished() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// asyncOn reports whether the RL steps run with the producer.
func (t *Trainer) asyncOn() bool { return t.cfg.Async.on() || t.forceAsync }

// stepRollouts is the step's groups: the producer's batch, or the synchronous collection.
func (t *Trainer) stepRollouts(ctx context.Context, step int, m metrics) ([]*rollout.Group, rolloutStats, voteMetrics, error) {
	if t.async != nil {
		return t.async.take(ctx, step, m)
	}
	return t.collect(ctx, step)
}

// publish makes the updated weights the next version: handed to the producer, or synced to the
// rollout servers at once.
func (t *Trainer) publish(ctx context.Context, step int) (map[string]float64, error) {
	if t.async != nil {
		t.async.weights.publish(step, t.policy.Params().Clone())
		return nil, nil
	}
	return t.syncRollout(ctx)
}

// dataState is the data sampler's position for a checkpoint; with the producer running, its
// position after the batches the checkpoint saves (State.Async), which it then holds until
// release.
func (t *Trainer) dataState() (json.RawMessage, error) {
	if t.async == nil {
		t.state.Async = nil
		return json.Marshal(t.train.State())
	}
	st, data, err := t.async.snapshot(t.state.Step)
	if err != nil {
		t.async.release()
		return nil, err
	}
	t.state.Async = st
	return data, nil
}

// overBudget reports whether run.time_budget_s has passed since start.
func (t *Trainer) overBudget(start time.Time) bool {
	b := t.cfg.Run.TimeBudgetS
	return b > 0 && time.Since(start).Seconds() >= b
}
