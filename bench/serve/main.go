// Command serve load-tests `ascent serve` (package serve) on loopback: concurrent clients send
// /v1/completions requests to an in-process server (builtin:tiny, or --size small: a random
// D=512 8-layer model), and the table shows
// requests/s, completion tokens/s and p50/p99 latency per concurrency level, with request
// batching on (the default) and off (--max-batch-rows 1: one request per engine call, i.e.
// one-at-a-time serving).
//
//	GOEXPERIMENT=simd go run ./bench/serve
//	GOEXPERIMENT=simd go run ./bench/serve --levels 1,8,32 --requests 64 --max-tokens 32
//	GOEXPERIMENT=simd go run ./bench/serve --size small --levels 1,16 --requests 32
//
// Every level is bounded by --requests and --max-seconds; nothing leaves 127.0.0.1.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/serve"
)

func main() {
	levels := flag.String("levels", "1,4,16,32", "comma-separated client concurrency levels")
	requests := flag.Int("requests", 64, "requests per level and mode")
	maxTokens := flag.Int("max-tokens", 32, "completion tokens per request (EOS ignored)")
	maxSeconds := flag.Float64("max-seconds", 60, "stop a level after this long")
	size := flag.String("size", "tiny", "model: tiny (builtin:tiny, D=128, 2 layers) or small (random D=512, 8 layers, GQA 8:2, byte vocabulary)")
	flag.Parse()
	modelPath := serve.BuiltinTiny
	switch *size {
	case "tiny":
	case "small":
		dir, err := os.MkdirTemp("", "bench-serve-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/serve:", err)
			os.Exit(1)
		}
		defer os.RemoveAll(dir)
		cfg := model.Small30MConfig()
		tiny := serve.TinyConfig()
		cfg.VocabSize, cfg.BOSTokenID, cfg.EOSTokenID, cfg.MaxPositionEmbeddings = tiny.VocabSize, tiny.BOSTokenID, tiny.EOSTokenID, tiny.MaxPositionEmbeddings
		if err := model.NewRandom(cfg, 1).Save(dir, "float32"); err != nil {
			fmt.Fprintln(os.Stderr, "bench/serve:", err)
			os.Exit(1)
		}
		modelPath = dir
	default:
		fmt.Fprintf(os.Stderr, "bench/serve: --size %q: expected tiny or small\n", *size)
		os.Exit(2)
	}
	var ls []int
	for _, s := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "bench/serve: --levels %q: expected positive integers\n", *levels)
			os.Exit(2)
		}
		ls = append(ls, n)
	}
	fmt.Printf("model %s, %d requests/level, max_tokens %d, prompt ~12 tokens\n\n", *size, *requests, *maxTokens)
	fmt.Println("| batching | clients | requests/s | tokens/s | p50 ms | p99 ms | engine calls |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, mode := range []struct {
		name string
		rows int
	}{{"off", 1}, {"on", 64}} {
		for _, c := range ls {
			r, err := run(modelPath, mode.rows, c, *requests, *maxTokens, time.Duration(*maxSeconds*float64(time.Second)))
			if err != nil {
				fmt.Fprintln(os.Stderr, "bench/serve:", err)
				os.Exit(1)
			}
			fmt.Printf("| %s | %d | %.1f | %.0f | %.1f | %.1f | %d |\n", mode.name, c, r.rps, r.tps, r.p50, r.p99, r.batches)
		}
	}
}

// result is one level's figures.
type result struct {
	rps, tps, p50, p99 float64
	batches            int64
}

// run serves builtin:tiny with the given batch size and drives it with `clients` concurrent
// clients until `requests` requests are done or the time limit passes.
func run(modelPath string, batchRows, clients, requests, maxTokens int, limit time.Duration) (result, error) {
	s, err := serve.New(serve.Config{Model: modelPath, Tokenizer: "byte", MaxBatchRows: batchRows, MaxQueue: 4096})
	if err != nil {
		return result{}, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	defer func() { cancel(); <-done }()
	url := "http://" + l.Addr().String() + "/v1/completions"
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}

	var next, tokens atomic.Int64
	var mu sync.Mutex
	var lat []float64
	var firstErr error
	deadline := time.Now().Add(limit)
	start := time.Now()
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
				body, _ := json.Marshal(map[string]any{"prompt": fmt.Sprintf("Question %d: 2+2=", i), "max_tokens": maxTokens, "ignore_eos": true})
				t0 := time.Now()
				resp, err := hc.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				data, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				ms := float64(time.Since(t0).Microseconds()) / 1000
				var out struct {
					Usage struct {
						CompletionTokens int64 `json:"completion_tokens"`
					} `json:"usage"`
				}
				if resp.StatusCode != 200 || json.Unmarshal(data, &out) != nil {
					mu.Lock()
					firstErr = fmt.Errorf("HTTP %d: %s", resp.StatusCode, data)
					mu.Unlock()
					return
				}
				tokens.Add(out.Usage.CompletionTokens)
				mu.Lock()
				lat = append(lat, ms)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	if firstErr != nil {
		return result{}, firstErr
	}
	slices.Sort(lat)
	q := func(p float64) float64 { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	return result{rps: float64(len(lat)) / secs, tps: float64(tokens.Load()) / secs, p50: q(0.5), p99: q(0.99),
		batches: s.Stats().Batches.Load()}, nil
}
