package rewardq

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Config names the queue's JetStream objects and its delivery policy. Clients and workers of one
// queue must agree on it; the zero value is the default queue.
type Config struct {
	Stream   string        // work-queue stream (default "ASCENT_REWARD")
	Subject  string        // job subject prefix (default "ascent.reward.jobs")
	Bucket   string        // results key-value bucket (default "ascent_reward_results")
	Consumer string        // the workers' shared durable consumer (default "workers")
	AckWait  time.Duration // redelivery delay of a job whose worker went silent (default 30 s)
	// MaxDeliver is the number of deliveries before a job is a dead letter (default 3).
	MaxDeliver int
	// ResultTTL is how long results are kept (default 1 h).
	ResultTTL time.Duration
}

func (c Config) withDefaults() Config {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&c.Stream, "ASCENT_REWARD")
	def(&c.Subject, "ascent.reward.jobs")
	def(&c.Bucket, "ascent_reward_results")
	def(&c.Consumer, "workers")
	if c.AckWait <= 0 {
		c.AckWait = 30 * time.Second
	}
	if c.MaxDeliver <= 0 {
		c.MaxDeliver = 3
	}
	if c.ResultTTL <= 0 {
		c.ResultTTL = time.Hour
	}
	return c
}

// queue is a connection with the stream, consumer and bucket in place.
type queue struct {
	cfg     Config
	nc      *nats.Conn
	js      jetstream.JetStream
	stream  jetstream.Stream
	results jetstream.KeyValue
}

// open connects to url and creates (or finds) the queue's stream, consumer and bucket.
func open(ctx context.Context, url, name string, cfg Config) (*queue, error) {
	cfg = cfg.withDefaults()
	nc, err := nats.Connect(url, nats.Name(name), nats.Timeout(5*time.Second), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("rewardq: connect to NATS at %s: %w", url, err)
	}
	q := &queue{cfg: cfg, nc: nc}
	if err := q.setup(ctx); err != nil {
		nc.Close()
		return nil, err
	}
	return q, nil
}

func (q *queue) setup(ctx context.Context) error {
	var err error
	if q.js, err = jetstream.New(q.nc); err != nil {
		return fmt.Errorf("rewardq: JetStream: %w", err)
	}
	q.stream, err = q.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:       q.cfg.Stream,
		Subjects:   []string{q.cfg.Subject + ".>"},
		Retention:  jetstream.WorkQueuePolicy,
		Duplicates: 10 * time.Minute, // a resubmitted job id is enqueued once
	})
	if err != nil {
		return fmt.Errorf("rewardq: create stream %s (is JetStream enabled on the server?): %w", q.cfg.Stream, err)
	}
	_, err = q.stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:    q.cfg.Consumer,
		AckPolicy:  jetstream.AckExplicitPolicy,
		AckWait:    q.cfg.AckWait,
		MaxDeliver: q.cfg.MaxDeliver,
	})
	if err != nil {
		return fmt.Errorf("rewardq: create consumer %s: %w", q.cfg.Consumer, err)
	}
	q.results, err = q.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: q.cfg.Bucket, TTL: q.cfg.ResultTTL})
	if err != nil {
		return fmt.Errorf("rewardq: create bucket %s: %w", q.cfg.Bucket, err)
	}
	return nil
}

// Close drains and closes the connection.
func (q *queue) Close() { q.nc.Close() }

// subject is the job subject of one job: "<prefix>.<batch>.<id>".
func (q *queue) subject(batch, id string) string { return q.cfg.Subject + "." + batch + "." + id }

// resultKey is a result's key: "<batch>.<id>".
func resultKey(batch, id string) string { return batch + "." + id }
