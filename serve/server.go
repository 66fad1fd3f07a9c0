// Package serve is Ascent's OpenAI-compatible HTTP server, used by `ascent serve`:
//
//	ascent serve --model builtin:tiny                     # a random tiny model, byte tokenizer
//	ascent serve --model runs/r1/ckpt --addr 127.0.0.1:8000 --api-key K
//
// It serves POST /v1/completions, POST /v1/chat/completions (SSE streaming included), GET
// /v1/models, GET /health, and SGLang's POST /update_weights_from_disk and GET /get_model_info, so
// that an RL trainer can push new weights without a restart and verify which version serves.
// Concurrent requests are batched into one engine.Sample call per group of compatible sampling
// parameters (request-level batching; see batcher.go). See docs/serving.md.
package serve

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
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
	// MaxQueue is how many requests may wait for the batcher; more get 503 (default 256).
	MaxQueue int
	// BatchWindow is how long the batcher waits for more requests after the first one of a batch
	// (default 5 ms).
	BatchWindow time.Duration
	// MaxBatchRows bounds prompts×n sampled in one engine call (default 64).
	MaxBatchRows int
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
	b       *batcher
	created int64
	nextID  atomic.Int64
	// arriving counts generation requests between their first byte and their hand-over to the
	// batcher; the batcher stops waiting for more when it is 0.
	arriving atomic.Int64
	stats    Stats
}

// Stats are the server's counters, readable with Server.Stats and GET /metrics.
type Stats struct {
	Requests   atomic.Int64 // generation requests accepted
	Rejected   atomic.Int64 // requests refused because the queue was full
	Batches    atomic.Int64 // engine.Sample calls
	Sequences  atomic.Int64 // sequences sampled
	Tokens     atomic.Int64 // completion tokens sampled
	BatchedReq atomic.Int64 // requests that shared an engine call with another request
}

// New loads the model and tokenizer and starts the batcher.
func New(cfg Config) (*Server, error) {
	cfg = cfg.Defaults()
	if cfg.Model == "" {
		return nil, fmt.Errorf("serve: no model: pass a checkpoint directory or %q", BuiltinTiny)
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"max_body_bytes", cfg.MaxBodyBytes}, {"max_tokens", int64(cfg.MaxTokens)}, {"default_max_tokens", int64(cfg.DefaultMaxTokens)},
		{"max_n", int64(cfg.MaxN)}, {"max_queue", int64(cfg.MaxQueue)}, {"batch_window", int64(cfg.BatchWindow)}, {"max_batch_rows", int64(cfg.MaxBatchRows)}} {
		if f.v < 0 {
			return nil, fmt.Errorf("serve: %s = %d: expected ≥ 0 (0 means the default)", f.name, f.v)
		}
	}
	if !contains(tokenizer.ChatTemplates(), cfg.ChatTemplate) {
		return nil, fmt.Errorf("serve: chat template %q; known: %s", cfg.ChatTemplate, strings.Join(tokenizer.ChatTemplates(), ", "))
	}
	tok, err := LoadTokenizer(cfg.Model, cfg.Tokenizer)
	if err != nil {
		return nil, err
	}
	w, err := loadWeights(cfg.Model, tok, cfg.Seed)
	if err != nil {
		return nil, err
	}
	w.version = 1
	if cfg.MaxTokens == 0 {
		cfg.MaxTokens = w.config.MaxPositionEmbeddings
	}
	s := &Server{cfg: cfg, tok: tok, stopIDs: tokenizer.StopIDs(tok), created: time.Now().Unix()}
	s.w.Store(w)
	s.b = newBatcher(s)
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
// requests in flight finish (up to 30 s) and stops the batcher.
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

// Close stops the batcher; requests still queued fail with 503.
func (s *Server) Close() { s.b.close() }

// apiError is the OpenAI error object.
type apiError struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// writeError writes {"error": {...}} with the given status.
func writeError(w http.ResponseWriter, status int, typ, param, code, msg string) {
	e := apiError{Message: msg, Type: typ}
	if param != "" {
		e.Param = &param
	}
	if code != "" {
		e.Code = &code
	}
	writeJSON(w, status, map[string]any{"error": e})
}

// badRequest is a client error with the parameter it concerns.
type badRequest struct {
	param string
	msg   string
}

func (e *badRequest) Error() string { return e.msg }

// errorf builds a badRequest for param.
func errorf(param, format string, args ...any) error {
	return &badRequest{param: param, msg: fmt.Sprintf(format, args...)}
}

// writeErr maps an error to its OpenAI error response.
func writeErr(w http.ResponseWriter, err error) {
	var br *badRequest
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, "invalid_request_error", "", "request_too_large", fmt.Sprintf("request body over %d bytes", mbe.Limit))
	case errors.As(err, &br):
		writeError(w, http.StatusBadRequest, "invalid_request_error", br.param, "", br.msg)
	case errors.Is(err, errOverloaded):
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, "server_error", "", "server_overloaded", err.Error())
	case errors.Is(err, errClosed):
		writeError(w, http.StatusServiceUnavailable, "server_error", "", "shutting_down", err.Error())
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		writeError(w, 499, "invalid_request_error", "", "cancelled", "request cancelled: "+err.Error())
	default:
		writeError(w, http.StatusInternalServerError, "server_error", "", "", err.Error())
	}
}

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
		"root": cur.path, "max_model_len": cur.config.MaxPositionEmbeddings, "weights_version": cur.version,
	}}})
}

// handleMetrics is GET /metrics: the server's counters as JSON.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	st := &s.stats
	writeJSON(w, http.StatusOK, map[string]any{
		"requests": st.Requests.Load(), "rejected": st.Rejected.Load(), "batches": st.Batches.Load(),
		"sequences": st.Sequences.Load(), "completion_tokens": st.Tokens.Load(),
		"batched_requests": st.BatchedReq.Load(), "queue_depth": s.b.depth(), "weights_version": s.WeightsVersion(),
	})
}

// Stats returns the server's counters.
func (s *Server) Stats() *Stats { return &s.stats }
