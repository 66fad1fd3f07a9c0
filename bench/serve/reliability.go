package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/serve"
)

// runReliability runs the three reliability checks of issue #24 and prints their figures. Each is
// bounded in requests and time. It fails when a check finds a request answered with anything but
// a completion or the documented overload answer, a dropped connection, a row not freed, or a
// response generated with mixed weights.
func runReliability(modelPath string) error {
	for _, n := range []int{400, 1000} {
		if err := overload(modelPath, n); err != nil {
			return err
		}
	}
	if err := disconnect(modelPath); err != nil {
		return err
	}
	return updatesUnderLoad(32, 3*time.Second)
}

// memPeak samples the heap until stop is closed and returns the peak HeapInuse in MiB.
func memPeak(stop chan struct{}) func() float64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() float64 { <-done; return float64(peak.Load()) / (1 << 20) }
}

// overload sends n concurrent streamed requests at once to a server with the default queue (256)
// and rows (64): each must get a completion or a 503 with Retry-After.
func overload(modelPath string, n int) error {
	srv, err := start(serve.Config{Model: modelPath, Tokenizer: "byte"})
	if err != nil {
		return err
	}
	defer srv.stop()
	runtime.GC()
	stop := make(chan struct{})
	peak := memPeak(stop)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}, Timeout: 60 * time.Second}
	res := make([]streamed, n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			res[i] = stream(context.Background(), hc, srv.url, map[string]any{"prompt": fmt.Sprintf("load %d", i), "max_tokens": 32, "ignore_eos": true})
		}()
	}
	t0 := time.Now()
	close(gate)
	wg.Wait()
	wall := time.Since(t0)
	close(stop)
	var ok, busy, other, dropped int
	var lat, busyLat []time.Duration
	for _, r := range res {
		switch {
		case r.err != nil:
			dropped++
		case r.status == 200:
			ok++
			lat = append(lat, r.total)
		case (r.status == 503 || r.status == 429) && r.header.Get("Retry-After") != "":
			busy++
			busyLat = append(busyLat, r.total)
		default:
			other++
		}
	}
	slices.Sort(lat)
	slices.Sort(busyLat)
	fmt.Printf("overload: %d concurrent → %d completions (p50 %.0f ms, p99 %.0f ms), %d × 503 + Retry-After (p50 %.0f ms, p99 %.0f ms), %d other answers, %d dropped connections; all done in %.2f s; peak heap %.0f MiB\n",
		n, ok, quantile(lat, 0.5), quantile(lat, 0.99), busy, quantile(busyLat, 0.5), quantile(busyLat, 0.99), other, dropped, wall.Seconds(), peak())
	if other > 0 || dropped > 0 || ok+busy != n {
		return fmt.Errorf("overload at %d: %d other answers, %d dropped connections", n, other, dropped)
	}
	return nil
}

// disconnect streams a long completion on a one-row server, drops the connection after the first
// chunk, and measures how soon the row is free and how many tokens were sampled for nobody.
func disconnect(modelPath string) error {
	srv, err := start(serve.Config{Model: modelPath, Tokenizer: "byte", MaxBatchRows: 1})
	if err != nil {
		return err
	}
	defer srv.stop()
	ctx, cancel := context.WithCancel(context.Background())
	b, _ := json.Marshal(map[string]any{"prompt": "bye", "max_tokens": 480, "ignore_eos": true, "stream": true})
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.url+"/v1/completions", bytes.NewReader(b))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		return err
	}
	buf := make([]byte, 1)
	if _, err := resp.Body.Read(buf); err != nil {
		cancel()
		return fmt.Errorf("disconnect: no first chunk: %w", err)
	}
	st := srv.s.Stats()
	before := st.Tokens.Load()
	t0 := time.Now()
	cancel()
	resp.Body.Close()
	for st.Cancelled.Load() == 0 && time.Since(t0) < 10*time.Second {
		time.Sleep(100 * time.Microsecond)
	}
	freed := time.Since(t0)
	wasted := st.Tokens.Load() - before
	t1 := time.Now()
	r := stream(context.Background(), http.DefaultClient, srv.url, map[string]any{"prompt": "next", "max_tokens": 4})
	fmt.Printf("disconnect: the row was freed %.2f ms after the client closed (%d tokens sampled meanwhile, of 480 asked); the next request on the one-row server took %.1f ms\n",
		float64(freed.Microseconds())/1000, wasted, float64(time.Since(t1).Microseconds())/1000)
	if st.Cancelled.Load() != 1 || r.err != nil || r.status != 200 {
		return fmt.Errorf("disconnect: cancelled rows %d, next request %v HTTP %d", st.Cancelled.Load(), r.err, r.status)
	}
	return nil
}

// updatesUnderLoad has clients stream greedy completions in a loop for d while the weights are
// swapped between two checkpoints every 300 ms; every response must succeed with one weights
// version throughout and that version's tokens.
func updatesUnderLoad(clients int, d time.Duration) error {
	dirs := [2]string{}
	for i := range dirs {
		dir, err := os.MkdirTemp("", "bench-serve-w-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if err := model.NewRandom(serve.TinyConfig(), uint64(i+1)).Save(dir, "float32"); err != nil {
			return err
		}
		dirs[i] = dir
	}
	body := func() map[string]any {
		return map[string]any{"prompt": [][]int{{10, 20, 30}}, "max_tokens": 48, "temperature": 0, "ignore_eos": true, "return_token_ids": true}
	}
	var ref [2][]int // greedy tokens of each checkpoint
	for i, dir := range dirs {
		srv, err := start(serve.Config{Model: dir, Tokenizer: "byte"})
		if err != nil {
			return err
		}
		r := stream(context.Background(), http.DefaultClient, srv.url, body())
		srv.stop()
		if r.err != nil || r.status != 200 {
			return fmt.Errorf("reference for %s: %v HTTP %d", dir, r.err, r.status)
		}
		ref[i] = r.toks
	}
	srv, err := start(serve.Config{Model: dirs[0], Tokenizer: "byte"}) // version v serves dirs[(v-1)%2]
	if err != nil {
		return err
	}
	defer srv.stop()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	deadline := time.Now().Add(d)
	var total, failed, mixed atomic.Int64
	perVersion := map[int64]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				r := stream(context.Background(), hc, srv.url, body())
				total.Add(1)
				if r.err != nil || r.status != 200 || len(r.versions) == 0 {
					failed.Add(1)
					continue
				}
				v := r.versions[0]
				if slices.ContainsFunc(r.versions, func(x int64) bool { return x != v }) || !slices.Equal(r.toks, ref[(v-1)%2]) {
					mixed.Add(1)
				}
				mu.Lock()
				perVersion[v]++
				mu.Unlock()
			}
		}()
	}
	var updates int
	var loadTime time.Duration
	for v := int64(2); time.Now().Add(300 * time.Millisecond).Before(deadline); v++ {
		time.Sleep(300 * time.Millisecond)
		b, _ := json.Marshal(map[string]any{"model_path": dirs[(v-1)%2]})
		t0 := time.Now()
		resp, err := http.Post(srv.url+"/update_weights_from_disk", "application/json", bytes.NewReader(b))
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("update to version %d: HTTP %d", v, resp.StatusCode)
		}
		loadTime += time.Since(t0)
		updates++
	}
	wg.Wait()
	fmt.Printf("updates under load: %d clients streaming for %v, %d weight updates (mean %.0f ms each): %d responses, %d failed, %d with mixed or wrong weights; responses per version %v\n",
		clients, d, updates, float64(loadTime.Milliseconds())/float64(max(updates, 1)), total.Load(), failed.Load(), mixed.Load(), perVersion)
	if failed.Load() > 0 || mixed.Load() > 0 || updates == 0 {
		return fmt.Errorf("updates under load: %d failed, %d mixed", failed.Load(), mixed.Load())
	}
	return nil
}
