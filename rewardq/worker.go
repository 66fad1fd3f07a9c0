package rewardq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/reward"
)

// Scorer computes one job's reward. A returned error is a failure worth retrying elsewhere (a
// judge endpoint is down): the job is redelivered and becomes a dead letter after
// Config.MaxDeliver attempts. Statuses in the result (a verifier's timeout, unparsable answer or
// error) are final.
type Scorer interface {
	Score(ctx context.Context, job Job) (reward.Result, error)
}

// ScorerFunc adapts a function to Scorer.
type ScorerFunc func(ctx context.Context, job Job) (reward.Result, error)

// Score calls f.
func (f ScorerFunc) Score(ctx context.Context, job Job) (reward.Result, error) { return f(ctx, job) }

// WorkerConfig configures a worker process.
type WorkerConfig struct {
	Queue Config // the queue to serve
	// Name identifies the worker in results (default "<hostname>-<pid>").
	Name string
	// Scorers override the reward registry for some data_sources (nil: Registry for all).
	Scorers map[string]Scorer
	// Concurrency is how many jobs the worker scores at once (default 1).
	Concurrency int
	// Ready, when set, is closed once the worker is subscribed.
	Ready chan<- struct{}
}

// WorkerStats count what a worker did.
type WorkerStats struct {
	Done       int64 // results written
	Duplicates int64 // results already written by an earlier delivery (not counted again)
	Expired    int64 // jobs answered with status timeout (deadline passed)
	Retried    int64 // scorer errors handed back for another delivery
	DeadLetter int64 // jobs that failed on their last delivery
}

// Worker takes jobs from the queue and writes their results.
type Worker struct {
	cfg   WorkerConfig
	q     *queue
	stats struct{ done, dup, expired, retried, dead atomic.Int64 }
}

// Serve runs a worker until ctx ends.
func Serve(ctx context.Context, url string, cfg WorkerConfig) error {
	w, err := NewWorker(ctx, url, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	return w.Run(ctx)
}

// NewWorker connects a worker to the queue at url.
func NewWorker(ctx context.Context, url string, cfg WorkerConfig) (*Worker, error) {
	if cfg.Name == "" {
		host, _ := os.Hostname()
		cfg.Name = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 1
	}
	q, err := open(ctx, url, "ascent-reward-worker "+cfg.Name, cfg.Queue)
	if err != nil {
		return nil, err
	}
	return &Worker{cfg: cfg, q: q}, nil
}

// Close disconnects the worker.
func (w *Worker) Close() { w.q.Close() }

// Stats returns the worker's counters.
func (w *Worker) Stats() WorkerStats {
	return WorkerStats{Done: w.stats.done.Load(), Duplicates: w.stats.dup.Load(), Expired: w.stats.expired.Load(),
		Retried: w.stats.retried.Load(), DeadLetter: w.stats.dead.Load()}
}

// Run takes jobs until ctx ends; each of Concurrency loops fetches one job at a time, so an idle
// worker holds no job another could take.
func (w *Worker) Run(ctx context.Context) error {
	cons, err := w.q.stream.Consumer(ctx, w.q.cfg.Consumer)
	if err != nil {
		return fmt.Errorf("rewardq: consumer %s: %w", w.q.cfg.Consumer, err)
	}
	if w.cfg.Ready != nil {
		close(w.cfg.Ready)
	}
	var wg sync.WaitGroup
	errs := make(chan error, w.cfg.Concurrency)
	for range w.cfg.Concurrency {
		wg.Go(func() {
			for ctx.Err() == nil {
				batch, err := cons.Fetch(1, jetstream.FetchMaxWait(time.Second))
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					if errors.Is(err, jetstream.ErrNoHeartbeat) || errors.Is(err, context.DeadlineExceeded) {
						continue
					}
					errs <- fmt.Errorf("rewardq: fetch: %w", err)
					return
				}
				for msg := range batch.Messages() {
					w.handle(ctx, msg)
				}
			}
		})
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// handle scores one delivery and writes its result, or hands it back for redelivery.
func (w *Worker) handle(ctx context.Context, msg jetstream.Msg) {
	md, err := msg.Metadata()
	if err != nil {
		msg.Term()
		return
	}
	attempt := int(md.NumDelivered)
	batch, id, ok := w.parseSubject(msg.Subject())
	var job Job
	if !ok || json.Unmarshal(msg.Data(), &job) != nil {
		if ok {
			r := failure(id, answer.StatusError, "malformed job")
			r.Attempt = attempt
			w.store(ctx, batch, r)
		}
		msg.Term()
		return
	}
	job.Attempt = attempt
	start := time.Now()
	finish := func(r Result) {
		r.Worker, r.Attempt, r.Elapsed = w.cfg.Name, attempt, time.Since(start)
		w.store(ctx, batch, r)
		msg.Ack()
	}
	if !job.Deadline.IsZero() && start.After(job.Deadline) {
		w.stats.expired.Add(1)
		finish(failure(id, answer.StatusTimeout, "deadline passed before the job was started"))
		return
	}
	scorer, ok := w.cfg.Scorers[job.DataSource]
	if !ok {
		scorer = Registry
	}
	jctx, cancel := context.WithCancel(ctx)
	if !job.Deadline.IsZero() {
		jctx, cancel = context.WithDeadline(ctx, job.Deadline)
	}
	stop := w.heartbeat(msg)
	scored, err := scorer.Score(jctx, job)
	overran := jctx.Err() != nil
	stop()
	cancel()
	switch {
	case ctx.Err() != nil:
		return // shutting down: the job is redelivered to another worker
	case err != nil && overran:
		w.stats.expired.Add(1)
		finish(failure(id, answer.StatusTimeout, err.Error()))
	case err != nil && attempt < w.q.cfg.MaxDeliver:
		w.stats.retried.Add(1)
		msg.NakWithDelay(200 * time.Millisecond)
	case err != nil:
		w.stats.dead.Add(1)
		finish(failure(id, answer.StatusError, fmt.Sprintf("dead letter after %d attempts: %v", attempt, err)))
	default:
		if scored.Status == answer.StatusTimeout {
			w.stats.expired.Add(1)
		}
		finish(Result{ID: id, Result: scored})
	}
}

// heartbeat tells the server the job is still being worked on, every third of AckWait, until stop.
func (w *Worker) heartbeat(msg jetstream.Msg) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(w.q.cfg.AckWait / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				msg.InProgress()
			}
		}
	}()
	return func() { close(done) }
}

// store writes a result once; a result already there (an earlier delivery finished it) is kept.
func (w *Worker) store(ctx context.Context, batch string, res Result) {
	data, _ := json.Marshal(res)
	_, err := w.q.results.Create(ctx, resultKey(batch, res.ID), data)
	switch {
	case errors.Is(err, jetstream.ErrKeyExists):
		w.stats.dup.Add(1)
	case err == nil:
		w.stats.done.Add(1)
	}
}

// parseSubject splits "<prefix>.<batch>.<id>".
func (w *Worker) parseSubject(subj string) (batch, id string, ok bool) {
	rest, ok := strings.CutPrefix(subj, w.q.cfg.Subject+".")
	if !ok {
		return "", "", false
	}
	batch, id, ok = strings.Cut(rest, ".")
	return batch, id, ok && validName("batch", batch) == nil && validName("job id", id) == nil
}
