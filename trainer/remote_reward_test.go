package trainer

import (
	"context"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/engine/openai"
	"github.com/ascent-rl/ascent/rewardq"
)

// With reward.workers.nats the same run scores its rewards on a reward worker (a real NATS server
// embedded on loopback and a worker serving the reward registry) and reaches exactly the metrics of
// the in-process run: one reward path, wherever it runs.
func TestRewardWorkersOverNATSScoreLikeTheInProcessPath(t *testing.T) {
	srv, url, err := rewardq.StartEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := rewardq.NewWorker(ctx, url, rewardq.WorkerConfig{Name: "test-worker", Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	go w.Run(ctx)

	sets := []string{"run.steps=2", "run.save_every=0", "run.name=nats-run"}
	local1 := smallConfig(t, "grpo", sets...)
	remote := smallConfig(t, "grpo", append(sets, "reward.workers.nats="+url)...)
	a, err := Run(context.Background(), local1, "", nil, local.NewLearner, openai.Dial)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(context.Background(), remote, "", nil, local.NewLearner, openai.Dial)
	if err != nil {
		t.Fatal(err)
	}
	ra, rb := readMetrics(t, a.RunDir), readMetrics(t, b.RunDir)
	if len(ra) != 2 || len(rb) != 2 {
		t.Fatalf("%d and %d metric rows, want 2 each", len(ra), len(rb))
	}
	for i := range ra {
		if rb[i]["reward/workers/jobs"] <= 0 || rb[i]["reward/workers/timeouts"] != 0 {
			t.Errorf("step %d: the workers scored nothing or timed out: %v", i+1, pick(rb[i], "reward/workers/"))
		}
		for k, v := range ra[i] {
			if strings.HasPrefix(k, "timing_s/") || strings.HasPrefix(k, "perf/") {
				continue
			}
			if rb[i][k] != v {
				t.Errorf("step %d: %s = %v on the workers, %v in-process", i+1, k, rb[i][k], v)
			}
		}
	}
	if w.Stats().Done == 0 {
		t.Error("the worker wrote no results")
	}
}

func TestAnUnreachableRewardQueueFailsBeforeAnyWork(t *testing.T) {
	cfg := smallConfig(t, "grpo", "reward.workers.nats=nats://127.0.0.1:1")
	_, err := Run(context.Background(), cfg, "", nil, local.NewLearner, openai.Dial)
	if err == nil || !strings.Contains(err.Error(), "reward.workers.nats") || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("error %v, want one naming reward.workers.nats and the URL", err)
	}
}
