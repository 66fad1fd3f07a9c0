package trainer

import (
	"context"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/engine/openai"
	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/rollout"
	"github.com/ascent-rl/ascent/track"
)

// runOpened runs cfg like Run does, after prepare has adjusted the opened trainer.
func runOpened(t *testing.T, cfg Config, prepare func(*Trainer)) (Summary, error) {
	t.Helper()
	tr, err := open(cfg, "", io.Discard, learnerFunc(local.NewLearner), remoteFunc(openai.Dial))
	if err != nil {
		t.Fatal(err)
	}
	if prepare != nil {
		prepare(tr)
	}
	sum, err := tr.loop(context.Background())
	tr.run.Finish(track.StatusCompleted)
	return sum, err
}

// deterministic drops what measures wall time or the producer's progress, which differ between
// two runs of the same computation.
func deterministic(m map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range m {
		if strings.HasPrefix(k, "timing_s/") || strings.HasPrefix(k, "perf/") || k == "async/buffer_fill" {
			continue
		}
		out[k] = v
	}
	return out
}

// The producer at max_staleness 0 samples step k with version k−1, as the synchronous loop does:
// every metric but the async ones and the timings is bit-for-bit the synchronous run's.
func TestTheProducerAtStalenessZeroIsTheSynchronousLoop(t *testing.T) {
	cfg := smallConfig(t, "grpo", "run.steps=3")
	cfg.Run.Name = "sync"
	syncSum, err := runOpened(t, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Run.Name = "producer"
	asyncSum, err := runOpened(t, cfg, func(tr *Trainer) { tr.forceAsync = true })
	if err != nil {
		t.Fatal(err)
	}
	want, got := readMetrics(t, syncSum.RunDir), readMetrics(t, asyncSum.RunDir)
	if len(want) != 3 || len(got) != 3 {
		t.Fatalf("%d and %d metric lines, want 3", len(want), len(got))
	}
	for i := range want {
		if got[i]["async/staleness/max"] != 0 {
			t.Errorf("step %d: staleness %v at max_staleness 0", i+1, got[i]["async/staleness/max"])
		}
		g := deterministic(got[i])
		for k, v := range deterministic(want[i]) {
			if g[k] != v {
				t.Errorf("step %d: %s = %v with the producer, %v synchronous", i+1, k, g[k], v)
			}
			delete(g, k)
		}
		for k := range g {
			if !strings.HasPrefix(k, "async/") {
				t.Errorf("step %d: %s only with the producer", i+1, k)
			}
		}
	}
	if syncSum.EvalAfter != asyncSum.EvalAfter {
		t.Errorf("held-out accuracy %v with the producer, %v synchronous", asyncSum.EvalAfter, syncSum.EvalAfter)
	}
}

// At max_staleness 1 every step after the first trains on rollouts exactly one version old —
// one version per RL step, however many optimizer updates the step takes (two here) — and the
// decoupled objective's weights are logged.
func TestStalenessIsCountedInRLStepsAndBounded(t *testing.T) {
	cfg := smallConfig(t, "grpo", "run.steps=4", "async.max_staleness=1", "async.decoupled.cap=2")
	sum, err := Run(context.Background(), cfg, "", nil, local.NewLearner, openai.Dial)
	if err != nil {
		t.Fatal(err)
	}
	rows := readMetrics(t, sum.RunDir)
	if len(rows) != 4 {
		t.Fatalf("%d metric lines", len(rows))
	}
	for i, m := range rows {
		want := math.Min(float64(i), 1)
		if m["async/staleness/max"] != want || m["async/staleness/mean"] != want {
			t.Errorf("step %d: staleness mean %v max %v, want %v", i+1, m["async/staleness/mean"], m["async/staleness/max"], want)
		}
		if m["actor/num_updates"] != 2 {
			t.Errorf("step %d: %v updates, the test wants 2 per step", i+1, m["actor/num_updates"])
		}
		for _, k := range []string{"async/buffer_fill", "async/dropped_stale", "timing_s/sampler_idle", "timing_s/learner_idle", "training/rollout_is_mean", "training/rollout_is_masked_frac"} {
			if v, ok := m[k]; !ok || math.IsNaN(v) || v < 0 {
				t.Errorf("step %d: %s = %v (present %v)", i+1, k, v, ok)
			}
		}
		if f := m["async/buffer_fill"]; f <= 0 || f > 1 {
			t.Errorf("step %d: buffer fill %v outside (0, 1]", i+1, f)
		}
	}
}

// blockingSampler never answers: the wedged request of the failure reports.
type blockingSampler struct{ Learner }

func (blockingSampler) Sample(ctx context.Context, _ [][]int, _ int, _ engine.SamplingParams) ([]engine.Sequence, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func (b blockingSampler) SetWeights(p *model.Params) error {
	return b.Learner.(interface{ SetWeights(*model.Params) error }).SetWeights(p)
}

// A producer whose sampler hangs does not hang the run: the learner's wait for the batch ends at
// async.wait_timeout_s with what it waited for.
func TestAStuckProducerFailsTheRunAtTheDeadline(t *testing.T) {
	cfg := smallConfig(t, "grpo", "run.steps=2", "sft.steps=0", "async.max_staleness=1", "async.wait_timeout_s=1")
	_, err := runOpened(t, cfg, func(tr *Trainer) {
		inner := tr.newLearner
		tr.newLearner = func(p *model.Params, o engine.OptimizerConfig) (Learner, error) {
			l, err := inner(p, o)
			return blockingSampler{l}, err
		}
	})
	if err == nil || !strings.Contains(err.Error(), "waited 1s for step 1's batch (buffer holds 0/8 groups") {
		t.Fatalf("error %v, want the learner's deadline on step 1's batch", err)
	}
}

func TestDropStaleKeepsOnlyGroupsWithinTheBound(t *testing.T) {
	g := &rollout.Group{Trajectories: make([]rollout.Trajectory, 3)}
	cases := []struct {
		name                  string
		version, learner, eta int
		wantKept, wantDropped int
		wantStaleness         float64
	}{
		{"on the bound", 3, 5, 2, 2, 0, 2},
		{"one version over", 2, 5, 2, 0, 2, 0},
		{"from the future", 6, 5, 2, 0, 2, 0},
	}
	mixed := &rollout.Group{Trajectories: []rollout.Trajectory{{TokenVersions: []int{3, 3, 4}}, {TokenVersions: []int{2, 4}}}}
	kept, dropped, stale := dropStale(&asyncBatch{Version: 3, Groups: []*rollout.Group{mixed}}, 5, 2)
	if len(kept) != 0 || dropped != 1 || stale != nil {
		t.Errorf("a group with a token 3 versions old: kept %d dropped %d staleness %v; want it dropped by its oldest token", len(kept), dropped, stale)
	}
	kept, _, stale = dropStale(&asyncBatch{Version: 3, Groups: []*rollout.Group{mixed}}, 4, 2)
	if len(kept) != 1 || !slices.Equal(stale, []float64{1, 2}) {
		t.Errorf("continued trajectories: kept %d, staleness %v; want 1 group, [1 2] (their oldest tokens)", len(kept), stale)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kept, dropped, stale := dropStale(&asyncBatch{Version: c.version, Groups: []*rollout.Group{g, g}}, c.learner, c.eta)
			if len(kept) != c.wantKept || dropped != c.wantDropped {
				t.Fatalf("kept %d dropped %d, want %d and %d", len(kept), dropped, c.wantKept, c.wantDropped)
			}
			if c.wantKept > 0 && (len(stale) != 6 || stale[0] != c.wantStaleness) {
				t.Fatalf("staleness %v", stale)
			}
		})
	}
}

func TestBadAsyncConfigIsRejectedBeforeAnyWork(t *testing.T) {
	cases := []struct {
		name string
		sets []string
		want string
	}{
		{"a negative staleness", []string{"async.max_staleness=-1"}, "async.max_staleness = -1"},
		{"a buffer smaller than one step", []string{"async.max_staleness=1", "async.buffer_groups=2"}, "async.buffer_groups = 2 is smaller than one step's 4 groups"},
		{"a buffer smaller than the steps run ahead", []string{"async.max_staleness=3", "async.buffer_groups=8"}, "smaller than the 3 × 4 groups"},
		{"an IS band with low > high", []string{"async.mis.low=3", "async.mis.high=2"}, "low > high"},
		{"two corrections at once", []string{"async.mis.high=2", "async.decoupled.cap=2"}, "turn on one"},
		{"a negative deadline", []string{"async.wait_timeout_s=-1"}, "async.wait_timeout_s"},
		{"an unknown partial mode", []string{"async.max_staleness=1", "async.partial=resume"}, `async.partial = "resume": want one of finish, continue`},
		{"a negative segment", []string{"async.max_staleness=1", "async.partial=continue", "async.segment_tokens=-2"}, "async.segment_tokens = -2"},
		{"continue without staleness", []string{"async.partial=continue"}, "needs async.max_staleness ≥ 1"},
		{"more sampler threads than cores", []string{"async.max_staleness=1", "async.local.sampler_threads=100000"}, "async.local.sampler_threads = 100000: want 0 (share every core) to"},
		{"negative sampler threads", []string{"async.max_staleness=1", "async.local.sampler_threads=-1"}, "async.local.sampler_threads = -1"},
		{"a core split without staleness", []string{"async.local.sampler_threads=1"}, "needs async.max_staleness ≥ 1"},
		{"a core split with remote rollouts", []string{"async.max_staleness=1", "async.local.sampler_threads=1", "rollout.endpoints=[http://127.0.0.1:1/v1]"}, "rollouts come from rollout.endpoints"},
		{"a split over the machine's cores", []string{"async.max_staleness=1", "async.local.sampler_threads=1", "async.local.learner_threads=100000"}, "async.local.learner_threads = 100000"},
		{"a split over the machine's cores", []string{"async.max_staleness=1", fmt.Sprintf("async.local.sampler_threads=%d", runtime.NumCPU()), "async.local.learner_threads=1"}, "is more than the"},
		{"learner threads without staleness", []string{"async.local.learner_threads=1"}, "needs async.max_staleness ≥ 1"},
		{"continue with tools", []string{"async.max_staleness=1", "async.partial=continue", "rollout.tools=[calc]"}, "continues single-turn generation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := []string{"algo.batch.prompts=4", "algo.batch.mini_batch_prompts=2", "run.out=" + t.TempDir()}
			_, err := LoadConfig("grpo", "", append(base, c.sets...))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want error containing %q, got %v", c.want, err)
			}
		})
	}
}
