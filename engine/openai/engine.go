// Package openai is the remote rollout engine: a sampler (trainer.Sampler, rollout.Sampler) whose
// Sample fans prompts out to one or more OpenAI-compatible servers (vLLM, SGLang, `ascent serve`),
// token in and token out, keeping the servers' per-token log-probs. It only samples: training
// stays in the local engine (trainer.Learner). SyncWeights pushes a checkpoint directory to every server
// (SGLang's POST /update_weights_from_disk) and verifies the served version.
//
//	e, _ := openai.New(openai.Config{Endpoints: []string{"http://127.0.0.1:8000/v1"}, Model: "policy"})
//	seqs, _ := e.Sample(ctx, prompts, 8, engine.SamplingParams{Temperature: 1, MaxTokens: 512})
//
// Requests carry token-id prompts and ask for return_token_ids (vLLM ≥ 0.10.2, `ascent serve`), so
// nothing is re-tokenised. See docs/serving.md.
package openai

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	oa "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// Config configures the remote engine. Zero values mean "use the default".
type Config struct {
	// Endpoints are the servers' OpenAI base URLs, e.g. "http://127.0.0.1:8000/v1" (required).
	Endpoints []string
	// Model is the model id sent with each request (the server's served model name).
	Model string
	// APIKey is sent as "Authorization: Bearer <key>" when set.
	APIKey string
	// MaxConcurrency is the most requests in flight per endpoint (default 8).
	MaxConcurrency int
	// PromptsPerRequest is how many prompts one HTTP request carries, each with all n samples
	// (default 8).
	PromptsPerRequest int
	// RequestTimeout is the deadline of one attempt (default 10 min); an attempt past it is
	// cancelled, counted in remote/timeouts and retried.
	RequestTimeout time.Duration
	// MaxAttempts is the attempts per request before Sample fails (default 6).
	MaxAttempts int
	// Backoff is the wait before the second attempt, doubled per attempt up to 5 s (default 100 ms).
	Backoff time.Duration
	// Cooldown is how long a failed endpoint is avoided while others are healthy (default 2 s,
	// doubled per consecutive failure up to 1 min).
	Cooldown time.Duration
	// SyncTimeout is the deadline of one server's weight sync (default 5 min); a server past it, or
	// failing, is left out of sampling until a later sync reaches it (remote/sync_failures).
	SyncTimeout time.Duration
	// HTTPClient overrides the HTTP client (default: a client without an overall timeout).
	HTTPClient *http.Client
}

// Engine samples from remote servers. It is safe for concurrent use.
type Engine struct {
	cfg  Config
	hc   *http.Client
	eps  []*endpoint
	mu   sync.Mutex // guards endpoint load and health, rr, wake
	rr   int
	wake chan struct{} // closed and replaced whenever a slot frees

	gen int // weight generation every sampling endpoint must hold (+1 per SyncWeights; under mu)

	requests, retries, timeouts, failures, sequences, tokens, syncFailures atomic.Int64
	syncMu                                                                 sync.Mutex
	lastSync                                                               map[string]float64
}

// endpoint is one server.
type endpoint struct {
	base      string    // OpenAI base URL without a trailing slash, e.g. http://host:8000/v1
	root      string    // base without "/v1": where the admin endpoints live
	client    oa.Client // the official client, retries off (Engine retries across endpoints)
	inflight  int
	failUntil time.Time
	fails     int // consecutive failures
	gen       int // the weight generation it holds; sampled from only when it equals Engine.gen
}

// New checks the config and creates the engine; it does not contact the servers.
func New(cfg Config) (*Engine, error) {
	return newEngine(cfg)
}

// Dial connects to rollout servers with the default retries and timeouts: the remote constructor
// trainer.Run takes.
func Dial(endpoints []string, model, apiKey string) (*Engine, error) {
	return New(Config{Endpoints: endpoints, Model: model, APIKey: apiKey})
}

// newEngine is New.
func newEngine(cfg Config) (*Engine, error) {
	if len(cfg.Endpoints) == 0 {
		return nil, fmt.Errorf("remote engine: no endpoints: expected base URLs such as http://127.0.0.1:8000/v1")
	}
	if cfg.MaxConcurrency == 0 {
		cfg.MaxConcurrency = 8
	}
	if cfg.PromptsPerRequest == 0 {
		cfg.PromptsPerRequest = 8
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 10 * time.Minute
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 6
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = 100 * time.Millisecond
	}
	if cfg.Cooldown == 0 {
		cfg.Cooldown = 2 * time.Second
	}
	if cfg.SyncTimeout == 0 {
		cfg.SyncTimeout = 5 * time.Minute
	}
	switch {
	case cfg.MaxConcurrency < 0:
		return nil, fmt.Errorf("remote engine: max_concurrency %d: expected ≥ 1", cfg.MaxConcurrency)
	case cfg.PromptsPerRequest < 0:
		return nil, fmt.Errorf("remote engine: prompts_per_request %d: expected ≥ 1", cfg.PromptsPerRequest)
	case cfg.MaxAttempts < 0:
		return nil, fmt.Errorf("remote engine: max_attempts %d: expected ≥ 1", cfg.MaxAttempts)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second}}
	}
	e := &Engine{cfg: cfg, hc: hc, wake: make(chan struct{})}
	key := cfg.APIKey
	if key == "" {
		key = "none" // the client insists on a key; servers without auth ignore it
	}
	for _, u := range cfg.Endpoints {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return nil, fmt.Errorf("remote engine: endpoint %q: expected an http:// or https:// base URL such as http://127.0.0.1:8000/v1", u)
		}
		base := strings.TrimRight(u, "/")
		ep := &endpoint{base: base, root: strings.TrimSuffix(base, "/v1"),
			client: oa.NewClient(option.WithBaseURL(base+"/"), option.WithAPIKey(key), option.WithMaxRetries(0), option.WithHTTPClient(hc))}
		e.eps = append(e.eps, ep)
	}
	return e, nil
}

// Metrics returns the engine's counters and the last weight sync's timings:
// remote/requests, remote/retries, remote/timeouts, remote/failures, remote/sequences,
// remote/tokens, and timing_s/update_weights, perf/update_weights_gb_per_s after SyncWeights.
func (e *Engine) Metrics() map[string]float64 {
	m := map[string]float64{
		"remote/requests": float64(e.requests.Load()), "remote/retries": float64(e.retries.Load()),
		"remote/timeouts": float64(e.timeouts.Load()), "remote/failures": float64(e.failures.Load()),
		"remote/sequences": float64(e.sequences.Load()), "remote/tokens": float64(e.tokens.Load()),
		"remote/sync_failures": float64(e.syncFailures.Load()),
	}
	e.syncMu.Lock()
	for k, v := range e.lastSync {
		m[k] = v
	}
	e.syncMu.Unlock()
	return m
}

// acquire takes a request slot on the least-loaded healthy endpoint (round-robin among equals),
// waiting while every healthy endpoint is full. When no endpoint is healthy, any free one is used.
// An endpoint the last weight sync did not reach is never used: it serves other weights.
func (e *Engine) acquire(ctx context.Context) (*endpoint, error) {
	for {
		e.mu.Lock()
		now := time.Now()
		anyHealthy, anyInSync := false, false
		for _, ep := range e.eps {
			anyInSync = anyInSync || ep.gen == e.gen
			anyHealthy = anyHealthy || (!now.Before(ep.failUntil) && ep.gen == e.gen)
		}
		if !anyInSync {
			e.mu.Unlock()
			return nil, &permanentError{fmt.Errorf("no endpoint holds the weights of the last sync (it reached none of them)")}
		}
		var best *endpoint
		for k := range e.eps {
			ep := e.eps[(e.rr+k)%len(e.eps)]
			if ep.gen != e.gen || ep.inflight >= e.cfg.MaxConcurrency || (anyHealthy && now.Before(ep.failUntil)) {
				continue
			}
			if best == nil || ep.inflight < best.inflight {
				best = ep
			}
		}
		if best != nil {
			best.inflight++
			e.rr++
			e.mu.Unlock()
			return best, nil
		}
		wake := e.wake
		e.mu.Unlock()
		select {
		case <-wake:
		case <-time.After(50 * time.Millisecond): // a cooldown may have ended
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// release returns ep's slot and records the attempt's outcome.
func (e *Engine) release(ep *endpoint, failed bool) {
	e.mu.Lock()
	ep.inflight--
	if failed {
		ep.fails++
		cool := e.cfg.Cooldown << min(ep.fails-1, 5)
		ep.failUntil = time.Now().Add(min(cool, time.Minute))
	} else {
		ep.fails, ep.failUntil = 0, time.Time{}
	}
	close(e.wake)
	e.wake = make(chan struct{})
	e.mu.Unlock()
}
