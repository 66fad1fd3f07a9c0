// Command serve benchmarks and load-tests `ascent serve` (package serve) on loopback: concurrent
// streaming clients send /v1/completions requests to an in-process server (builtin:tiny, or
// --size small: a random D=512 8-layer model). The throughput table compares continuous batching
// (requests join the running batch at the next decode step) with request batching (a batch forms
// when the decoder is idle and runs until its longest sequence ends) at each concurrency level:
// completion tokens/s, p50/p99 latency and p50 time to first token. --reliability instead runs
// the overload, disconnect and weight-update-under-load checks (reliability.go).
//
//	GOEXPERIMENT=simd go run ./bench/serve
//	GOEXPERIMENT=simd go run ./bench/serve --levels 1,8,32,128 --requests 256 --max-tokens 64
//	GOEXPERIMENT=simd go run ./bench/serve --size small --levels 1,8,32 --requests 64
//	GOEXPERIMENT=simd go run ./bench/serve --reliability
//
// Every level is bounded by --requests and --max-seconds; nothing leaves 127.0.0.1.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/serve"
)

func main() {
	levels := flag.String("levels", "1,8,32,128", "comma-separated client concurrency levels")
	requests := flag.Int("requests", 256, "requests per level and mode")
	maxTokens := flag.Int("max-tokens", 64, "largest completion of a request (EOS ignored); each request asks for a length drawn from [max/8, max]")
	maxSeconds := flag.Float64("max-seconds", 60, "stop a level after this long")
	size := flag.String("size", "tiny", "model: tiny (builtin:tiny, D=128, 2 layers) or small (random D=512, 8 layers, GQA 8:2, byte vocabulary)")
	modes := flag.String("batching", "request,continuous", "batching modes to compare")
	reliability := flag.Bool("reliability", false, "run the reliability checks instead (overload, disconnect, weight updates under load)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	repeat := flag.Int("repeat", 3, "repetitions per level (modes interleaved); the table shows medians")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fail(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}
	modelPath, cleanup, err := modelFor(*size)
	if err != nil {
		fail(err)
	}
	defer cleanup()
	if *reliability {
		if err := runReliability(modelPath); err != nil {
			fail(err)
		}
		return
	}
	var ls []int
	for _, s := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fail(fmt.Errorf("--levels %q: expected positive integers", *levels))
		}
		ls = append(ls, n)
	}
	fmt.Printf("model %s, %d streamed requests per level, max_tokens uniform in [%d, %d], prompt ~12 tokens, 64 decoder rows, median of %d interleaved runs\n\n", *size, *requests, max(1, *maxTokens/8), *maxTokens, *repeat)
	fmt.Println("| batching | clients | req/s | tokens/s | p50 ms | p99 ms | TTFT p50 ms | decode steps | CPU s | tokens/CPU s |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	// Modes alternate within each repetition, so that load from other work on the machine falls on
	// both alike; each row is the median of the repetitions.
	ms := strings.Split(*modes, ",")
	rows := map[string][]result{}
	for _, c := range ls {
		for range *repeat {
			for _, mode := range ms {
				cfg := serve.Config{Model: modelPath, Tokenizer: "byte", Batching: mode, MaxQueue: 4096}
				r, err := drive(cfg, c, *requests, *maxTokens, time.Duration(*maxSeconds*float64(time.Second)))
				if err != nil {
					fail(err)
				}
				key := mode + "/" + strconv.Itoa(c)
				rows[key] = append(rows[key], r)
			}
		}
	}
	for _, mode := range ms {
		for _, c := range ls {
			r := median(rows[mode+"/"+strconv.Itoa(c)])
			fmt.Printf("| %s | %d | %.1f | %.0f | %.1f | %.1f | %.1f | %d | %.2f | %.0f |\n", mode, c, r.rps, r.tps, r.p50, r.p99, r.ttft50, r.steps, r.cpu, r.tokens/r.cpu)
		}
	}
}

// median returns the field-wise median of rs.
func median(rs []result) result {
	med := func(f func(result) float64) float64 {
		xs := make([]float64, len(rs))
		for i, r := range rs {
			xs[i] = f(r)
		}
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	return result{rps: med(func(r result) float64 { return r.rps }), tps: med(func(r result) float64 { return r.tps }),
		p50: med(func(r result) float64 { return r.p50 }), p99: med(func(r result) float64 { return r.p99 }),
		ttft50: med(func(r result) float64 { return r.ttft50 }), steps: int64(med(func(r result) float64 { return float64(r.steps) })),
		cpu: med(func(r result) float64 { return r.cpu }), tokens: med(func(r result) float64 { return r.tokens })}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench/serve:", err)
	os.Exit(1)
}

// modelFor returns the --model value for size, and a cleanup for a temporary checkpoint.
func modelFor(size string) (string, func(), error) {
	switch size {
	case "tiny":
		return serve.BuiltinTiny, func() {}, nil
	case "small":
		dir, err := os.MkdirTemp("", "bench-serve-")
		if err != nil {
			return "", nil, err
		}
		cfg := model.Small30MConfig()
		tiny := serve.TinyConfig()
		cfg.VocabSize, cfg.BOSTokenID, cfg.EOSTokenID, cfg.MaxPositionEmbeddings = tiny.VocabSize, tiny.BOSTokenID, tiny.EOSTokenID, tiny.MaxPositionEmbeddings
		if err := model.NewRandom(cfg, 1).Save(dir, "float32"); err != nil {
			os.RemoveAll(dir)
			return "", nil, err
		}
		return dir, func() { os.RemoveAll(dir) }, nil
	}
	return "", nil, fmt.Errorf("--size %q: expected tiny or small", size)
}

// server is an in-process server on a loopback port.
type server struct {
	s    *serve.Server
	url  string
	stop func()
}

func start(cfg serve.Config) (*server, error) {
	s, err := serve.New(cfg)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	return &server{s: s, url: "http://" + l.Addr().String(), stop: func() { cancel(); <-done }}, nil
}

// result is one level's figures.
type result struct {
	rps, tps, p50, p99, ttft50 float64
	steps                      int64
	cpu, tokens                float64 // process CPU seconds (server and clients: all in-process) and tokens
}

// cpuSeconds is the process's user + system CPU time: with other work on the machine, tokens per
// CPU second is steadier than tokens per wall second.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// streamed is what one streamed request saw.
type streamed struct {
	status   int
	header   http.Header
	ttft     time.Duration // first chunk
	total    time.Duration
	tokens   int64 // usage.completion_tokens
	versions []int64
	toks     []int
	err      error // transport error or a malformed / unfinished stream
}

// stream sends one streamed completion with include_usage and reads it to [DONE].
func stream(ctx context.Context, hc *http.Client, url string, body map[string]any) streamed {
	body["stream"], body["stream_options"] = true, map[string]any{"include_usage": true}
	b, _ := json.Marshal(body)
	t0 := time.Now()
	req, _ := http.NewRequestWithContext(ctx, "POST", url+"/v1/completions", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return streamed{err: err}
	}
	defer resp.Body.Close()
	out := streamed{status: resp.StatusCode, header: resp.Header}
	if resp.StatusCode != 200 {
		out.total = time.Since(t0)
		return out
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		if out.ttft == 0 {
			out.ttft = time.Since(t0)
		}
		if data == "[DONE]" {
			out.total = time.Since(t0)
			return out
		}
		var ch struct {
			Version int64 `json:"weights_version"`
			Choices []struct {
				TokenIDs []int `json:"token_ids"`
			} `json:"choices"`
			Usage *struct {
				CompletionTokens int64 `json:"completion_tokens"`
			} `json:"usage"`
			Error any `json:"error"`
		}
		if err := json.Unmarshal([]byte(data), &ch); err != nil || ch.Error != nil {
			out.err = fmt.Errorf("bad chunk %s", data)
			return out
		}
		out.versions = append(out.versions, ch.Version)
		for _, c := range ch.Choices {
			out.toks = append(out.toks, c.TokenIDs...)
		}
		if ch.Usage != nil {
			out.tokens = ch.Usage.CompletionTokens
		}
	}
	out.err = fmt.Errorf("stream ended without [DONE]: %v", sc.Err())
	return out
}

// quantile returns the q-quantile of sorted xs in milliseconds.
func quantile(xs []time.Duration, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	return float64(xs[min(len(xs)-1, int(q*float64(len(xs))))].Microseconds()) / 1000
}

// drive serves cfg and runs `clients` closed-loop clients until `requests` requests are done or
// the time limit passes.
func drive(cfg serve.Config, clients, requests, maxTokens int, limit time.Duration) (result, error) {
	srv, err := start(cfg)
	if err != nil {
		return result{}, err
	}
	defer srv.stop()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	var next, tokens atomic.Int64
	var mu sync.Mutex
	var lat, ttft []time.Duration
	var firstErr error
	deadline := time.Now().Add(limit)
	t0, cpu0 := time.Now(), cpuSeconds()
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(requests) || time.Now().After(deadline) {
					return
				}
				rng := rand.New(rand.NewPCG(uint64(i), 7))
				n := max(1, maxTokens/8) + rng.IntN(maxTokens-max(1, maxTokens/8)+1)
				r := stream(context.Background(), hc, srv.url, map[string]any{"prompt": fmt.Sprintf("Question %d: 2+2=", i), "max_tokens": n, "ignore_eos": true})
				mu.Lock()
				if r.err == nil && r.status != 200 {
					r.err = fmt.Errorf("HTTP %d", r.status)
				}
				if r.err != nil && firstErr == nil {
					firstErr = r.err
				}
				lat, ttft = append(lat, r.total), append(ttft, r.ttft)
				mu.Unlock()
				tokens.Add(r.tokens)
			}
		}()
	}
	wg.Wait()
	secs, cpu := time.Since(t0).Seconds(), cpuSeconds()-cpu0
	if firstErr != nil {
		return result{}, firstErr
	}
	slices.Sort(lat)
	slices.Sort(ttft)
	return result{rps: float64(len(lat)) / secs, tps: float64(tokens.Load()) / secs, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99),
		ttft50: quantile(ttft, 0.5), steps: srv.s.Stats().Batches.Load(), cpu: cpu, tokens: float64(tokens.Load())}, nil
}
