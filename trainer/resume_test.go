package trainer

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/engine/openai"
)

// childEnv makes the test binary act as a training process (see TestMain).
const childEnv = "ASCENT_TRAINER_TEST_CHILD"

func TestMain(m *testing.M) {
	if cfgJSON := os.Getenv(childEnv); cfgJSON != "" {
		var cfg Config
		if err := json.Unmarshal([]byte(cfgJSON), &cfg); err != nil {
			fmt.Fprintln(os.Stderr, "child config:", err)
			os.Exit(2)
		}
		if _, err := Run(context.Background(), cfg, "", nil, local.NewLearner, openai.Dial); err != nil {
			fmt.Fprintln(os.Stderr, "child run:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// comparable drops the metrics that measure wall time or process state, which legitimately
// differ between two runs of the same computation.
func comparable(m map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range m {
		if strings.HasPrefix(k, "timing_s/") || strings.HasPrefix(k, "perf/") || k == "async/buffer_fill" {
			continue
		}
		out[k] = v
	}
	return out
}

// A run killed with SIGKILL in the middle of a step and resumed with --resume logs exactly the
// metrics of a run that was never interrupted: same data order, same samples, same updates.
func TestKilledRunResumesExactly(t *testing.T) {
	killAndResume(t, smallConfig(t, "grpo", "run.steps=10", "run.save_every=1", "sft.steps=6"))
}

// An asynchronous run resumes exactly too: the checkpoint holds the batches sampled from weight
// versions older than its own, and the producer continues from its saved position.
func TestKilledAsyncRunResumesExactly(t *testing.T) {
	killAndResume(t, smallConfig(t, "grpo", "run.steps=10", "run.save_every=1", "sft.steps=6", "async.max_staleness=2"))
}

// killAndResume kills base's run with SIGKILL half-way through its fourth step, resumes it, and
// checks that its metrics equal an uninterrupted run's.
func killAndResume(t *testing.T, base Config) {
	t.Helper()
	steps := base.Run.Steps

	// The uninterrupted reference run.
	ref := base
	ref.Run.Name = "uninterrupted"
	refSum, err := Run(context.Background(), ref, "", nil, local.NewLearner, openai.Dial)
	if err != nil {
		t.Fatal(err)
	}

	// The same run in a child process, killed once it has logged some steps.
	killed := base
	killed.Run.Name = "killed"
	cfgJSON, _ := json.Marshal(killed)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(cfgJSON))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	runDir := filepath.Join(killed.Run.Out, killed.Run.Name)
	deadline := time.Now().Add(2 * time.Minute)
	var logged [4]time.Time // when the child's metrics file first held 2 and 3 lines
	for logged[3].IsZero() {
		if b, err := os.ReadFile(filepath.Join(runDir, "metrics.jsonl")); err == nil {
			for n := min(strings.Count(string(b), "\n"), 3); n >= 2; n-- {
				if logged[n].IsZero() {
					logged[n] = time.Now()
				}
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("child never logged 3 steps; stderr: %s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Land about half-way through step 4, whatever this machine's step time is.
	time.Sleep(logged[3].Sub(logged[2]) / 2)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	before := readMetrics(t, runDir)
	t.Logf("killed after %d logged steps (step time ≈ %v)", len(before), logged[3].Sub(logged[2]))
	if len(before) >= steps {
		t.Fatalf("the child finished all %d steps before the kill; the test proves nothing", steps)
	}

	resumed, err := Run(context.Background(), Config{}, runDir, nil, local.NewLearner, openai.Dial)
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	want, got := readMetrics(t, refSum.RunDir), readMetrics(t, runDir)
	if len(got) != len(want) {
		t.Fatalf("resumed run has %d metrics lines, uninterrupted %d", len(got), len(want))
	}
	for i := range want {
		w, g := comparable(want[i]), comparable(got[i])
		for k, v := range w {
			if gv, ok := g[k]; !ok || gv != v {
				t.Errorf("step %d: %s = %v after resume, %v uninterrupted", i+1, k, g[k], v)
			}
		}
		if len(g) != len(w) {
			t.Errorf("step %d: %d metrics after resume, %d uninterrupted", i+1, len(g), len(w))
		}
	}
	if resumed.EvalAfter != refSum.EvalAfter || resumed.EvalBefore != refSum.EvalBefore {
		t.Errorf("eval %v→%v after resume, %v→%v uninterrupted", resumed.EvalBefore, resumed.EvalAfter, refSum.EvalBefore, refSum.EvalAfter)
	}
}
