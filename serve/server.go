// Package serve is Ascent's OpenAI-compatible HTTP server, used by `ascent serve`:
//
//	ascent serve --model builtin:tiny                     # a random tiny model, byte tokenizer
//	ascent serve --model runs/r1/ckpt --addr 127.0.0.1:8000 --api-key K
//
// It serves POST /v1/completions, POST /v1/chat/completions (SSE streaming included), GET
// /v1/models, GET /health, and SGLang's POST /update_weights_from_disk and GET /get_model_info, so
// that an RL trainer can push new weights without a restart and verify which version serves.
// plus vLLM's POST /tokenize and /detokenize. Concurrent requests share decode steps: a request
// that arrives while others decode joins at the next step (continuous batching; see
// scheduler.go), and tokens stream as they are sampled. See docs/serving.md.
package serve

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ascent-rl/ascent/model/tokenizer"
)

// Config configures a Server. Zero values mean "use the default" (see Defaults).
type Config struct {
	// Model is a checkpoint directory (Ascent's or a Hugging Face Qwen2/Llama one) or BuiltinTiny.
	Model string
	// Tokenizer is "char", "byte" or a tokenizer.json path; empty: see LoadTokenizer.
	Tokenizer string
	// ServedModelName is the model id clients send and /v1/models lists (default: Model).
	ServedModelName string
	// ChatTemplate renders /v1/chat/completions messages: "chatml" (default) or "qwen3".
	ChatTemplate string
	// APIKey, when set, is required as "Authorization: Bearer <key>" on every endpoint but /health.
	APIKey string
	// MaxBodyBytes limits request bodies (default 1 MiB); larger ones get 413.
	MaxBodyBytes int64
	// MaxTokens is the largest max_tokens a request may ask for (default: the model's context).
	MaxTokens int
	// DefaultMaxTokens applies when a completions request sets no max_tokens (default 16, as
	// OpenAI's); chat requests without one may use up to MaxTokens.
	DefaultMaxTokens int
	// MaxN is the largest n (default 64).
	MaxN int
	// MaxQueue is how many requests may wait for a decoder row; more get 503 with Retry-After
	// (default 256).
	MaxQueue int
	// Batching is "continuous" (default: requests join the running batch at the next decode step)
	// or "request" (a batch is formed when the decoder is idle and runs until its longest
	// sequence ends: the request-level batching of earlier versions, for comparison).
	Batching string
	// BatchWindow is how long request batching waits for more requests after the first one of a
	// batch (default 5 ms; unused by continuous batching).
	BatchWindow time.Duration
	// MaxBatchRows bounds the sequences decoded together (default 64; fewer when KVCacheBytes
	// cannot hold that many rows of MaxModelLen positions).
	MaxBatchRows int
	// MaxModelLen is vLLM's max_model_len: prompt + max_tokens may not exceed it (default: the
	// model's context, max_position_embeddings). It sizes the KV cache rows.
	MaxModelLen int
	// KVCacheBytes bounds the decoder's key/value cache (default 4 GiB): the rows decoded
	// together are min(MaxBatchRows, KVCacheBytes / bytes per row of MaxModelLen positions), ≥ 1.
	KVCacheBytes int64
	// MaxLogprobs is the largest logprobs / top_logprobs / prompt_logprobs a request may ask for
	// (default 20, vLLM's max_logprobs; OpenAI allows 5 on completions and 20 on chat).
	MaxLogprobs int
	// Seed initialises BuiltinTiny's weights and the batch seeds of unseeded requests.
	Seed uint64
}

// Defaults returns c with unset fields filled in.
func (c Config) Defaults() Config {
	if c.ServedModelName == "" {
		c.ServedModelName = c.Model
	}
	if c.ChatTemplate == "" {
		c.ChatTemplate = "chatml"
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.DefaultMaxTokens == 0 {
		c.DefaultMaxTokens = 16
	}
	if c.MaxN == 0 {
		c.MaxN = 64
	}
	if c.MaxQueue == 0 {
		c.MaxQueue = 256
	}
	if c.BatchWindow == 0 {
		c.BatchWindow = 5 * time.Millisecond
	}
	if c.MaxBatchRows == 0 {
		c.MaxBatchRows = 64
	}
	if c.Batching == "" {
		c.Batching = BatchingContinuous
	}
	if c.KVCacheBytes == 0 {
		c.KVCacheBytes = 4 << 30
	}
	if c.MaxLogprobs == 0 {
		c.MaxLogprobs = 20
	}
	return c
}

// Server serves one model over the OpenAI protocol. Create it with New, mount Handler or call
// Serve, and Close it.
type Server struct {
	cfg     Config
	tok     tokenizer.Tokenizer
	stopIDs []int // the tokenizer's end-of-generation ids
	w       atomic.Pointer[weights]
	updMu   sync.Mutex // serialises weight updates
	b       *scheduler
	rows    int // decoder rows
	created int64
	nextID  atomic.Int64
	// arriving counts generation requests between their first byte and their hand-over to the
	// scheduler; request batching stops waiting for more when it is 0.
	arriving atomic.Int64
	stats    Stats
	seedMu   sync.Mutex
	seeds    *rand.Rand // seeds of unseeded requests
}

// seedRNG returns a fresh random seed for an unseeded request.
func (s *Server) seedRNG() uint64 {
	s.seedMu.Lock()
	defer s.seedMu.Unlock()
	return s.seeds.Uint64()
}

// Stats are the server's counters, readable with Server.Stats and GET /metrics.
type Stats struct {
	Requests   atomic.Int64 // generation requests accepted
	Rejected   atomic.Int64 // requests refused because the queue was full
	Batches    atomic.Int64 // decode steps (Decoder.Step calls advancing the live rows)
	Sequences  atomic.Int64 // sequences finished
	Tokens     atomic.Int64 // completion tokens sampled
	BatchedReq atomic.Int64 // decode steps that advanced rows of more than one request
	Cancelled  atomic.Int64 // rows freed because their client went away (or their request failed)
}

// Batching modes (Config.Batching).
const (
	BatchingContinuous = "continuous" // requests join the running batch at the next decode step
	BatchingRequest    = "request"    // a batch forms when the decoder is idle and runs to its end
)

// New loads the model and tokenizer, builds the decoder and starts the scheduler.
func New(cfg Config) (*Server, error) {
	cfg = cfg.Defaults()
	if cfg.Model == "" {
		return nil, fmt.Errorf("serve: no model: pass a checkpoint directory or %q", BuiltinTiny)
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"max_body_bytes", cfg.MaxBodyBytes}, {"max_tokens", int64(cfg.MaxTokens)}, {"default_max_tokens", int64(cfg.DefaultMaxTokens)},
		{"max_n", int64(cfg.MaxN)}, {"max_queue", int64(cfg.MaxQueue)}, {"batch_window", int64(cfg.BatchWindow)}, {"max_batch_rows", int64(cfg.MaxBatchRows)},
		{"max_model_len", int64(cfg.MaxModelLen)}, {"kv_cache_bytes", cfg.KVCacheBytes}, {"max_logprobs", int64(cfg.MaxLogprobs)}} {
		if f.v < 0 {
			return nil, fmt.Errorf("serve: %s = %d: expected ≥ 0 (0 means the default)", f.name, f.v)
		}
	}
	if !contains(tokenizer.ChatTemplates(), cfg.ChatTemplate) {
		return nil, fmt.Errorf("serve: chat template %q; known: %s", cfg.ChatTemplate, strings.Join(tokenizer.ChatTemplates(), ", "))
	}
	if cfg.Batching != BatchingContinuous && cfg.Batching != BatchingRequest {
		return nil, fmt.Errorf("serve: batching %q; known: %s, %s", cfg.Batching, BatchingContinuous, BatchingRequest)
	}
	tok, err := LoadTokenizer(cfg.Model, cfg.Tokenizer)
	if err != nil {
		return nil, err
	}
	p, err := loadParams(cfg.Model, tok, cfg.Seed)
	if err != nil {
		return nil, err
	}
	ctxLen := p.Config.MaxPositionEmbeddings
	if cfg.MaxModelLen == 0 || cfg.MaxModelLen > ctxLen {
		if cfg.MaxModelLen > ctxLen {
			return nil, fmt.Errorf("serve: max_model_len %d is over model %s's context of %d tokens (max_position_embeddings)", cfg.MaxModelLen, cfg.Model, ctxLen)
		}
		cfg.MaxModelLen = ctxLen
	}
	if cfg.MaxTokens == 0 || cfg.MaxTokens > cfg.MaxModelLen {
		cfg.MaxTokens = cfg.MaxModelLen
	}
	s := &Server{cfg: cfg, tok: tok, stopIDs: tokenizer.StopIDs(tok), created: time.Now().Unix(),
		seeds: rand.New(rand.NewPCG(cfg.Seed, uint64(time.Now().UnixNano())))}
	s.rows = kvRows(p.Config, cfg.MaxModelLen, cfg.MaxBatchRows, cfg.KVCacheBytes)
	w := s.newWeights(cfg.Model, p)
	w.version = 1
	s.w.Store(w)
	s.b = newScheduler(s, s.rows, p.Config.VocabSize)
	return s, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// WeightsVersion returns the version of the weights now serving (1 at start, +1 per update).
func (s *Server) WeightsVersion() int64 { return s.w.Load().version }

// Handler returns the HTTP handler with every endpoint.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/completions", s.post(s.arrival(s.handleCompletions)))
	mux.HandleFunc("/v1/chat/completions", s.post(s.arrival(s.handleChat)))
	mux.HandleFunc("/v1/models", s.get(s.handleModels))
	mux.HandleFunc("/get_model_info", s.get(s.handleModelInfo))
	mux.HandleFunc("/update_weights_from_disk", s.post(s.handleUpdateWeights))
	mux.HandleFunc("/metrics", s.get(s.handleMetrics))
	mux.HandleFunc("/tokenize", s.post(s.handleTokenize))
	mux.HandleFunc("/detokenize", s.post(s.handleDetokenize))
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		cur := s.w.Load()
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "model_path": cur.path, "weights_version": cur.version})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "invalid_request_error", "", "not_found", fmt.Sprintf("no endpoint %s %s", r.Method, r.URL.Path))
	})
	return s.auth(mux)
}

// auth checks the bearer token on everything but /health.
func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.APIKey != "" && r.URL.Path != "/health" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.APIKey)) != 1 {
				writeError(w, http.StatusUnauthorized, "invalid_request_error", "", "invalid_api_key", "missing or incorrect API key: send Authorization: Bearer <key>")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// post restricts a handler to POST and limits the body size.
func (s *Server) post(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			writeError(w, http.StatusMethodNotAllowed, "invalid_request_error", "", "method_not_allowed", fmt.Sprintf("%s needs POST, got %s", r.URL.Path, r.Method))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		h(w, r)
	}
}

// arrival counts the request in Server.arriving until generate hands it over (or it fails first).
func (s *Server) arrival(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.arriving.Add(1)
		a := &arrived{s: s}
		h(w, r.WithContext(context.WithValue(r.Context(), arrivedKey{}, a)))
		a.done()
	}
}

// arrived decrements Server.arriving once.
type arrived struct {
	s    *Server
	once sync.Once
}

func (a *arrived) done() { a.once.Do(func() { a.s.arriving.Add(-1) }) }

// arrivedKey is the context key of a request's *arrived.
type arrivedKey struct{}

// get restricts a handler to GET.
func (s *Server) get(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			writeError(w, http.StatusMethodNotAllowed, "invalid_request_error", "", "method_not_allowed", fmt.Sprintf("%s needs GET, got %s", r.URL.Path, r.Method))
			return
		}
		h(w, r)
	}
}

// Serve serves on l until ctx is cancelled, then shuts down gracefully: it stops accepting, lets
// requests in flight finish (up to 30 s) and stops the scheduler.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(l) }()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := hs.Shutdown(sctx)
	s.Close()
	if err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}

// Close stops the scheduler; requests still queued or decoding fail with 503.
func (s *Server) Close() { s.b.close() }

// writeJSON writes v as the JSON body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// handleModels is GET /v1/models.
func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) {
	cur := s.w.Load()
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []any{map[string]any{
		"id": s.cfg.ServedModelName, "object": "model", "created": s.created, "owned_by": "ascent",
		"root": cur.path, "max_model_len": s.cfg.MaxModelLen, "weights_version": cur.version,
	}}})
}

// handleMetrics is GET /metrics: the server's counters as JSON.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	st := &s.stats
	writeJSON(w, http.StatusOK, map[string]any{
		"requests": st.Requests.Load(), "rejected": st.Rejected.Load(), "batches": st.Batches.Load(),
		"sequences": st.Sequences.Load(), "completion_tokens": st.Tokens.Load(),
		"batched_steps": st.BatchedReq.Load(), "cancelled_rows": st.Cancelled.Load(), "queue_depth": s.b.depth(),
		"decoder_rows": s.rows, "batching": s.cfg.Batching, "weights_version": s.WeightsVersion(),
	})
}

// Stats returns the server's counters.
func (s *Server) Stats() *Stats { return &s.stats }
