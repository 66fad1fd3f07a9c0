// Command async measures asynchronous RL: steps per minute and held-out accuracy after a fixed
// wall-clock budget at async.max_staleness 0 (the synchronous loop), 1, 2 and 4, with two
// `ascent serve` processes on loopback as the rollout fleet and the learner in this process, and
// then on the local engine alone (with and without async.local.sampler_threads, the core split),
// and once on the fleet with async.partial: continue.
//
//	GOEXPERIMENT=simd go run ./bench/async --json
//	GOEXPERIMENT=simd go run ./bench/async --seeds 1 --budget 10 --staleness 0,1   # a smoke run
//	GOEXPERIMENT=simd go run ./bench/async --staleness '' --local-seeds 3 --set run.old_log_probs=updated
//
// It trains one SFT warm-up (the default recipe's task and model), starts two rollout servers from
// it (this binary re-executed as a server process: the same serve.New and Serve that `ascent
// serve` runs), and then, per seed and staleness, runs the default recipe's RL from the warm-up
// until run.time_budget_s has passed. A step's wall time is timing_s/step (from the learner
// starting the step — waiting for its batch included — to the step's end), so steps per minute
// is steps / Σ timing_s/step. CPU seconds are this process's plus the servers' (from
// /proc/PID/stat), so a machine whose cores are shared can be judged by CPU as well as wall time.
// --json prints one JSON object; otherwise a Markdown table.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/engine/openai"
	"github.com/ascent-rl/ascent/serve"
	"github.com/ascent-rl/ascent/trainer"
)

// serveEnv makes this binary a rollout server: "ADDR MODEL_DIR".
const serveEnv = "ASCENT_BENCH_ASYNC_SERVE"

func main() {
	if v := os.Getenv(serveEnv); v != "" {
		if err := serveChild(v); err != nil {
			fmt.Fprintln(os.Stderr, "bench/async server:", err)
			os.Exit(1)
		}
		return
	}
	o := options{}
	flag.BoolVar(&o.json, "json", false, "print one JSON object instead of a table")
	flag.IntVar(&o.seeds, "seeds", 3, "seeds of the --seeded stalenesses on the fleet (the others run seed 1)")
	flag.StringVar(&o.seeded, "seeded", "0,1", "async.max_staleness values run with every seed")
	flag.Float64Var(&o.budget, "budget", 45, "wall seconds of RL per run (run.time_budget_s)")
	flag.StringVar(&o.staleness, "staleness", "0,1,2,4", "async.max_staleness values on the fleet")
	flag.StringVar(&o.localStaleness, "local-staleness", "0,1", "async.max_staleness values on the local engine alone (\"\": skip)")
	flag.StringVar(&o.localSplit, "local-split", "0/0,1/1", "async.local.sampler_threads/learner_threads pairs of the local runs with max_staleness ≥ 1 (0/0: share the cores)")
	flag.StringVar(&o.fleetSplit, "fleet-split", "", "extra fleet runs (seed 1) at every --staleness with each server's GOMAXPROCS and async.local.learner_threads, as SERVER/LEARNER pairs (1/1: one core each); the synchronous one sets only the servers'")
	flag.StringVar(&o.continueEtas, "continue-staleness", "1", "async.max_staleness values also run on the fleet (seed 1) with async.partial=continue (\"\": skip)")
	flag.Func("set", "an extra trainer override for every RL run, e.g. run.old_log_probs=updated (repeatable)", func(v string) error {
		o.sets = append(o.sets, v)
		return nil
	})
	flag.IntVar(&o.localSeeds, "local-seeds", 1, "seeds of every local-engine run")
	flag.IntVar(&o.sftSteps, "sft-steps", 150, "SFT warm-up steps")
	flag.IntVar(&o.eval, "eval", 500, "held-out problems")
	flag.StringVar(&o.out, "out", "bench-out/async", "output directory (runs)")
	flag.Parse()
	res, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/async:", err)
		os.Exit(1)
	}
	if o.json {
		b, _ := json.Marshal(res)
		fmt.Println(string(b))
		return
	}
	res.table(os.Stdout)
}

type options struct {
	sets                      []string // extra trainer overrides of every RL run (--set, repeatable)
	json                      bool
	seeds, sftSteps, eval     int
	localSeeds                int // seeds of every local-engine run
	budget                    float64
	staleness, localStaleness string
	seeded                    string
	localSplit, fleetSplit    string
	continueEtas              string
	out                       string
}

// runResult is one RL run.
type runResult struct {
	Staleness   int     `json:"staleness"`
	Seed        int     `json:"seed"`
	Steps       int     `json:"steps"`
	StepSeconds float64 `json:"step_seconds"` // Σ timing_s/step
	CPUSeconds  float64 `json:"cpu_seconds"`  // learner process + servers, over the whole run
	Wall        float64 `json:"wall_seconds"` // the whole run, evaluations and warm-up of the servers included
	Heldout     float64 `json:"heldout"`
	SamplerIdle float64 `json:"sampler_idle_s"` // Σ timing_s/sampler_idle
	LearnerIdle float64 `json:"learner_idle_s"` // Σ timing_s/learner_idle
	// Variant is "" or what the run changes: "sampler_threads=N" (local core split), "continue"
	// (async.partial).
	Variant   string  `json:"variant,omitempty"`
	Continued float64 `json:"partial_continued,omitempty"` // Σ async/partial_continued
	TokenStal float64 `json:"token_staleness,omitempty"`   // mean over steps of async/token_staleness/mean
}

// key is the run's entry in the results' maps: its staleness, and its variant after a slash.
func (r runResult) key() string {
	if r.Variant == "" {
		return strconv.Itoa(r.Staleness)
	}
	return strconv.Itoa(r.Staleness) + "/" + r.Variant
}

// results is the benchmark's output.
type results struct {
	StepsPerMin map[string]float64 `json:"steps_per_min"` // fleet, mean over seeds
	Speedup     map[string]float64 `json:"speedup"`       // steps_per_min[η] / steps_per_min[0]
	Heldout     map[string]float64 `json:"heldout"`       // fleet, mean held-out accuracy after the budget
	CPUPerStep  map[string]float64 `json:"cpu_s_per_step"`
	Local       map[string]float64 `json:"local_steps_per_min"`
	LocalSpeed  map[string]float64 `json:"local_speedup"`
	LocalHeld   map[string]float64 `json:"local_heldout"`
	SFTHeldout  float64            `json:"sft_heldout"`
	BudgetS     float64            `json:"budget_s"`
	Seeds       int                `json:"seeds"` // of the seeded stalenesses (0 and 1 by default); the others ran seed 1
	Runs        []runResult        `json:"runs"`
	LocalRuns   []runResult        `json:"local_runs"`
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("staleness list %q: %w", s, err)
		}
		out = append(out, n)
	}
	return out, nil
}

// pairs parses "A/B,C/D".
func pairs(s string) ([][2]int, error) {
	var out [][2]int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		a, b, ok := strings.Cut(f, "/")
		x, err1 := strconv.Atoi(a)
		y, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || x < 0 || y < 0 {
			return nil, fmt.Errorf("thread split %q: want N/M with N, M ≥ 0", f)
		}
		out = append(out, [2]int{x, y})
	}
	return out, nil
}

func run(o options) (*results, error) {
	fleetEtas, err := ints(o.staleness)
	if err != nil {
		return nil, err
	}
	localEtas, err := ints(o.localStaleness)
	if err != nil {
		return nil, err
	}
	localSplit, err := pairs(o.localSplit)
	if err != nil {
		return nil, err
	}
	fleetSplit, err := pairs(o.fleetSplit)
	if err != nil {
		return nil, err
	}
	continueEtas, err := ints(o.continueEtas)
	if err != nil {
		return nil, err
	}
	runs, err := filepath.Abs(filepath.Join(o.out, "runs"))
	if err != nil {
		return nil, err
	}
	stamp := time.Now().Format("150405")
	ctx := context.Background()
	log := func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	log("SFT warm-up: %d steps", o.sftSteps)
	cfg, err := trainer.LoadConfig("justrl", "", []string{"run.out=" + runs, "run.name=sft-" + stamp, "run.steps=0",
		fmt.Sprintf("sft.steps=%d", o.sftSteps), fmt.Sprintf("eval.problems=%d", o.eval)})
	if err != nil {
		return nil, err
	}
	sum, err := trainer.Run(ctx, cfg, "", nil, local.NewLearner, openai.Dial)
	if err != nil {
		return nil, err
	}
	ckpt := filepath.Join(sum.RunDir, "checkpoints", "step_000000", "engine")
	res := &results{StepsPerMin: map[string]float64{}, Speedup: map[string]float64{}, Heldout: map[string]float64{},
		CPUPerStep: map[string]float64{}, Local: map[string]float64{}, LocalSpeed: map[string]float64{}, LocalHeld: map[string]float64{},
		SFTHeldout: sum.EvalBefore, BudgetS: o.budget, Seeds: o.seeds}
	var servers []*server
	for range 2 {
		s, err := startServer(ckpt, 0)
		if err != nil {
			return nil, err
		}
		defer s.stop()
		servers = append(servers, s)
	}
	endpoints := "rollout.endpoints=[" + servers[0].url + "," + servers[1].url + "]"
	one := func(name, variant string, eta, seed int, extra ...string) (runResult, error) {
		sets := append([]string{"run.out=" + runs, "run.name=" + name + "-" + stamp, fmt.Sprintf("run.seed=%d", seed),
			"run.steps=100000", fmt.Sprintf("run.time_budget_s=%g", o.budget), "run.save_every=0", "run.samples_per_step=0",
			"sft.steps=0", "model.init=" + ckpt, fmt.Sprintf("eval.problems=%d", o.eval), fmt.Sprintf("async.max_staleness=%d", eta)}, slices.Concat(o.sets, extra)...)
		cfg, err := trainer.LoadConfig("justrl", "", sets)
		if err != nil {
			return runResult{}, err
		}
		cpu0 := cpuSeconds(servers)
		start := time.Now()
		s, err := trainer.Run(ctx, cfg, "", nil, local.NewLearner, openai.Dial)
		if err != nil {
			return runResult{}, fmt.Errorf("%s: %w", name, err)
		}
		r := runResult{Staleness: eta, Variant: variant, Seed: seed, Steps: s.Steps, Heldout: s.EvalAfter, Wall: time.Since(start).Seconds(),
			CPUSeconds: cpuSeconds(servers) - cpu0}
		if err := readRun(s.RunDir, &r); err != nil {
			return r, err
		}
		log("%s: %d steps in %.1f s of steps (%.1f steps/min), %.0f CPU s, held-out %.3f, idle sampler %.1f s learner %.1f s",
			name, r.Steps, r.StepSeconds, perMin(r), r.CPUSeconds, r.Heldout, r.SamplerIdle, r.LearnerIdle)
		return r, nil
	}
	seeded, err := ints(o.seeded)
	if err != nil {
		return nil, err
	}
	for seed := 1; seed <= o.seeds; seed++ {
		for _, eta := range fleetEtas {
			if seed > 1 && !slices.Contains(seeded, eta) {
				continue
			}
			r, err := one(fmt.Sprintf("fleet-eta%d-seed%d", eta, seed), "", eta, seed, endpoints, "rollout.model=policy")
			if err != nil {
				return nil, err
			}
			res.Runs = append(res.Runs, r)
		}
	}
	for _, eta := range continueEtas {
		r, err := one(fmt.Sprintf("fleet-eta%d-continue", eta), "continue", eta, 1, endpoints, "rollout.model=policy", "async.partial=continue")
		if err != nil {
			return nil, err
		}
		res.Runs = append(res.Runs, r)
	}
	for _, sp := range fleetSplit {
		for _, s := range servers {
			s.stop()
		}
		servers = servers[:0]
		for range 2 {
			s, err := startServer(ckpt, sp[0])
			if err != nil {
				return nil, err
			}
			defer s.stop()
			servers = append(servers, s)
		}
		endpoints := "rollout.endpoints=[" + servers[0].url + "," + servers[1].url + "]"
		for _, eta := range fleetEtas {
			sets := []string{endpoints, "rollout.model=policy"}
			if eta > 0 && sp[1] > 0 {
				sets = append(sets, fmt.Sprintf("async.local.learner_threads=%d", sp[1]))
			}
			r, err := one(fmt.Sprintf("fleet-eta%d-split%d-%d", eta, sp[0], sp[1]), fmt.Sprintf("split%d/%d", sp[0], sp[1]), eta, 1, sets...)
			if err != nil {
				return nil, err
			}
			res.Runs = append(res.Runs, r)
		}
	}
	for _, s := range servers {
		s.stop()
	}
	for _, eta := range localEtas {
		for _, sp := range localSplit {
			if eta == 0 && sp != [2]int{} {
				continue // the synchronous loop never samples and trains at once
			}
			variant, sets := "", []string{}
			if sp != [2]int{} {
				variant = fmt.Sprintf("split%d/%d", sp[0], sp[1])
				sets = []string{fmt.Sprintf("async.local.sampler_threads=%d", sp[0]), fmt.Sprintf("async.local.learner_threads=%d", sp[1])}
			}
			for seed := 1; seed <= o.localSeeds; seed++ {
				r, err := one(fmt.Sprintf("local-eta%d-split%d-%d-seed%d", eta, sp[0], sp[1], seed), variant, eta, seed, sets...)
				if err != nil {
					return nil, err
				}
				res.LocalRuns = append(res.LocalRuns, r)
			}
		}
	}
	summarize(res.Runs, res.StepsPerMin, res.Heldout, res.CPUPerStep)
	summarize(res.LocalRuns, res.Local, res.LocalHeld, nil)
	for k, v := range res.StepsPerMin {
		if base := res.StepsPerMin["0"]; base > 0 {
			res.Speedup[k] = v / base
		}
	}
	for k, v := range res.Local {
		if base := res.Local["0"]; base > 0 {
			res.LocalSpeed[k] = v / base
		}
	}
	return res, nil
}

func perMin(r runResult) float64 { return 60 * float64(r.Steps) / math.Max(r.StepSeconds, 1e-9) }

// summarize averages runs per staleness.
func summarize(runs []runResult, spm, held, cpu map[string]float64) {
	n := map[string]float64{}
	for _, r := range runs {
		k := r.key()
		spm[k] += perMin(r)
		held[k] += r.Heldout
		if cpu != nil {
			cpu[k] += r.CPUSeconds / float64(max(r.Steps, 1))
		}
		n[k]++
	}
	for k, c := range n {
		spm[k] /= c
		held[k] /= c
		if cpu != nil {
			cpu[k] /= c
		}
	}
}

// readRun sums the step times and idle times of a run's metrics.
func readRun(dir string, r *runResult) error {
	f, err := os.Open(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := map[string]float64{}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return err
		}
		r.StepSeconds += m["timing_s/step"]
		r.SamplerIdle += m["timing_s/sampler_idle"]
		r.LearnerIdle += m["timing_s/learner_idle"]
		r.Continued += m["async/partial_continued"]
		r.TokenStal += m["async/token_staleness/mean"] / float64(max(r.Steps, 1))
	}
	return sc.Err()
}

func (res *results) table(w *os.File) {
	fmt.Fprintf(w, "SFT start: held-out %.1f%%; RL budget %.0f s per run, %d seeds\n\n", 100*res.SFTHeldout, res.BudgetS, res.Seeds)
	fmt.Fprintf(w, "| rollouts | max_staleness | steps/min | speed-up | held-out after budget | CPU s / step |\n|---|---:|---:|---:|---:|---:|\n")
	for _, k := range slices.Sorted(maps.Keys(res.StepsPerMin)) {
		v := res.StepsPerMin[k]
		fmt.Fprintf(w, "| 2 × serve | %s | %.1f | %.2f× | %.1f%% | %.2f |\n", k, v, res.Speedup[k], 100*res.Heldout[k], res.CPUPerStep[k])
	}
	for _, k := range slices.Sorted(maps.Keys(res.Local)) {
		v := res.Local[k]
		fmt.Fprintf(w, "| local engine | %s | %.1f | %.2f× | %.1f%% | |\n", k, v, res.LocalSpeed[k], 100*res.LocalHeld[k])
	}
}

// server is a rollout server child process.
type server struct {
	url string
	cmd *exec.Cmd
}

// startServer re-executes this binary as a rollout server on a free loopback port, serving
// modelDir on at most threads cores (its GOMAXPROCS; 0: this process's), and waits until it is
// healthy (at most 60 s).
func startServer(modelDir string, threads int) (*server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), serveEnv+"="+addr+" "+modelDir)
	if threads > 0 {
		cmd.Env = append(cmd.Env, fmt.Sprintf("GOMAXPROCS=%d", threads))
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{url: "http://" + addr + "/v1", cmd: cmd}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("rollout server on %s not healthy after 60 s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) stop() {
	if s.cmd.ProcessState == nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

// serveChild is the server process: "ADDR MODEL_DIR".
func serveChild(v string) error {
	addr, dir, ok := strings.Cut(v, " ")
	if !ok {
		return fmt.Errorf("%s=%q: want \"ADDR MODEL_DIR\"", serveEnv, v)
	}
	s, err := serve.New(serve.Config{Model: dir, ServedModelName: "policy"})
	if err != nil {
		return err
	}
	defer s.Close()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(context.Background(), l)
}

// cpuSeconds is this process's user+system CPU time plus the live servers'.
func cpuSeconds(servers []*server) float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	total := float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
	for _, s := range servers {
		if s.cmd.ProcessState != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
		if err != nil {
			continue
		}
		// Fields after the command name (which is in parentheses): utime and stime are 14 and 15.
		i := strings.LastIndexByte(string(b), ')')
		f := strings.Fields(string(b[i+2:]))
		if len(f) > 12 {
			ut, _ := strconv.ParseFloat(f[11], 64)
			st, _ := strconv.ParseFloat(f[12], 64)
			total += (ut + st) / 100 // USER_HZ
		}
	}
	return total
}
