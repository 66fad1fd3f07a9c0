// Command engine benchmarks the local engine (engine/local): sampling and training throughput and
// peak memory for a tiny model and a ~30M-parameter Qwen2-shaped model, next to the same figures
// from PyTorch (bench/reference/torch_engine.py) when python3 can import torch.
//
//	GOEXPERIMENT=simd go run ./bench/engine          # both configs, table
//	GOEXPERIMENT=simd go run ./bench/engine --json   # tiny config only, one JSON object
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/model/train"
)

// shape is one benchmark configuration.
type shape struct {
	Name                       string
	Cfg                        model.Config
	SampleRows, Prompt, NewTok int // sampling: rows × (prompt + new tokens)
	TrainRows, TrainLen        int // training: rows × tokens (half prompt, half response)
	MicroRows                  int
	Steps                      int // timed training steps
}

// result holds one configuration's measurements.
type result struct {
	Name       string  `json:"name"`
	Params     int     `json:"params"`
	SampleTokS float64 `json:"sample_tok_s"`
	TrainTokS  float64 `json:"train_tok_s"`
	TrainGraph float64 `json:"train_tok_s_graph"` // the GoMLX graph path (Config.TrainPath "graph")
	// Training tokens per CPU-second of this process, fast and graph path: on a shared machine
	// these move much less than the wall-time figures.
	TrainCPU      float64  `json:"train_tok_per_cpu_s"`
	TrainGraphCPU float64  `json:"train_tok_per_cpu_s_graph"`
	PeakRSSMiB    float64  `json:"peak_rss_mib"`
	Compiles      int64    `json:"compile_count"`
	TorchSample   *float64 `json:"torch_sample_tok_s"`
	TorchTrain    *float64 `json:"torch_train_tok_s"`
	TorchRSSMiB   *float64 `json:"torch_peak_rss_mib"`
	SIMD          bool     `json:"simd"`
	GOMAXPROCS    int      `json:"gomaxprocs"`
	Kernels       string   `json:"kernels"` // model/train's kernels on this CPU (train.Kernels)
	SampleSecs    float64  `json:"sample_s"`
	TrainStepSec  float64  `json:"train_step_s"`
	// Physical limits: the fast path's achieved FLOP/s against the kernel's measured peak, the
	// activation memory of one micro-batch, and the sampler's bytes per token against the measured
	// memory bandwidth.
	TrainGFLOPS     float64 `json:"train_gflops"`
	GemmPeakGFLOPS  float64 `json:"gemm_peak_gflops"`
	PeakShare       float64 `json:"train_peak_share"`
	ActivationMiB   float64 `json:"activation_mib"`
	SampleBytesTok  float64 `json:"sample_bytes_per_tok"`
	MemBandwidthGBs float64 `json:"mem_bandwidth_gb_s"`
}

func tiny() shape {
	return shape{Name: "tiny", Cfg: model.TinyConfig(),
		SampleRows: 32, Prompt: 16, NewTok: 48, TrainRows: 32, TrainLen: 64, MicroRows: 32, Steps: 5}
}

func medium() shape {
	return shape{Name: "qwen2-30m", Cfg: model.Small30MConfig(),
		SampleRows: 32, Prompt: 32, NewTok: 32, TrainRows: 8, TrainLen: 128, MicroRows: 4, Steps: 1}
}

func main() {
	asJSON := flag.Bool("json", false, "print the tiny configuration's figures as one JSON object")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the timed sections to this file")
	only := flag.String("only", "", "run only this configuration (tiny or qwen2-30m)")
	noTorch := flag.Bool("no-torch", false, "skip the PyTorch comparison")
	flag.BoolVar(&noGraph, "no-graph", false, "skip timing the GoMLX graph training path (train_tok_s_graph)")
	flag.StringVar(&mode, "mode", "all", "what to measure: all, sample or train (for profiling one of them)")
	flag.Parse()
	shapes := []shape{tiny()}
	if !*asJSON {
		shapes = append(shapes, medium())
	}
	if *only != "" {
		shapes = nil
		for _, s := range []shape{tiny(), medium()} {
			if s.Name == *only {
				shapes = append(shapes, s)
			}
		}
		if len(shapes) == 0 {
			fmt.Fprintf(os.Stderr, "bench/engine: unknown configuration %q; valid: tiny, qwen2-30m\n", *only)
			os.Exit(2)
		}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/engine:", err)
			os.Exit(1)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "bench/engine:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	var results []result
	for _, s := range shapes {
		r, err := run(s)
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench/engine: %s: %v\n", s.Name, err)
			os.Exit(1)
		}
		if !*noTorch {
			torch(s, &r)
		}
		results = append(results, r)
	}
	if *asJSON {
		b, _ := json.Marshal(results[0])
		fmt.Println(string(b))
		return
	}
	fmt.Printf("%-10s %8s %12s %12s %12s %9s %9s %14s %14s\n", "config", "params", "sample tok/s", "train tok/s", "graph train", "act MiB", "RSS MiB", "torch sample", "torch train")
	for _, r := range results {
		fmt.Printf("%-10s %7.1fM %12.0f %12.0f %12.0f %9.1f %9.0f %14s %14s\n", r.Name, float64(r.Params)/1e6, r.SampleTokS, r.TrainTokS, r.TrainGraph, r.ActivationMiB, r.PeakRSSMiB, opt(r.TorchSample), opt(r.TorchTrain))
	}
	for _, r := range results {
		fmt.Printf("%-10s training per CPU-second: %.0f tok (fast), %.0f tok (graph)\n", r.Name, r.TrainCPU, r.TrainGraphCPU)
		fmt.Printf("%-10s training %.1f GFLOP/s = %.0f%% of the measured gemm peak %.1f GFLOP/s; sampling %.2f MB/token, %.1f GB/s of a measured %.1f GB/s\n",
			r.Name, r.TrainGFLOPS, 100*r.PeakShare, r.GemmPeakGFLOPS, r.SampleBytesTok/1e6, r.SampleBytesTok*r.SampleTokS/1e9, r.MemBandwidthGBs)
	}
	fmt.Printf("(GOMAXPROCS %d, SIMD %v, %s, kernels %s)\n", runtime.GOMAXPROCS(0), results[0].SIMD, runtime.Version(), train.Kernels())
}

func opt(x *float64) string {
	if x == nil {
		return "n/a"
	}
	return strconv.FormatFloat(*x, 'f', 0, 64)
}

// mode selects what run measures: "all", "sample" or "train".
var mode = "all"

// noGraph skips the graph-path training measurement.
var noGraph bool

// run measures sampling and training for one configuration.
func run(s shape) (result, error) {
	p := model.NewRandom(s.Cfg, 1)
	n := p.NumParams()
	e, err := local.New(p, local.Config{LR: 1e-4, MicroBatchRows: s.MicroRows, TrainPath: "fast"})
	if err != nil {
		return result{}, err
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	prompts := make([][]int, s.SampleRows)
	for i := range prompts {
		for range s.Prompt {
			prompts[i] = append(prompts[i], rng.IntN(s.Cfg.VocabSize))
		}
	}
	sp := engine.SamplingParams{Temperature: 1, MaxTokens: s.NewTok, Seed: 1, IgnoreEOS: true}
	if mode == "train" {
		sp.MaxTokens, prompts = 1, prompts[:1]
	}
	if _, err := e.Sample(ctx, prompts, 1, sp); err != nil { // warm-up: builds the decoder of this shape
		return result{}, err
	}
	t0 := time.Now()
	seqs, err := e.Sample(ctx, prompts, 1, sp)
	if err != nil {
		return result{}, err
	}
	sampleS := time.Since(t0).Seconds()
	gen := 0
	for _, q := range seqs {
		gen += len(q.Tokens)
	}

	loss, err := algo.NewLoss(algo.LossConfig{Name: "vanilla", ClipLow: 0.2, ClipHigh: 0.2, Agg: algo.Aggregation{Mode: algo.TokenMean}})
	if err != nil {
		return result{}, err
	}
	rows := make([]engine.Row, s.TrainRows)
	for i := range rows {
		r := &rows[i]
		for range s.TrainLen / 2 {
			r.Prompt = append(r.Prompt, rng.IntN(s.Cfg.VocabSize))
			r.Response = append(r.Response, rng.IntN(s.Cfg.VocabSize))
			r.Advantages = append(r.Advantages, float32(rng.NormFloat64()))
			r.OldLogProbs = append(r.OldLogProbs, float32(-rng.Float64()*5))
		}
	}
	steps := s.Steps
	if mode == "sample" {
		steps = 1
	}
	step, cpu, err := timeUpdates(ctx, e, rows, loss, steps)
	if err != nil {
		return result{}, err
	}
	r := result{Name: s.Name, Params: n, SampleTokS: float64(gen) / sampleS, SampleSecs: sampleS,
		TrainTokS: float64(s.TrainRows*s.TrainLen) / step, TrainStepSec: step, PeakRSSMiB: peakRSS(),
		Compiles: e.CompileCount(), SIMD: strings.Contains(runtime.Version(), "simd"), GOMAXPROCS: runtime.GOMAXPROCS(0),
		Kernels: train.Kernels()}
	tokens := float64(s.TrainRows * s.TrainLen)
	r.TrainCPU = tokens / cpu
	if mode != "sample" && !noGraph {
		g, err := local.New(model.NewRandom(s.Cfg, 1), local.Config{LR: 1e-4, MicroBatchRows: s.MicroRows, TrainPath: "graph"})
		if err != nil {
			return result{}, err
		}
		gstep, gcpu, err := timeUpdates(ctx, g, rows, loss, max(1, steps/2))
		if err != nil {
			return result{}, err
		}
		r.TrainGraph, r.TrainGraphCPU = tokens/gstep, tokens/gcpu
	}
	limits(s, &r)
	return r, nil
}

// timeUpdates returns the mean wall and CPU seconds of steps Updates on rows after one warm-up
// Update.
func timeUpdates(ctx context.Context, e *local.Engine, rows []engine.Row, loss algo.Loss, steps int) (wall, cpu float64, err error) {
	if _, err := e.Update(ctx, rows, loss, engine.UpdateOptions{}); err != nil { // warm-up and compile
		return 0, 0, err
	}
	t0, c0 := time.Now(), cpuSeconds()
	for range steps {
		if _, err := e.Update(ctx, rows, loss, engine.UpdateOptions{}); err != nil {
			return 0, 0, err
		}
	}
	return time.Since(t0).Seconds() / float64(steps), (cpuSeconds() - c0) / float64(steps), nil
}

// peakRSS reads VmHWM (peak resident set) from /proc/self/status, in MiB; 0 where unavailable.
func peakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// torch runs bench/reference/torch_engine.py for the same shape when python3 (or Debian's
// /usr/bin/python3) can import torch.
func torch(s shape, r *result) {
	py := ""
	for _, cand := range []string{"python3", "/usr/bin/python3"} { // Debian's python3-torch is not on a pyenv python3
		if exec.Command(cand, "-c", "import torch").Run() == nil {
			py = cand
			break
		}
	}
	if py == "" {
		return
	}
	c := s.Cfg
	args := []string{"bench/reference/torch_engine.py",
		"--vocab", strconv.Itoa(c.VocabSize), "--hidden", strconv.Itoa(c.HiddenSize), "--intermediate", strconv.Itoa(c.IntermediateSize),
		"--layers", strconv.Itoa(c.NumHiddenLayers), "--heads", strconv.Itoa(c.NumAttentionHeads), "--kv-heads", strconv.Itoa(c.NumKeyValueHeads),
		"--sample-rows", strconv.Itoa(s.SampleRows), "--prompt", strconv.Itoa(s.Prompt), "--new-tokens", strconv.Itoa(s.NewTok),
		"--train-rows", strconv.Itoa(s.TrainRows), "--train-len", strconv.Itoa(s.TrainLen), "--micro-rows", strconv.Itoa(s.MicroRows),
		"--steps", strconv.Itoa(s.Steps)}
	if c.TieWordEmbeddings {
		args = append(args, "--tied")
	}
	out, err := exec.Command(py, args...).Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench/engine: torch reference failed: %v\n", err)
		return
	}
	var t struct {
		Sample float64 `json:"sample_tok_s"`
		Train  float64 `json:"train_tok_s"`
		RSS    float64 `json:"peak_rss_mib"`
	}
	if err := json.Unmarshal(out, &t); err != nil {
		fmt.Fprintf(os.Stderr, "bench/engine: torch reference output %q: %v\n", out, err)
		return
	}
	r.TorchSample, r.TorchTrain, r.TorchRSSMiB = &t.Sample, &t.Train, &t.RSS
}
