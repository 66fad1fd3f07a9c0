package serve

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/ascent-rl/ascent/engine"
)

// Request-level batching: one goroutine takes the first waiting request, waits up to
// Config.BatchWindow (or until Config.MaxBatchRows rows) for more — less when no request is
// queued or still being read (Server.arriving) — groups the collected requests
// by identical sampling parameters and n, and calls Sample once per group with every group
// member's prompts. A request stays in its batch until its longest sequence ends: this is not
// iteration-level (continuous) batching, where finished rows are replaced mid-decode. While a
// batch samples, new requests queue up and form the next batch.
//
// Seeds: the local engine derives each row's random stream from (seed, prompt index in the call,
// sample index). A request with an explicit seed is therefore sampled in a call of its own, so
// the same request, seed and weights give the same output however busy the server is; unseeded
// requests share calls and get a fresh random seed per call.

var (
	errOverloaded = errors.New("server overloaded: the request queue is full; retry later")
	errClosed     = errors.New("server is shutting down")
)

// job is one request waiting for the batcher.
type job struct {
	ctx     context.Context
	id      int64
	prompts [][]int
	n       int
	p       engine.SamplingParams
	seeded  bool           // p.Seed came from the request
	done    chan jobResult // buffered: the batcher never blocks on it
}

// jobResult is what the batcher sends back for a job.
type jobResult struct {
	seqs    []engine.Sequence // prompt-major, PromptIndex relative to the job's prompts
	version int64             // weights version that sampled them
	err     error
}

// groupKey identifies requests that may share one Sample call.
type groupKey struct {
	n                 int
	temperature, topP float64
	topK, maxTokens   int
	stop, stopTokens  string
	ignoreEOS         bool
	seed              uint64
	own               int64 // the job id for seeded requests (sampled alone), else 0
}

func keyOf(j *job) groupKey {
	k := groupKey{n: j.n, temperature: j.p.Temperature, topP: j.p.TopP, topK: j.p.TopK,
		maxTokens: j.p.MaxTokens, stop: strings.Join(j.p.Stop, "\x00"),
		stopTokens: fmt.Sprint(j.p.StopTokens), ignoreEOS: j.p.IgnoreEOS}
	if j.seeded {
		k.seed, k.own = j.p.Seed, j.id
	}
	return k
}

// batcher owns the queue of jobs and the goroutine that samples them.
type batcher struct {
	s      *Server
	queue  chan *job
	mu     sync.RWMutex // guards closed against concurrent submits
	closed bool
	quit   chan struct{}
	done   chan struct{}
	ctx    context.Context // cancelled by close: aborts a batch still sampling
	cancel context.CancelFunc
	rng    *rand.Rand
	// lastJobs is how many requests the previous batch collected (read and written by loop only).
	lastJobs int
}

func newBatcher(s *Server) *batcher {
	ctx, cancel := context.WithCancel(context.Background())
	b := &batcher{s: s, queue: make(chan *job, s.cfg.MaxQueue), quit: make(chan struct{}), done: make(chan struct{}),
		ctx: ctx, cancel: cancel, rng: rand.New(rand.NewPCG(s.cfg.Seed, uint64(time.Now().UnixNano())))}
	go b.loop()
	return b
}

// submit queues j, or fails at once with errOverloaded (queue full) or errClosed.
func (b *batcher) submit(j *job) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return errClosed
	}
	select {
	case b.queue <- j:
		return nil
	default:
		return errOverloaded
	}
}

// depth is the number of queued jobs.
func (b *batcher) depth() int { return len(b.queue) }

// close stops the loop; queued jobs fail with errClosed. It waits for the loop to exit.
func (b *batcher) close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.quit)
		b.cancel()
	}
	b.mu.Unlock()
	<-b.done
}

func (b *batcher) loop() {
	defer close(b.done)
	for {
		var first *job
		select {
		case <-b.quit:
			b.drain()
			return
		case first = <-b.queue:
		}
		pending, rows := []*job{first}, len(first.prompts)*first.n
		timer := time.NewTimer(b.s.cfg.BatchWindow)
		tick := time.NewTicker(max(b.s.cfg.BatchWindow/20, time.Microsecond))
	collect:
		for rows < b.s.cfg.MaxBatchRows {
			if b.lastJobs <= 1 && len(b.queue) == 0 && b.s.arriving.Load() == 0 {
				// One request at a time lately, none queued or being read: waiting only adds
				// latency, so a lone client pays no batching window.
				break collect
			}
			select {
			case j := <-b.queue:
				pending = append(pending, j)
				rows += len(j.prompts) * j.n
			case <-tick.C:
				// Under concurrent load, wait while requests are still being read or validated;
				// stop once none are (ticks of BatchWindow/20 leave closed-loop clients time to
				// send their next request).
				if len(b.queue) == 0 && b.s.arriving.Load() == 0 {
					break collect
				}
			case <-timer.C:
				break collect
			case <-b.quit:
				break collect
			}
		}
		timer.Stop()
		tick.Stop()
		b.lastJobs = len(pending)
		b.run(pending)
	}
}

// drain fails every queued job.
func (b *batcher) drain() {
	for {
		select {
		case j := <-b.queue:
			j.done <- jobResult{err: errClosed}
		default:
			return
		}
	}
}

// run groups jobs by sampling parameters and samples each group with one engine call.
func (b *batcher) run(jobs []*job) {
	var order []groupKey
	groups := map[groupKey][]*job{}
	for _, j := range jobs {
		if err := j.ctx.Err(); err != nil { // the client went away while queued
			j.done <- jobResult{err: err}
			continue
		}
		k := keyOf(j)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], j)
	}
	for _, k := range order {
		b.sampleGroup(groups[k])
	}
}

// sampleGroup samples every job of a group (same n and parameters) in one Sample call and hands
// each job its slice of the result.
func (b *batcher) sampleGroup(g []*job) {
	var prompts [][]int
	for _, j := range g {
		prompts = append(prompts, j.prompts...)
	}
	p, n := g[0].p, g[0].n
	if !g[0].seeded {
		p.Seed = b.rng.Uint64()
	}
	w := b.s.w.Load() // a weight update after this line serves the next batch; this one finishes on w
	seqs, err := w.sampler.Sample(b.ctx, prompts, n, p)
	st := &b.s.stats
	st.Batches.Add(1)
	if len(g) > 1 {
		st.BatchedReq.Add(int64(len(g)))
	}
	if err == nil && len(seqs) != len(prompts)*n {
		err = fmt.Errorf("engine returned %d sequences for %d prompts × n=%d", len(seqs), len(prompts), n)
	}
	off := 0
	for _, j := range g {
		if err != nil {
			j.done <- jobResult{err: fmt.Errorf("sample: %w", err)}
			continue
		}
		mine := seqs[off*n : (off+len(j.prompts))*n]
		for i := range mine {
			mine[i].PromptIndex -= off
			st.Tokens.Add(int64(len(mine[i].Tokens)))
		}
		st.Sequences.Add(int64(len(mine)))
		off += len(j.prompts)
		j.done <- jobResult{seqs: mine, version: w.version}
	}
}
