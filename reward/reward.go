// Package reward scores model responses: a registry of reward functions keyed by verl's
// data_source (compute_score semantics: a score and the verdict — acc, pred, status — that the
// trainer and the evaluator both read), run on a bounded worker pool with deadlines. Every result
// carries the verifier status (answer.Verdict, the one verdict type), and a batch
// reports reward/timeout_ratio, reward/error_ratio and reward/unparsable_ratio, so a failing
// verifier is counted instead of silently scoring 0.
//
//	r := reward.Score(ctx, reward.Request{DataSource: "openai/gsm8k", Solution: resp, GroundTruth: "72"})
//	results, stats := reward.ScoreBatch(ctx, reqs, 0) // 0 workers: one per CPU
package reward

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/internal/registry"

	"github.com/ascent-rl/ascent/metric"
)

// Metric names reported by ScoreBatch, from package metric's table (verl has none of these; see
// spec ecosystem §6).
const (
	MetricTimeoutRatio    = metric.TimeoutRatio
	MetricErrorRatio      = metric.ErrorRatio
	MetricUnparsableRatio = metric.UnparsableRatio
	MetricScoreMean       = metric.RewardMean
)

// DefaultTimeout bounds one Score call when the context has no earlier deadline.
const DefaultTimeout = 2 * time.Second

// Request is one compute_score call.
type Request struct {
	DataSource  string         // routes to the reward function (verl data_source)
	Solution    string         // the response only, special tokens removed (verl solution_str)
	GroundTruth string         // reward_model.ground_truth
	ExtraInfo   map[string]any // the row's extra_info (may be nil)
}

// Result is one score with its verdict: Correct is verl's reward_extra_info "acc", Pred its "pred",
// Status ok, unparsable, timeout or error, Detail why.
type Result struct {
	Score          float64 // the scalar reward placed at the last response token
	answer.Verdict         // the verifier's judgement and status
}

// Func is a reward function. It must honour ctx; Score also enforces the deadline from outside.
type Func func(ctx context.Context, req Request) Result

// entry is a registered reward function with its deadline (0: DefaultTimeout).
type entry struct {
	fn      Func
	timeout time.Duration
}

// funcs is the reward registry, by data_source.
var funcs = registry.New[entry]("reward", "data_source")

// Register adds a reward function for an exact data_source; registering a name twice panics
// (registries are filled in init functions).
func Register(name string, fn Func) { funcs.Register(name, entry{fn: fn}) }

// RegisterPrefix adds a reward function for every data_source starting with prefix ("aime").
// Exact names win over prefixes, and longer prefixes over shorter ones.
func RegisterPrefix(prefix string, fn Func) { funcs.RegisterPrefix(prefix, entry{fn: fn}) }

// RegisterSlow is Register for a reward that needs longer than DefaultTimeout (code in the
// sandbox, a judge call); prefix registers it as a prefix.
func RegisterSlow(name string, prefix bool, timeout time.Duration, fn Func) {
	e := entry{fn: fn, timeout: timeout}
	if prefix {
		funcs.RegisterPrefix(name, e)
	} else {
		funcs.Register(name, e)
	}
}

// Lookup returns the reward function for a data_source, or an error listing the known ones.
func Lookup(dataSource string) (Func, error) {
	e, err := funcs.Lookup(dataSource)
	return e.fn, err
}

// Timeout is the deadline Score gives a data_source's reward when the context has none.
func Timeout(dataSource string) time.Duration {
	if e, err := funcs.Lookup(dataSource); err == nil && e.timeout > 0 {
		return e.timeout
	}
	return DefaultTimeout
}

// Known lists the registered data_sources (prefixes end in "*").
func Known() []string { return funcs.Names() }

// Score runs the reward function of req.DataSource under the context deadline (the function's
// Timeout when the context has none). An unknown data_source, a panic or a deadline becomes a
// status, never a silent zero.
func Score(ctx context.Context, req Request) Result {
	e, err := funcs.Lookup(req.DataSource)
	if err != nil {
		return failed(answer.StatusError, err.Error())
	}
	fn := e.fn
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, Timeout(req.DataSource))
		defer cancel()
	}
	done := make(chan Result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- failed(answer.StatusError, fmt.Sprintf("reward %q panicked: %v", req.DataSource, r))
			}
		}()
		done <- fn(ctx, req)
	}()
	select {
	case r := <-done:
		if r.Status == "" {
			r.Status = answer.StatusOK
		}
		return r
	case <-ctx.Done():
		return failed(answer.StatusTimeout, ctx.Err().Error())
	}
}

func failed(s answer.Status, detail string) Result {
	return Result{Verdict: answer.Verdict{Status: s, Detail: detail}}
}

// Stats summarizes a batch.
type Stats struct {
	N               int     // results
	Mean            float64 // mean score
	TimeoutRatio    float64 // fraction with StatusTimeout
	ErrorRatio      float64 // fraction with StatusError
	UnparsableRatio float64 // fraction with StatusUnparsable
	// CodeOutcomes are the fractions of code rewards per check status (empty without code rewards).
	CodeOutcomes map[string]float64
}

// Metrics returns the stats under their logged metric names.
func (s Stats) Metrics() map[string]float64 {
	m := map[string]float64{
		MetricTimeoutRatio: s.TimeoutRatio, MetricErrorRatio: s.ErrorRatio,
		MetricUnparsableRatio: s.UnparsableRatio, MetricScoreMean: s.Mean,
	}
	for o, v := range s.CodeOutcomes {
		m[metric.CodeOutcome+o+"_ratio"] = v
	}
	return m
}

// ScoreBatch scores reqs concurrently on a pool of workers (≤ 0: one per CPU) and returns the
// results in request order with the batch statistics. Requests not started before ctx ends
// are reported as timeouts.
func ScoreBatch(ctx context.Context, reqs []Request, workers int) ([]Result, Stats) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, max(len(reqs), 1))
	out := make([]Result, len(reqs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if ctx.Err() != nil {
					out[i] = failed(answer.StatusTimeout, ctx.Err().Error())
					continue
				}
				out[i] = Score(ctx, reqs[i])
			}
		}()
	}
	for i := range reqs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, Summarize(out)
}

// Summarize computes batch statistics.
func Summarize(rs []Result) Stats {
	s := Stats{N: len(rs)}
	if len(rs) == 0 {
		return s
	}
	for _, r := range rs {
		s.Mean += r.Score
		switch r.Status {
		case answer.StatusTimeout:
			s.TimeoutRatio++
		case answer.StatusError:
			s.ErrorRatio++
		case answer.StatusUnparsable:
			s.UnparsableRatio++
		}
		if o := CodeOutcome(r); o != "" {
			if s.CodeOutcomes == nil {
				s.CodeOutcomes = map[string]float64{}
			}
			s.CodeOutcomes[o]++
		}
	}
	n := float64(len(rs))
	for o := range s.CodeOutcomes {
		s.CodeOutcomes[o] /= n
	}
	s.Mean /= n
	s.TimeoutRatio /= n
	s.ErrorRatio /= n
	s.UnparsableRatio /= n
	return s
}
