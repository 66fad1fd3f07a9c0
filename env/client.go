package env

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Client talks the remote simulator protocol to one server and implements Catalog; its envs
// implement Env, and StepAll sends one batch request per decision step for all of them.
type Client struct {
	// BaseURL is the server, e.g. "http://127.0.0.1:8765".
	BaseURL string
	// HTTP is the transport; its Timeout bounds every call (NewClient sets 60 s).
	HTTP *http.Client
	// CreateRetries is how many times env construction is retried after a transport error or a
	// 5xx answer (bad input, 4xx, is never retried). Steps are not retried: they are not idempotent.
	CreateRetries int
	// RetryBackoff is the wait before the first retry; it doubles each time.
	RetryBackoff time.Duration
	// ChunkLen and ActionDim are the chunk shape checked before sending (0: the episode's
	// config.chunk_len, else the suite's from GET /v1/suites, fetched once).
	ChunkLen, ActionDim int

	mu     sync.Mutex
	suites map[string]SuiteInfo
}

// suiteInfo returns the server's description of suite (cached after the first fetch).
func (c *Client) suiteInfo(ctx context.Context, suite string) (SuiteInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.suites == nil {
		list, err := c.Suites(ctx)
		if err != nil {
			return SuiteInfo{}, false
		}
		c.suites = map[string]SuiteInfo{}
		for _, s := range list {
			c.suites[s.Suite] = s
		}
	}
	s, ok := c.suites[suite]
	return s, ok
}

// NewClient returns a client for baseURL with a 60 s timeout and 3 construction retries.
func NewClient(baseURL string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: &http.Client{Timeout: 60 * time.Second},
		CreateRetries: 3, RetryBackoff: 200 * time.Millisecond}
}

// statusError is a non-2xx answer.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.code, e.msg) }

// call sends one request and decodes a 2xx JSON answer into out.
func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		var e ErrorResponse
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(data))
		}
		return &statusError{code: resp.StatusCode, msg: e.Error}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}

// Health checks GET /healthz.
func (c *Client) Health(ctx context.Context) (HealthResponse, error) {
	var h HealthResponse
	if err := c.call(ctx, http.MethodGet, PathHealth, nil, &h); err != nil {
		return h, fmt.Errorf("remote %s: health: %w", c.BaseURL, err)
	}
	return h, nil
}

// Suites lists the server's suites.
func (c *Client) Suites(ctx context.Context) ([]SuiteInfo, error) {
	var out []SuiteInfo
	if err := c.call(ctx, http.MethodGet, PathSuites, nil, &out); err != nil {
		return nil, fmt.Errorf("remote %s: suites: %w", c.BaseURL, err)
	}
	return out, nil
}

// NewEnv returns a remote env handle; Reset creates it on the server.
func (c *Client) NewEnv(context.Context) (Env, error) { return &RemoteEnv{c: c}, nil }

// RemoteEnv is one env on a remote server.
type RemoteEnv struct {
	c     *Client
	id    string
	ep    Episode
	steps int
	last  *StepResult
	dead  error // set when the env failed mid-episode; Step repeats it until Reset
	k, d  int   // chunk shape of the episode's suite
}

// Shape is the chunk shape (K rows, D dims) the env accepts.
func (e *RemoteEnv) Shape() (k, d int) { return e.k, e.d }

// Name identifies the env in errors: "remote:URL/env_id(suite/task/trial)".
func (e *RemoteEnv) Name() string { return fmt.Sprintf("remote:%s/%s(%s)", e.c.BaseURL, e.id, e.ep) }

// ID is the server's env id ("" before Reset).
func (e *RemoteEnv) ID() string { return e.id }

// Reset deletes the previous remote env, if any, and creates one for ep, retrying construction.
func (e *RemoteEnv) Reset(ctx context.Context, ep Episode) (*Observation, error) {
	if e.id != "" {
		e.Close()
	}
	*e = RemoteEnv{c: e.c, ep: ep}
	var resp CreateResponse
	backoff := e.c.RetryBackoff
	var err error
	for attempt := 0; ; attempt++ {
		err = e.c.call(ctx, http.MethodPost, PathEnvs, CreateRequest{Episode: ep}, &resp)
		var se *statusError
		if err == nil || (errors.As(err, &se) && se.code/100 == 4) || attempt >= e.c.CreateRetries || ctx.Err() != nil {
			if err != nil && attempt > 0 {
				err = fmt.Errorf("%w (after %d attempts)", err, attempt+1)
			}
			break
		}
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
		}
		backoff *= 2
	}
	if err != nil {
		return nil, fmt.Errorf("remote %s: create %s: %w", e.c.BaseURL, ep, err)
	}
	obs, err := fromWireObs(&resp.Obs)
	if err != nil {
		return nil, fmt.Errorf("remote %s: create %s: %w", e.c.BaseURL, ep, err)
	}
	if obs.Instruction == "" {
		obs.Instruction = resp.Instruction
	}
	e.id = resp.EnvID
	var info SuiteInfo
	if e.c.ChunkLen == 0 || e.c.ActionDim == 0 {
		info, _ = e.c.suiteInfo(ctx, ep.Suite)
	}
	e.k = cmp.Or(ep.Config.ChunkLen, e.c.ChunkLen, info.ChunkLen, SimChunkLen)
	e.d = cmp.Or(e.c.ActionDim, info.ActionDim, SimActionDim)
	return obs, nil
}

// Step sends one chunk (a batch of one).
func (e *RemoteEnv) Step(ctx context.Context, chunk [][]float32, opt StepOptions) (*StepResult, error) {
	r, errs := e.stepBatch(ctx, []Env{e}, [][][]float32{chunk}, opt)
	return r[0], errs[0]
}

// Close deletes the env on the server.
func (e *RemoteEnv) Close() error {
	if e.id == "" {
		return nil
	}
	id := e.id
	e.id = ""
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.c.call(ctx, http.MethodDelete, PathEnvs+"/"+id, nil, nil); err != nil {
		return fmt.Errorf("remote %s: close env %s: %w", e.c.BaseURL, id, err)
	}
	return nil
}

func (e *RemoteEnv) batchKey() any { return e.c }

// stepBatch steps envs (all *RemoteEnv of e's client) in one request. Envs that are done repeat
// their last result locally; a failed env is marked dead and reports its error until Reset.
func (e *RemoteEnv) stepBatch(ctx context.Context, envs []Env, chunks [][][]float32, opt StepOptions) ([]*StepResult, []error) {
	c := e.c
	res := make([]*StepResult, len(envs))
	errs := make([]error, len(envs))
	var req BatchStepRequest
	req.RecordFrames = opt.RecordFrames
	var sent []int
	for i, x := range envs {
		re := x.(*RemoteEnv)
		switch {
		case re.dead != nil:
			errs[i] = re.dead
		case re.id == "":
			errs[i] = fmt.Errorf("env %s: Step before Reset", re.Name())
		case re.last != nil && re.last.Done:
			r := *re.last
			r.Executed, r.Frames = 0, nil
			res[i] = &r
		default:
			if err := CheckChunk(re.Name(), re.steps, chunks[i], re.k, re.d); err != nil {
				errs[i] = err
				continue
			}
			req.Items = append(req.Items, StepItem{EnvID: re.id, Actions: chunks[i]})
			sent = append(sent, i)
		}
	}
	if len(sent) == 0 {
		return res, errs
	}
	var resp BatchStepResponse
	err := c.call(ctx, http.MethodPost, PathBatchStep, req, &resp)
	if err == nil && len(resp.Items) != len(sent) {
		err = fmt.Errorf("batch step: %d results for %d items", len(resp.Items), len(sent))
	}
	for j, i := range sent {
		re := envs[i].(*RemoteEnv)
		if err != nil {
			re.dead = fmt.Errorf("env %s: step %d: %w", re.Name(), re.steps, err)
			errs[i] = re.dead
			continue
		}
		it := resp.Items[j]
		if it.Error != "" {
			re.dead = fmt.Errorf("env %s: step %d: server: %s", re.Name(), re.steps, it.Error)
			errs[i] = re.dead
			continue
		}
		r, derr := fromWireItem(&it)
		if derr != nil {
			re.dead = fmt.Errorf("env %s: step %d: %w", re.Name(), re.steps, derr)
			errs[i] = re.dead
			continue
		}
		re.steps, re.last = r.FinishStep, r
		res[i] = r
	}
	return res, errs
}

func fromWireItem(it *StepItemResult) (*StepResult, error) {
	if it.Obs == nil {
		return nil, fmt.Errorf("answer without obs")
	}
	obs, err := fromWireObs(it.Obs)
	if err != nil {
		return nil, err
	}
	r := &StepResult{Obs: obs, Executed: it.Executed, FinishStep: it.FinishStep, Done: it.Done,
		Success: it.Success, Truncated: it.Truncated, Pushcut: it.Pushcut}
	for n, f := range it.Frames {
		img, err := DecodeImage(f)
		if err != nil {
			return nil, fmt.Errorf("frame %d: %w", n, err)
		}
		r.Frames = append(r.Frames, img)
	}
	return r, nil
}
