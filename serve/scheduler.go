package serve

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/model"
)

// Iteration-level (continuous) batching. One goroutine owns a model.Decoder of Config.MaxBatchRows
// rows per weights version (a "lane") and loops: advance every live row by one token with a single
// Decoder.Step, hand each sampled token to its request at once (per-token streaming), free the
// rows that finished or whose client went away, then admit waiting sequences into the free rows
// (Prefill, and CopyRow for the other samples of the same prompt). A request that arrives while
// others decode therefore joins at the next step. With Config.Batching "request" the scheduler
// instead admits only when no row is live, after waiting up to Config.BatchWindow for more
// requests: the request-level batching of earlier versions, kept for comparison (bench/serve).
//
// Seeds: each sequence has its own random stream derived from (seed, prompt index, sample index)
// as in the local engine, and a row's logits do not depend on the other rows, so a seeded request
// gives the same output however busy the server is. Unseeded requests get a fresh random seed.
//
// Weights: a request is pinned to the weights that were serving when it was validated; rows keep
// decoding on their lane after an update, and a lane is dropped once no row or queued request
// needs it. Each answer reports its version.

var (
	errOverloaded = errors.New("server overloaded: the request queue is full; retry later")
	errClosed     = errors.New("server is shutting down")
)

// request is one generation request: len(prompts) × n sequences.
type request struct {
	ctx      context.Context
	prompts  [][]int
	n        int
	p        engine.SamplingParams // MaxTokens 0: score the prompt only (echo)
	top      int                   // alternatives per sampled token (0: none)
	promptLP int                   // alternatives per prompt token; -1: no prompt log-probs
	w        *weights              // the weights it is pinned to
	out      *events
	next     int // scheduler: the next sequence (prompt·n + sample) to admit
}

// row is one live sequence in a lane.
type row struct {
	req    *request
	seq    int // choice index
	prompt []int
	toks   []int
	rng    *rand.Rand
	next   int // the token Step feeds next
}

// lane is the decoder of one weights version and its rows.
type lane struct {
	w      *weights
	rows   []*row // [R]; nil: free
	toks   []int  // [R] Step's input
	active []bool // [R]
	live   int
}

// scheduler queues requests and runs the decode loop.
type scheduler struct {
	s       *Server
	rows    int // rows per decoder
	mu      sync.Mutex
	pending []*request
	closed  bool
	wake    chan struct{}
	quit    chan struct{}
	done    chan struct{}
	lanes   []*lane
	pick    *model.Picker
	last    int // requests admitted together last time (request batching's lone-client rule)
}

func newScheduler(s *Server, rows int, vocab int) *scheduler {
	b := &scheduler{s: s, rows: rows, wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{}),
		pick: model.NewPicker(vocab)}
	go b.loop()
	return b
}

// submit queues r, or fails at once with errOverloaded (Config.MaxQueue requests waiting) or
// errClosed.
func (b *scheduler) submit(r *request) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errClosed
	}
	if len(b.pending) >= b.s.cfg.MaxQueue {
		return errOverloaded
	}
	b.pending = append(b.pending, r)
	select {
	case b.wake <- struct{}{}:
	default:
	}
	return nil
}

// depth is the number of requests waiting for rows.
func (b *scheduler) depth() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.pending)
}

// live is the number of rows decoding (scheduler goroutine only).
func (b *scheduler) live() int {
	n := 0
	for _, l := range b.lanes {
		n += l.live
	}
	return n
}

// close stops the loop; queued and live requests fail with errClosed. It waits for the loop.
func (b *scheduler) close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.quit)
	}
	b.mu.Unlock()
	<-b.done
}

func (b *scheduler) loop() {
	defer close(b.done)
	for {
		if b.live() == 0 && !b.waitWork() {
			b.shutdown()
			return
		}
		select {
		case <-b.quit:
			b.shutdown()
			return
		default:
		}
		b.step()
		b.dropCancelled()
		if b.s.cfg.Batching == BatchingRequest {
			if b.live() == 0 {
				b.collect()
				b.admit()
			}
		} else {
			b.admit()
		}
	}
}

// waitWork blocks until a request is pending; false when the scheduler is closing.
func (b *scheduler) waitWork() bool {
	for {
		b.mu.Lock()
		n := len(b.pending)
		b.mu.Unlock()
		if n > 0 {
			return true
		}
		select {
		case <-b.wake:
		case <-b.quit:
			return false
		}
	}
}

// collect is request batching's window: wait up to BatchWindow (or until the rows are full) for
// more requests, not at all when the last batch held one request and nothing else is arriving,
// and stop early once none is queued-but-unread (Server.arriving).
func (b *scheduler) collect() {
	deadline := time.Now().Add(b.s.cfg.BatchWindow)
	tick := max(b.s.cfg.BatchWindow/20, time.Microsecond)
	for time.Now().Before(deadline) {
		b.mu.Lock()
		seqs := 0
		for _, r := range b.pending {
			seqs += len(r.prompts)*r.n - r.next
		}
		n := len(b.pending)
		b.mu.Unlock()
		if seqs >= b.rows || b.s.arriving.Load() == 0 && (b.last <= 1 || n > 1) {
			return
		}
		time.Sleep(tick)
	}
}

// shutdown fails every queued and live request.
func (b *scheduler) shutdown() {
	b.mu.Lock()
	for _, r := range b.pending {
		r.out.fail(errClosed)
	}
	b.pending = nil
	b.mu.Unlock()
	for _, l := range b.lanes {
		for i, r := range l.rows {
			if r != nil {
				r.req.out.fail(errClosed)
				l.free(i)
			}
		}
	}
}

// laneOf returns w's lane, creating it; lanes of old weights with no live row are dropped.
func (b *scheduler) laneOf(w *weights) *lane {
	var found *lane
	kept := b.lanes[:0]
	for _, l := range b.lanes {
		if l.w == w {
			found = l
		}
		if l.w == w || l.live > 0 || l.w == b.s.w.Load() {
			kept = append(kept, l)
		}
	}
	b.lanes = kept
	if found == nil {
		found = &lane{w: w, rows: make([]*row, b.rows), toks: make([]int, b.rows), active: make([]bool, b.rows)}
		b.lanes = append(b.lanes, found)
	}
	return found
}

func (l *lane) free(i int) {
	l.rows[i], l.active[i] = nil, false
	l.live--
}

// step advances every live row of every lane by one token and samples the next.
func (b *scheduler) step() {
	for _, l := range b.lanes {
		if l.live == 0 {
			continue
		}
		for i, r := range l.rows {
			l.active[i] = r != nil
			if r != nil {
				l.toks[i] = r.next
			}
		}
		logits, err := l.w.dec.Step(l.toks, l.active)
		st := &b.s.stats
		st.Batches.Add(1)
		if err != nil {
			b.failLane(l, fmt.Errorf("decode step: %w", err))
			continue
		}
		var first *request
		shared := false
		for i, r := range l.rows {
			if r == nil {
				continue
			}
			if first == nil {
				first = r.req
			} else if r.req != first {
				shared = true
			}
			if b.sample(l, i, logits[i]) {
				l.free(i)
			}
		}
		if shared {
			st.BatchedReq.Add(1)
		}
	}
}

// failLane fails every request with a row in l.
func (b *scheduler) failLane(l *lane, err error) {
	for i, r := range l.rows {
		if r != nil {
			r.req.out.fail(err)
			l.free(i)
		}
	}
}

// sample picks row i's next token from logits, reports it and says whether the sequence ended.
func (b *scheduler) sample(l *lane, i int, logits []float32) bool {
	r := l.rows[i]
	q := r.req
	tok, lp, top := b.pick.Pick(logits, model.SamplingParams{Temperature: q.p.Temperature, TopK: q.p.TopK, TopP: q.p.TopP}, r.rng, q.top)
	r.toks = append(r.toks, tok)
	ev := event{seq: r.seq, tok: tok, lp: lp, top: top}
	cfg := l.w.config
	switch {
	case !q.p.IgnoreEOS && (tok == cfg.EOSTokenID || slices.Contains(cfg.EOSTokenIDs, tok)), slices.Contains(q.p.StopTokens, tok):
		ev.finish = "stop"
	case len(q.p.Stop) > 0 && b.hasStop(r.toks, q.p.Stop):
		// The response ends before the stop string: the token that completed it is dropped.
		r.toks = r.toks[:len(r.toks)-1]
		ev = event{seq: r.seq, tok: -1, finish: "stop", cut: tok}
	case len(r.toks) >= q.p.MaxTokens || len(r.prompt)+len(r.toks) >= l.w.maxLen:
		ev.finish = "length"
	}
	if ev.tok >= 0 {
		b.s.stats.Tokens.Add(1)
	}
	q.out.push(ev)
	r.next = tok
	if ev.finish != "" {
		b.s.stats.Sequences.Add(1)
		return true
	}
	return false
}

// hasStop reports whether the decoded response contains a stop string.
func (b *scheduler) hasStop(toks []int, stop []string) bool {
	text := b.s.decode(toks)
	for _, s := range stop {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}

// dropCancelled frees the rows and queue entries of requests whose client went away (or that
// failed in another row).
func (b *scheduler) dropCancelled() {
	for _, l := range b.lanes {
		for i, r := range l.rows {
			if r != nil && (r.req.ctx.Err() != nil || r.req.out.failed()) {
				r.req.out.fail(r.req.ctx.Err())
				l.free(i)
				b.s.stats.Cancelled.Add(1)
			}
		}
	}
	b.mu.Lock()
	kept := b.pending[:0]
	for _, r := range b.pending {
		if err := r.ctx.Err(); err != nil {
			r.out.fail(err)
			continue
		}
		kept = append(kept, r)
	}
	clear(b.pending[len(kept):])
	b.pending = kept
	b.mu.Unlock()
}
