package rewardq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/reward"
)

// Worker processes in these tests are this test binary started again with ASCENT_REWARDQ_URL set:
// real processes on a real (embedded, loopback) NATS server. Their extra scorers are test
// programs (sleep, fail, crash) standing in for an expensive reward.
func TestMain(m *testing.M) {
	if url := os.Getenv("ASCENT_REWARDQ_URL"); url != "" {
		var cfg Config
		json.Unmarshal([]byte(os.Getenv("ASCENT_REWARDQ_CONFIG")), &cfg)
		err := Serve(context.Background(), url, WorkerConfig{Queue: cfg, Name: os.Getenv("ASCENT_REWARDQ_NAME"), Scorers: testScorers()})
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// slowTruth is the Truth of the test kinds: sleep, then score; Started is a file touched on start.
type slowTruth struct {
	MS      int     `json:"ms"`
	Score   float64 `json:"score"`
	Started string  `json:"started,omitempty"`
}

func testScorers() map[string]Scorer {
	return map[string]Scorer{
		"slow": ScorerFunc(func(ctx context.Context, j Job) (reward.Result, error) {
			var t slowTruth
			json.Unmarshal([]byte(j.GroundTruth), &t)
			if t.Started != "" {
				os.WriteFile(t.Started, []byte(strconv.Itoa(os.Getpid())), 0o644)
			}
			select {
			case <-time.After(time.Duration(t.MS) * time.Millisecond):
				return reward.Result{Score: t.Score, Verdict: answer.Verdict{Status: answer.StatusOK, Detail: "slept"}}, nil
			case <-ctx.Done():
				return reward.Result{}, ctx.Err()
			}
		}),
		"fail": ScorerFunc(func(context.Context, Job) (reward.Result, error) {
			return reward.Result{}, errors.New("judge endpoint down")
		}),
		"crash": ScorerFunc(func(context.Context, Job) (reward.Result, error) { os.Exit(3); return reward.Result{}, nil }),
	}
}

func embedded(t *testing.T) string {
	t.Helper()
	s, url, err := StartEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return url
}

// startWorker starts a worker process; the returned command is killed at cleanup.
func startWorker(t *testing.T, url, name string, cfg Config) *exec.Cmd {
	t.Helper()
	c, _ := json.Marshal(cfg)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ASCENT_REWARDQ_URL="+url, "ASCENT_REWARDQ_NAME="+name, "ASCENT_REWARDQ_CONFIG="+string(c))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

func slowJob(id string, ms int, score float64, deadline time.Duration) Job {
	truth, _ := json.Marshal(slowTruth{MS: ms, Score: score})
	return Job{ID: id, DataSource: "slow", GroundTruth: string(truth), Deadline: time.Now().Add(deadline)}
}

func dial(t *testing.T, url string, cfg Config) *Client {
	t.Helper()
	c, err := Dial(context.Background(), url, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestWorkerProcessesScoreEveryJobOnce(t *testing.T) {
	url := embedded(t)
	c := dial(t, url, Config{})
	for i := range 3 {
		startWorker(t, url, fmt.Sprintf("w%d", i), Config{})
	}
	var jobs []Job
	for i := range 30 {
		jobs = append(jobs, slowJob(fmt.Sprintf("j%d", i), 30, float64(i)/10, 30*time.Second))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := c.Score(ctx, "batch1", jobs)
	if err != nil {
		t.Fatal(err)
	}
	workers := map[string]int{}
	for i, r := range res {
		if r.ID != jobs[i].ID || r.Status != answer.StatusOK || r.Score != float64(i)/10 {
			t.Errorf("result %d = %+v, want id %s ok score %v", i, r, jobs[i].ID, float64(i)/10)
		}
		workers[r.Worker]++
	}
	if len(workers) < 2 {
		t.Errorf("results came from %v: the jobs were not spread over the 3 workers", workers)
	}
	keys, err := c.q.results.Keys(ctx)
	if err != nil || len(keys) != 30 {
		t.Fatalf("the bucket holds %d results (%v), want 30", len(keys), err)
	}
	// Resubmitting the batch returns the stored results and enqueues nothing new.
	again, err := c.Score(ctx, "batch1", jobs)
	if err != nil || len(again) != 30 || again[7].Score != res[7].Score || again[7].Worker != res[7].Worker {
		t.Fatalf("resubmission: %v %+v, want the stored results", err, again[7])
	}
	// (The last acknowledgement may still be on its way: a worker acks after storing the result.)
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		info, _ := c.q.stream.Info(ctx)
		if info.State.Msgs == 0 {
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("%d jobs still queued after resubmission", info.State.Msgs)
		}
	}
}

func TestAJobOfAKilledWorkerIsRedeliveredAndCountedOnce(t *testing.T) {
	url := embedded(t)
	cfg := Config{AckWait: time.Second}
	c := dial(t, url, cfg)
	first := startWorker(t, url, "doomed", cfg)
	started := filepath.Join(t.TempDir(), "started")
	truth, _ := json.Marshal(slowTruth{MS: 1500, Score: 0.5, Started: started})
	job := Job{ID: "victim", DataSource: "slow", GroundTruth: string(truth), Deadline: time.Now().Add(30 * time.Second)}

	var wg sync.WaitGroup
	var res []Result
	var err error
	wg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		res, err = c.Score(ctx, "b", []Job{job})
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, e := os.Stat(started); e == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first worker never started the job")
		}
		time.Sleep(20 * time.Millisecond)
	}
	first.Process.Signal(syscall.SIGKILL) // mid-job
	first.Wait()
	os.Remove(started)
	startWorker(t, url, "rescuer", cfg)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if r := res[0]; r.Status != answer.StatusOK || r.Score != 0.5 || r.Worker != "rescuer" || r.Attempt != 2 {
		t.Fatalf("result %+v, want ok 0.5 from the rescuer on attempt 2", r)
	}
	hist, err := c.q.results.History(context.Background(), resultKey("b", "victim"))
	if err != nil || len(hist) != 1 {
		t.Fatalf("the result was written %d times (%v), want once", len(hist), err)
	}
}

func TestDeadlinesDeadLettersAndFailures(t *testing.T) {
	url := embedded(t)
	cfg := Config{AckWait: 500 * time.Millisecond, MaxDeliver: 2}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	t.Run("no worker: the client answers timeout after the deadline", func(t *testing.T) {
		c := dial(t, url, Config{Stream: "NOWORKERS", Subject: "nowork", Bucket: "nowork", AckWait: cfg.AckWait, MaxDeliver: 2})
		c.Grace = 100 * time.Millisecond
		res, err := c.Score(ctx, "late", []Job{slowJob("a", 10, 1, 300*time.Millisecond)})
		if err != nil || res[0].Status != answer.StatusTimeout || c.Stats().Timeouts != 1 {
			t.Fatalf("%v %+v %+v, want a timeout", err, res, c.Stats())
		}
	})

	c := dial(t, url, cfg)
	inproc := testScorers()
	delete(inproc, "crash") // it would exit this test process
	w, err := NewWorker(ctx, url, WorkerConfig{Queue: cfg, Name: "inproc", Scorers: inproc})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	wctx, stop := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() { w.Run(wctx); close(ran) }()

	expired := slowJob("expired", 10, 1, -time.Second)
	overrun := slowJob("overrun", 5000, 1, 300*time.Millisecond)
	failing := Job{ID: "failing", DataSource: "fail", Deadline: time.Now().Add(30 * time.Second)}
	unknown := Job{ID: "unknown", DataSource: "no-such-reward", Deadline: time.Now().Add(30 * time.Second)}
	res, err := c.Score(ctx, "mixed", []Job{expired, overrun, failing, unknown})
	if err != nil {
		t.Fatal(err)
	}
	want := []answer.Status{answer.StatusTimeout, answer.StatusTimeout, answer.StatusError, answer.StatusError}
	for i, r := range res {
		if r.Status != want[i] {
			t.Errorf("%s: %+v, want %s", r.ID, r, want[i])
		}
	}
	if st := w.Stats(); st.Expired != 2 || st.Retried != 1 || st.DeadLetter != 1 {
		t.Errorf("worker stats %+v, want 2 expired, 1 retried, 1 dead letter", st)
	}
	stop()
	<-ran // only worker processes take the poison job below

	t.Run("a job that kills every worker becomes a dead letter", func(t *testing.T) {
		crash := Job{ID: "poison", DataSource: "crash", Deadline: time.Now().Add(40 * time.Second)}
		var wg sync.WaitGroup
		var res []Result
		var err error
		wg.Go(func() { res, err = c.Score(ctx, "poison", []Job{crash}) })
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		for n := 0; ; n++ { // keep a worker alive: each one dies on the job
			select {
			case <-done:
				if err != nil || res[0].Status != answer.StatusError || c.Stats().DeadLetter != 1 {
					t.Fatalf("%v %+v %+v, want a dead letter", err, res, c.Stats())
				}
				return
			default:
			}
			if n > 10 {
				t.Fatal("more than 10 worker processes died without a dead letter")
			}
			cmd := startWorker(t, url, fmt.Sprintf("victim%d", n), cfg)
			exited := make(chan struct{})
			go func() { cmd.Wait(); close(exited) }()
			select {
			case <-exited:
			case <-done:
			}
		}
	})
}

func TestCodeJobsRunInTheSandbox(t *testing.T) {
	url := embedded(t)
	c := dial(t, url, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	w, err := NewWorker(ctx, url, WorkerConfig{Name: "code"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	go w.Run(ctx)
	tests := `{"inputs": ["1 2\n", "5 5\n"], "outputs": ["3\n", "10\n"]}`
	right := "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
	half := "```python\na, b = map(int, input().split())\nprint(a + b if a < 5 else 0)\n```"
	dl := time.Now().Add(30 * time.Second)
	res, err := c.Score(ctx, "code", []Job{
		{ID: "right", DataSource: "code", Solution: right, GroundTruth: tests, Deadline: dl},
		{ID: "half", DataSource: "code", Solution: half, GroundTruth: tests, Deadline: dl},
		{ID: "halfall", DataSource: "code_all", Solution: half, GroundTruth: tests, Deadline: dl},
		{ID: "prose", DataSource: "code", Solution: "the answer is 3", GroundTruth: tests, Deadline: dl},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		score  float64
		status answer.Status
		detail string
	}{{1, answer.StatusOK, "ok 2/2"}, {0.5, answer.StatusOK, "wrong_answer 1/2"}, {0, answer.StatusOK, "wrong_answer 1/2"}, {0, answer.StatusUnparsable, "no_code 0/2"}}
	for i, r := range res {
		if r.Status != want[i].status || r.Score != want[i].score || r.Detail != want[i].detail {
			t.Errorf("%s: %+v, want score %v detail %q", r.ID, r, want[i].score, want[i].detail)
		}
	}
}

func TestBadBatchesAreRefused(t *testing.T) {
	c := dial(t, embedded(t), Config{})
	cases := []struct {
		name  string
		batch string
		jobs  []Job
		want  string
	}{
		{"a batch name with a dot", "a.b", nil, `batch "a.b"`},
		{"an empty job id", "ok", []Job{{ID: ""}}, `job id ""`},
		{"a repeated job id", "ok", []Job{{ID: "x"}, {ID: "x"}}, `"x" appears twice`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Score(context.Background(), tc.batch, tc.jobs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %s", err, tc.want)
			}
		})
	}
}
