package rewardq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ascent-rl/ascent/answer"
)

// ClientStats count a client's jobs, for the trainer's reward/workers/* metrics.
type ClientStats struct {
	Submitted  int64 // jobs published
	Completed  int64 // results received (any status)
	Timeouts   int64 // jobs with no result by their deadline plus Grace, or answered timeout
	DeadLetter int64 // jobs that exhausted their deliveries
	Errors     int64 // results with status error (dead letters included)
}

// Client submits batches of jobs and waits for their results.
type Client struct {
	q *queue
	// Grace is how long after a job's deadline the client still waits for its result (default 2 s).
	Grace time.Duration
	stats struct{ submitted, completed, timeouts, dead, errors atomic.Int64 }
	dlSub *nats.Subscription
}

// Dial connects a client to the queue at url, creating the queue if it does not exist.
func Dial(ctx context.Context, url string, cfg Config) (*Client, error) {
	q, err := open(ctx, url, "ascent-reward-client", cfg)
	if err != nil {
		return nil, err
	}
	c := &Client{q: q, Grace: 2 * time.Second}
	// A job that exhausted MaxDeliver (its workers died each time) is reported by the server's
	// advisory; the client answers it as a dead letter so nobody waits for it.
	subj := fmt.Sprintf("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.%s.%s", q.cfg.Stream, q.cfg.Consumer)
	c.dlSub, err = q.nc.Subscribe(subj, c.deadLetter)
	if err != nil {
		q.Close()
		return nil, fmt.Errorf("rewardq: subscribe to dead-letter advisories: %w", err)
	}
	return c, nil
}

// Close disconnects the client.
func (c *Client) Close() { c.q.Close() }

// Stats returns the client's counters.
func (c *Client) Stats() ClientStats {
	return ClientStats{Submitted: c.stats.submitted.Load(), Completed: c.stats.completed.Load(),
		Timeouts: c.stats.timeouts.Load(), DeadLetter: c.stats.dead.Load(), Errors: c.stats.errors.Load()}
}

// deadLetter answers a job that the server gave up delivering.
func (c *Client) deadLetter(m *nats.Msg) {
	var adv struct {
		StreamSeq  uint64 `json:"stream_seq"`
		Deliveries int    `json:"deliveries"`
	}
	if json.Unmarshal(m.Data, &adv) != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	raw, err := c.q.stream.GetMsg(ctx, adv.StreamSeq)
	if err != nil {
		return
	}
	rest, _ := strings.CutPrefix(raw.Subject, c.q.cfg.Subject+".")
	batch, id, ok := strings.Cut(rest, ".")
	if !ok {
		return
	}
	dl := failure(id, answer.StatusError, fmt.Sprintf("dead letter: no worker finished it in %d deliveries", adv.Deliveries))
	dl.Attempt = adv.Deliveries
	res, _ := json.Marshal(dl)
	if _, err := c.q.results.Create(ctx, resultKey(batch, id), res); err == nil {
		c.stats.dead.Add(1)
	}
	c.q.stream.DeleteMsg(ctx, adv.StreamSeq)
}

// Score publishes jobs under batch and waits for every result. Results come back in the jobs'
// order; a job whose result does not arrive by its deadline plus Grace is answered with status
// timeout (a job without a deadline waits for ctx). Resubmitting a batch returns the stored results
// without scoring again. The error is non-nil only for bad input or a broken connection.
func (c *Client) Score(ctx context.Context, batch string, jobs []Job) ([]Result, error) {
	if err := validName("batch", batch); err != nil {
		return nil, err
	}
	index := make(map[string]int, len(jobs))
	for i, j := range jobs {
		if err := validName("job id", j.ID); err != nil {
			return nil, fmt.Errorf("job %d: %w", i, err)
		}
		if _, dup := index[j.ID]; dup {
			return nil, fmt.Errorf("rewardq: job id %q appears twice in batch %s", j.ID, batch)
		}
		index[j.ID] = i
	}
	watcher, err := c.q.results.Watch(ctx, batch+".*")
	if err != nil {
		return nil, fmt.Errorf("rewardq: watch results of %s: %w", batch, err)
	}
	defer watcher.Stop()
	for _, j := range jobs {
		data, _ := json.Marshal(j)
		if _, err := c.q.js.Publish(ctx, c.q.subject(batch, j.ID), data, jetstream.WithMsgID(resultKey(batch, j.ID))); err != nil {
			return nil, fmt.Errorf("rewardq: publish job %s/%s: %w", batch, j.ID, err)
		}
		c.stats.submitted.Add(1)
	}
	results := make([]Result, len(jobs))
	have := make([]bool, len(jobs))
	left := len(jobs)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for left > 0 {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("rewardq: batch %s: %d of %d results missing: %w", batch, left, len(jobs), ctx.Err())
		case e, ok := <-watcher.Updates():
			if !ok {
				return nil, errors.New("rewardq: result watcher closed")
			}
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue // nil marks the end of the initial values
			}
			var r Result
			i, known := index[strings.TrimPrefix(e.Key(), batch+".")]
			if !known || have[i] || json.Unmarshal(e.Value(), &r) != nil {
				continue
			}
			results[i], have[i] = r, true
			left--
			c.count(r)
		case now := <-tick.C:
			for i, j := range jobs {
				if !have[i] && !j.Deadline.IsZero() && now.After(j.Deadline.Add(c.Grace)) {
					results[i] = failure(j.ID, answer.StatusTimeout, "no result by the deadline (are workers running?)")
					have[i] = true
					left--
					c.count(results[i])
				}
			}
		}
	}
	return results, nil
}

func (c *Client) count(r Result) {
	c.stats.completed.Add(1)
	switch r.Status {
	case answer.StatusTimeout:
		c.stats.timeouts.Add(1)
	case answer.StatusError:
		c.stats.errors.Add(1)
	}
}
