package trainer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/reward"
	"github.com/ascent-rl/ascent/rewardq"
)

// remoteScorer sends rewards to `ascent reward-worker` processes through a NATS work queue
// (reward.workers.nats) and scores the rest in-process.
type remoteScorer struct {
	client  *rewardq.Client
	sources []string      // data_sources sent to the workers (empty: all)
	timeout time.Duration // per job, waiting included (0: the reward's own deadline + 30 s)
	prefix  string        // batch-name prefix unique to this process: a resumed run never reads old results
	batches int
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// dialRemoteScorer connects to the queue; an unreachable server fails before any work.
func dialRemoteScorer(run string, cfg RewardWorkersConfig) (*remoteScorer, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := rewardq.Dial(ctx, cfg.NATS, rewardq.Config{})
	if err != nil {
		return nil, fmt.Errorf("reward.workers.nats: %w", err)
	}
	var nonce [6]byte
	rand.Read(nonce[:])
	name := unsafeName.ReplaceAllString(run, "_")
	if len(name) > 80 {
		name = name[:80]
	}
	return &remoteScorer{client: c, sources: cfg.DataSources, timeout: time.Duration(cfg.TimeoutS * float64(time.Second)),
		prefix: name + "-" + hex.EncodeToString(nonce[:])}, nil
}

// score sends the requests whose data_source goes remote as one batch and scores the others
// in-process; results keep the requests' order. A job the workers did not answer in time is a
// StatusTimeout result, a dead letter a StatusError one: counted like any verifier failure.
func (r *remoteScorer) score(ctx context.Context, reqs []reward.Request, workers int) ([]reward.Result, error) {
	out := make([]reward.Result, len(reqs))
	var jobs []rewardq.Job
	var at []int
	var local []reward.Request
	var localAt []int
	now := time.Now()
	for i, q := range reqs {
		if len(r.sources) > 0 && !slices.Contains(r.sources, q.DataSource) {
			local, localAt = append(local, q), append(localAt, i)
			continue
		}
		d := r.timeout
		if d == 0 {
			d = reward.Timeout(q.DataSource) + 30*time.Second
		}
		jobs = append(jobs, rewardq.Job{ID: fmt.Sprint(i), DataSource: q.DataSource, Solution: q.Solution,
			GroundTruth: q.GroundTruth, ExtraInfo: q.ExtraInfo, Deadline: now.Add(d)})
		at = append(at, i)
	}
	if len(local) > 0 {
		res, _ := reward.ScoreBatch(ctx, local, workers)
		for k, i := range localAt {
			out[i] = res[k]
		}
	}
	if len(jobs) > 0 {
		r.batches++
		res, err := r.client.Score(ctx, fmt.Sprintf("%s-%d", r.prefix, r.batches), jobs)
		if err != nil {
			return nil, fmt.Errorf("reward workers: %w", err)
		}
		for k, i := range at {
			out[i] = res[k].Result
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// metrics are the queue client's counters so far.
func (r *remoteScorer) metrics() map[string]float64 {
	st := r.client.Stats()
	return map[string]float64{
		metric.RewardWorkerJobs:        float64(st.Submitted),
		metric.RewardWorkerTimeouts:    float64(st.Timeouts),
		metric.RewardWorkerDeadLetters: float64(st.DeadLetter),
		metric.RewardWorkerErrors:      float64(st.Errors),
	}
}
