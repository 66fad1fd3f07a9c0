package env

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server serves a Catalog over the remote simulator protocol. Many envs live at once; a batch
// step runs its items concurrently on a bounded worker pool. `ascent sim serve` runs one on the
// Go simulator; a Python LIBERO server implements the same routes.
type Server struct {
	cat Catalog
	// MaxEnvs caps live envs; creating one more is refused with 503 (0: 4096).
	MaxEnvs int
	// Workers bounds the concurrent env steps of one batch (0: GOMAXPROCS).
	Workers int
	// MaxBodyBytes caps a request body (0: 64 MiB).
	MaxBodyBytes int64
	// IdleTimeout closes envs no call has touched for this long, swept at each create, so clients
	// that die without DELETE do not leak envs (0: 30 minutes; negative: never).
	IdleTimeout time.Duration

	mu     sync.Mutex
	envs   map[string]*served
	next   uint64
	prefix string
}

// served is one live env on the server.
type served struct {
	mu   sync.Mutex
	env  Env
	name string
	last *StepResult
	dead error        // set once the env failed; later steps report it
	used atomic.Int64 // unix nanoseconds of the last call that touched it
}

// NewServer serves cat.
func NewServer(cat Catalog) *Server {
	return &Server{cat: cat, envs: map[string]*served{}, prefix: fmt.Sprintf("%x", time.Now().UnixNano()&0xffffff)}
}

// Handler returns the protocol's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+PathEnvs, s.create)
	mux.HandleFunc("POST "+PathBatchStep, s.batchStep)
	mux.HandleFunc("GET "+PathEnvs+"/{id}/state", s.state)
	mux.HandleFunc("DELETE "+PathEnvs+"/{id}", s.delete)
	mux.HandleFunc("GET "+PathSuites, func(w http.ResponseWriter, r *http.Request) {
		suites, err := s.cat.Suites(r.Context())
		if err != nil {
			writeErr(w, http.StatusInternalServerError, err)
			return
		}
		writeJSON(w, http.StatusOK, suites)
	})
	mux.HandleFunc("GET "+PathHealth, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, HealthResponse{Status: "ok", Envs: s.Len()})
	})
	return mux
}

// Len counts live envs.
func (s *Server) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.envs)
}

// Close closes every live env.
func (s *Server) Close() error {
	s.mu.Lock()
	envs := s.envs
	s.envs = map[string]*served{}
	s.mu.Unlock()
	var errs []error
	for _, e := range envs {
		errs = append(errs, e.env.Close())
	}
	return errors.Join(errs...)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, ErrorResponse{Error: err.Error()})
}

func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	limit := s.MaxBodyBytes
	if limit == 0 {
		limit = 64 << 20
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeErr(w, http.StatusBadRequest, fmt.Errorf("%s %s: body: %w", r.Method, r.URL.Path, err))
		return false
	}
	return true
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var req CreateRequest
	if !s.decode(w, r, &req) {
		return
	}
	s.sweep(time.Now())
	max := s.MaxEnvs
	if max == 0 {
		max = 4096
	}
	if s.Len() >= max {
		writeErr(w, http.StatusServiceUnavailable, fmt.Errorf("create %s: %d envs live (max_envs %d); close some first", req.Episode, max, max))
		return
	}
	e, err := s.cat.NewEnv(r.Context())
	if err != nil {
		writeErr(w, http.StatusInternalServerError, fmt.Errorf("create %s: %w", req.Episode, err))
		return
	}
	obs, err := e.Reset(r.Context(), req.Episode)
	if err != nil {
		e.Close()
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	s.mu.Lock()
	s.next++
	id := fmt.Sprintf("%s-%d", s.prefix, s.next)
	se := &served{env: e, name: id + "(" + req.Episode.String() + ")"}
	se.used.Store(time.Now().UnixNano())
	s.envs[id] = se
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, CreateResponse{EnvID: id, Instruction: obs.Instruction, Obs: *toWireObs(obs)})
}

func (s *Server) lookup(id string) *served {
	s.mu.Lock()
	e := s.envs[id]
	s.mu.Unlock()
	if e != nil {
		e.used.Store(time.Now().UnixNano())
	}
	return e
}

// sweep closes envs idle for longer than IdleTimeout at time now.
func (s *Server) sweep(now time.Time) {
	ttl := s.IdleTimeout
	if ttl == 0 {
		ttl = 30 * time.Minute
	}
	if ttl < 0 {
		return
	}
	var idle []*served
	s.mu.Lock()
	for id, e := range s.envs {
		if now.Sub(time.Unix(0, e.used.Load())) > ttl {
			idle = append(idle, e)
			delete(s.envs, id)
		}
	}
	s.mu.Unlock()
	for _, e := range idle {
		e.mu.Lock() // wait for a step in flight
		e.env.Close()
		e.mu.Unlock()
	}
}

func (s *Server) batchStep(w http.ResponseWriter, r *http.Request) {
	var req BatchStepRequest
	if !s.decode(w, r, &req) {
		return
	}
	out := BatchStepResponse{Items: make([]StepItemResult, len(req.Items))}
	seen := map[string]bool{}
	workers := s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, it := range req.Items {
		out.Items[i].EnvID = it.EnvID
		if seen[it.EnvID] {
			out.Items[i].Error = fmt.Sprintf("env %s: appears twice in one batch", it.EnvID)
			continue
		}
		seen[it.EnvID] = true
		e := s.lookup(it.EnvID)
		if e == nil {
			out.Items[i].Error = fmt.Sprintf("env %s: unknown env_id (closed, or the server restarted)", it.EnvID)
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, e *served, actions [][]float32) {
			defer func() { <-sem; wg.Done() }()
			out.Items[i] = s.stepOne(r.Context(), e, actions, req.RecordFrames)
			out.Items[i].EnvID = req.Items[i].EnvID
		}(i, e, it.Actions)
	}
	wg.Wait()
	writeJSON(w, http.StatusOK, out)
}

// stepOne steps one served env, turning a panic into that env's error (the env is then dead).
func (s *Server) stepOne(ctx context.Context, e *served, actions [][]float32, frames bool) (item StepItemResult) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.dead != nil {
		return StepItemResult{Error: e.dead.Error()}
	}
	defer func() {
		if p := recover(); p != nil {
			step := 0
			if e.last != nil {
				step = e.last.FinishStep
			}
			e.dead = fmt.Errorf("env %s: step %d: simulator crashed: %v", e.name, step, p)
			item = StepItemResult{Error: e.dead.Error()}
		}
	}()
	res, err := e.env.Step(ctx, actions, StepOptions{RecordFrames: frames})
	if err != nil {
		return StepItemResult{Error: err.Error()}
	}
	e.last = res
	item = StepItemResult{Obs: toWireObs(res.Obs), Done: res.Done, Success: res.Success, Truncated: res.Truncated,
		FinishStep: res.FinishStep, Executed: res.Executed, Pushcut: res.Pushcut}
	for _, f := range res.Frames {
		item.Frames = append(item.Frames, EncodeImage(f))
	}
	return item
}

func (s *Server) state(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	e := s.lookup(id)
	if e == nil {
		writeErr(w, http.StatusNotFound, fmt.Errorf("env %s: unknown env_id", id))
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	st := StateResponse{EnvID: id, Active: e.dead == nil}
	if e.last != nil {
		st.FinishStep, st.Success, st.Active = e.last.FinishStep, e.last.Success, e.dead == nil && !e.last.Done
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	e := s.envs[id]
	delete(s.envs, id)
	s.mu.Unlock()
	if e == nil {
		writeErr(w, http.StatusNotFound, fmt.Errorf("env %s: unknown env_id", id))
		return
	}
	if err := e.env.Close(); err != nil {
		writeErr(w, http.StatusInternalServerError, fmt.Errorf("env %s: close: %w", id, err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"deleted": id})
}

// LoopbackOnly reports an error when addr would listen beyond the loopback interface.
func LoopbackOnly(addr string) error {
	host := addr
	if i := strings.LastIndex(addr, ":"); i >= 0 {
		host = addr[:i]
	}
	host = strings.Trim(host, "[]")
	switch host {
	case "127.0.0.1", "localhost", "::1":
		return nil
	}
	if strings.HasPrefix(host, "127.") {
		return nil
	}
	return fmt.Errorf("address %q is not loopback; pass --public to listen beyond this machine", addr)
}
