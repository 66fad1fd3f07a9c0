package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// modelInfo is what GET /get_model_info returns (SGLang's fields; weights_version is Ascent's).
type modelInfo struct {
	ModelPath      string `json:"model_path"`
	WeightsVersion *int64 `json:"weights_version"`
}

// SyncWeights makes every server load the checkpoint in dir with SGLang's
// POST /update_weights_from_disk {"model_path": dir}, then reads GET /get_model_info and checks
// that each serves dir (and, where the server reports weights_version, a newer version than
// before). dir must be readable by the servers at the same path (a shared or local filesystem).
// It returns timing_s/update_weights (wall time of the whole sync), perf/update_weights_gb_per_s
// (the checkpoint's *.safetensors bytes / that time), update_weights/bytes and
// remote/endpoints_in_sync; Metrics reports them too. Each server's sync has a deadline
// (Config.SyncTimeout); a server that fails or misses it is counted in remote/sync_failures and
// sampled from no more until a later sync reaches it. The sync fails only when no server loaded dir.
func (e *Engine) SyncWeights(ctx context.Context, dir string) (map[string]float64, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("sync weights %s: %w", dir, err)
	}
	files, _ := filepath.Glob(filepath.Join(abs, "*.safetensors"))
	if len(files) == 0 {
		return nil, fmt.Errorf("sync weights: %s has no *.safetensors files", abs)
	}
	var size int64
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return nil, fmt.Errorf("sync weights: %w", err)
		}
		size += st.Size()
	}
	start := time.Now()
	errs := make([]error, len(e.eps))
	var wg sync.WaitGroup
	for i, ep := range e.eps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sctx, cancel := context.WithTimeout(ctx, e.cfg.SyncTimeout)
			defer cancel()
			errs[i] = e.syncOne(sctx, ep, abs)
			if errs[i] != nil && errors.Is(sctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
				errs[i] = fmt.Errorf("sync weights: %s gave no answer within %v: %w", ep.root, e.cfg.SyncTimeout, errs[i])
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The endpoints that loaded dir form the new generation; the others are left out of sampling
	// (they serve other weights) until a later sync reaches them.
	inSync := 0
	e.mu.Lock()
	e.gen++
	for i, ep := range e.eps {
		if errs[i] == nil {
			ep.gen = e.gen
			inSync++
		} else {
			e.syncFailures.Add(1)
		}
	}
	e.mu.Unlock()
	if inSync == 0 {
		return nil, fmt.Errorf("sync weights: no server loaded %s: %w", abs, errors.Join(errs...))
	}
	secs := time.Since(start).Seconds()
	m := map[string]float64{"timing_s/update_weights": secs, "update_weights/bytes": float64(size),
		"perf/update_weights_gb_per_s": float64(size) / 1e9 / secs, "remote/endpoints_in_sync": float64(inSync)}
	e.syncMu.Lock()
	e.lastSync = m
	e.syncMu.Unlock()
	return m, nil
}

// syncOne updates and verifies one server.
func (e *Engine) syncOne(ctx context.Context, ep *endpoint, dir string) error {
	before, err := e.modelInfo(ctx, ep)
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]string{"model_path": dir})
	var res struct {
		Success *bool  `json:"success"`
		Message string `json:"message"`
	}
	if err := e.call(ctx, ep, http.MethodPost, "/update_weights_from_disk", body, &res); err != nil {
		return err
	}
	if res.Success != nil && !*res.Success {
		return fmt.Errorf("sync weights: %s refused %s: %s", ep.root, dir, res.Message)
	}
	after, err := e.modelInfo(ctx, ep)
	if err != nil {
		return err
	}
	if filepath.Clean(after.ModelPath) != dir {
		return fmt.Errorf("sync weights: %s serves %q after the update, not %q", ep.root, after.ModelPath, dir)
	}
	if before.WeightsVersion != nil && after.WeightsVersion != nil && *after.WeightsVersion <= *before.WeightsVersion {
		return fmt.Errorf("sync weights: %s weights_version %d after the update, expected > %d", ep.root, *after.WeightsVersion, *before.WeightsVersion)
	}
	return nil
}

// modelInfo reads GET /get_model_info.
func (e *Engine) modelInfo(ctx context.Context, ep *endpoint) (modelInfo, error) {
	var mi modelInfo
	err := e.call(ctx, ep, http.MethodGet, "/get_model_info", nil, &mi)
	return mi, err
}

// call sends an admin request to ep's root URL and decodes the JSON answer into out.
func (e *Engine) call(ctx context.Context, ep *endpoint, method, path string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, ep.root+path, rd)
	if err != nil {
		return fmt.Errorf("sync weights: %s %s: %w", method, ep.root+path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if e.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+e.cfg.APIKey)
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		return fmt.Errorf("sync weights: %s %s: %w", method, ep.root+path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("sync weights: %s %s: read answer: %w", method, ep.root+path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("sync weights: %s %s: HTTP %d: %s", method, ep.root+path, resp.StatusCode, bytes.TrimSpace(data))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("sync weights: %s %s: answer is not the expected JSON: %w", method, ep.root+path, err)
	}
	return nil
}
