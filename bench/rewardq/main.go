// Command rewardq benchmarks code-reward throughput through the NATS work queue (package rewardq):
// an embedded NATS server on loopback, 1, 2 and 4 worker processes, and a batch of code jobs
// (a correct, a wrong and a crashing program over five stdio tests each) scored in the sandbox.
//
//	GOEXPERIMENT=simd go run ./bench/rewardq                   # table: workers, jobs/s, latency
//	GOEXPERIMENT=simd go run ./bench/rewardq --jobs 300 --workers 1,2,4 --json
//
// The workers are this program started again with --worker URL: real processes.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/rewardq"
)

func main() {
	worker := flag.String("worker", "", "internal: run as a worker of this NATS URL")
	jobs := flag.Int("jobs", 120, "code jobs per measurement")
	workers := flag.String("workers", "1,2,4", "worker process counts to measure")
	asJSON := flag.Bool("json", false, "print one JSON object")
	flag.Parse()
	if *worker != "" {
		if err := rewardq.Serve(context.Background(), *worker, rewardq.WorkerConfig{}); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*jobs, *workers, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "bench/rewardq:", err)
		os.Exit(1)
	}
}

// row is one measurement.
type row struct {
	Workers int     `json:"workers"`
	Jobs    int     `json:"jobs"`
	WallS   float64 `json:"wall_s"`
	JobsPS  float64 `json:"jobs_per_s"`
	TestsPS float64 `json:"tests_per_s"`
	Errors  int     `json:"non_ok"`
}

const tests = `{"inputs": ["1 2\n", "3 4\n", "10 -2\n", "0 0\n", "7 7\n"], "outputs": ["3\n", "7\n", "8\n", "0\n", "14\n"]}`

var programs = []string{
	"```python\na, b = map(int, input().split())\nprint(a + b)\n```",
	"```python\na, b = map(int, input().split())\nprint(a - b)\n```",
	"```python\nraise SystemExit(input()[10**9])\n```",
}

func run(nJobs int, counts string, asJSON bool) error {
	dir, err := os.MkdirTemp("", "bench-rewardq-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, url, err := rewardq.StartEmbedded(dir)
	if err != nil {
		return err
	}
	defer srv.Shutdown()
	ctx := context.Background()
	client, err := rewardq.Dial(ctx, url, rewardq.Config{})
	if err != nil {
		return err
	}
	defer client.Close()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var rows []row
	for _, f := range strings.Split(counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("--workers: %q is not a positive count", f)
		}
		var procs []*exec.Cmd
		for range n {
			cmd := exec.Command(self, "--worker", url)
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				return err
			}
			procs = append(procs, cmd)
		}
		// Warm-up: one job per worker, so start-up is not measured.
		warm := makeJobs(n, "w")
		if _, err := client.Score(ctx, fmt.Sprintf("warm%d", n), warm); err != nil {
			return err
		}
		batch := makeJobs(nJobs, "j")
		start := time.Now()
		res, err := client.Score(ctx, fmt.Sprintf("run%d", n), batch)
		if err != nil {
			return err
		}
		wall := time.Since(start).Seconds()
		bad := 0
		for _, r := range res {
			if r.Status != answer.StatusOK {
				bad++
			}
		}
		rows = append(rows, row{Workers: n, Jobs: nJobs, WallS: wall, JobsPS: float64(nJobs) / wall, TestsPS: float64(5*nJobs) / wall, Errors: bad})
		for _, p := range procs {
			p.Process.Kill()
			p.Wait()
		}
	}
	if asJSON {
		return json.NewEncoder(os.Stdout).Encode(map[string]any{"cpus": runtime.NumCPU(), "rows": rows})
	}
	fmt.Printf("code reward through NATS, %d jobs × 5 stdio tests, %d CPUs\n\n", nJobs, runtime.NumCPU())
	fmt.Println("| workers | wall s | jobs/s | tests/s | non-ok |")
	fmt.Println("|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %d | %.2f | %.1f | %.1f | %d |\n", r.Workers, r.WallS, r.JobsPS, r.TestsPS, r.Errors)
	}
	return nil
}

func makeJobs(n int, prefix string) []rewardq.Job {
	deadline := time.Now().Add(10 * time.Minute)
	jobs := make([]rewardq.Job, n)
	for i := range jobs {
		jobs[i] = rewardq.Job{ID: prefix + strconv.Itoa(i), DataSource: "code", Solution: programs[i%len(programs)],
			GroundTruth: tests, Deadline: deadline}
	}
	return slices.Clip(jobs)
}
