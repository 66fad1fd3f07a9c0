package serve

import (
	"context"
	"sync"

	"github.com/ascent-rl/ascent/model"
)

// event is one thing the scheduler reports about a request: a sampled token, the end of a
// sequence, or a prompt's log-probs.
type event struct {
	seq    int                  // choice index: prompt·n + sample
	tok    int                  // the sampled token; -1 when the event only ends the sequence
	lp     float32              // tok's log-prob under the sampling distribution
	top    []model.TokenLogProb // the most likely alternatives (top_logprobs), most likely first
	finish string               // "stop" or "length" when this event ends the sequence
	cut    int                  // with tok -1 and finish "stop": the dropped token that completed a stop string
	// prompt, when not nil, carries prompt seq/n's log-probs (one entry per prompt token; the
	// first is empty) and no token.
	prompt []promptLogprob
}

// promptLogprob is one prompt token's log-prob under the model (untempered), its 1-based rank in
// the vocabulary and the most likely tokens at its position.
type promptLogprob struct {
	id   int
	lp   float32
	rank int
	top  []model.TokenLogProb
}

// events is the scheduler→handler channel of one request: an unbounded queue (the scheduler
// never blocks on a slow client) with a wake-up signal. Memory is bounded by the request's
// prompts × n × max_tokens.
type events struct {
	mu      sync.Mutex
	q       []event
	version int64 // weights version generating the request (set before the first event)
	left    int   // sequences not yet finished
	err     error // set when the request failed; no more events follow
	wake    chan struct{}
}

func newEvents(seqs int) *events { return &events{left: seqs, wake: make(chan struct{}, 1)} }

// push appends evs and wakes the reader.
func (e *events) push(evs ...event) {
	e.mu.Lock()
	e.q = append(e.q, evs...)
	for _, ev := range evs {
		if ev.finish != "" {
			e.left--
		}
	}
	e.mu.Unlock()
	e.signal()
}

// fail ends the request with err.
func (e *events) fail(err error) {
	e.mu.Lock()
	if e.err == nil {
		e.err = err
	}
	e.mu.Unlock()
	e.signal()
}

// failed reports whether the request has failed.
func (e *events) failed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err != nil
}

func (e *events) signal() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// next blocks until events are queued, the request ended or ctx is done. It returns the queued
// events, whether every sequence has finished, and an error (the request's or ctx's).
func (e *events) next(ctx context.Context) ([]event, bool, error) {
	for {
		e.mu.Lock()
		q, left, err := e.q, e.left, e.err
		e.q = nil
		e.mu.Unlock()
		if len(q) > 0 || left <= 0 || err != nil {
			if err != nil && len(q) == 0 {
				return nil, false, err
			}
			return q, left <= 0, nil
		}
		select {
		case <-e.wake:
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
	}
}

// weightsVersion returns the version generating the request.
func (e *events) weightsVersion() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.version
}
