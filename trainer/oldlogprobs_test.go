package trainer

import (
	"slices"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/metric"
)

// subsetMetrics are the metrics of the old-log-prob pass, which cover the scored rows only when
// run.old_log_probs is "updated".
func subsetMetric(k string) bool {
	return k == metric.Entropy || k == metric.LogpAdvCov || strings.HasPrefix(k, "training/rollout_")
}

// Scoring only the rows the update reads changes no parameter: every loss, gradient, score and
// held-out metric is bit-for-bit the run that scores every row; only the pass's own statistics
// differ, and the scored share is logged.
func TestScoringOnlyUpdatedRowsTrainsTheSame(t *testing.T) {
	for _, preset := range []string{"grpo", "p1"} { // p1: GSPO with sequence-level TIS
		t.Run(preset, func(t *testing.T) {
			cfg := smallConfig(t, preset, "run.steps=3", "data.level=1", "sft.steps=40", "algo.batch.prompts=8", "algo.batch.mini_batch_prompts=4")
			cfg.Run.Name = "all"
			allSum, err := runOpened(t, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Run.Name, cfg.Run.OldLogProbs = "updated", "updated"
			updSum, err := runOpened(t, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if allSum.EvalAfter != updSum.EvalAfter {
				t.Errorf("held-out after RL: %v scoring every row, %v scoring the updated ones", allSum.EvalAfter, updSum.EvalAfter)
			}
			want, got := readMetrics(t, allSum.RunDir), readMetrics(t, updSum.RunDir)
			if len(want) != 3 || len(got) != 3 {
				t.Fatalf("%d and %d metric lines, want 3", len(want), len(got))
			}
			fewer := false
			for i := range want {
				r, ok := got[i][metric.OldLogProbRows]
				if !ok || r <= 0 || r > 1 {
					t.Errorf("step %d: %s = %v (present %v), want a share in (0, 1]", i+1, metric.OldLogProbRows, r, ok)
				}
				fewer = fewer || r < 1
				if _, ok := want[i][metric.OldLogProbRows]; ok {
					t.Errorf("step %d: %s logged when every row is scored", i+1, metric.OldLogProbRows)
				}
				g := deterministic(got[i])
				for k, v := range deterministic(want[i]) {
					if !subsetMetric(k) && g[k] != v {
						t.Errorf("step %d: %s = %v scoring the updated rows, %v scoring all", i+1, k, g[k], v)
					}
				}
			}
			if !fewer {
				t.Errorf("no step left a row unscored: the test batch has no zero-advantage group")
			}
		})
	}
}

// A critic (PPO/GAE reads every row's values) keeps scoring every row under "updated".
func TestScoringUpdatedRowsFallsBackWhereEveryRowIsRead(t *testing.T) {
	cfg := smallConfig(t, "ppo", "run.steps=1", "run.old_log_probs=updated")
	sum, err := runOpened(t, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range readMetrics(t, sum.RunDir) {
		if _, ok := m[metric.OldLogProbRows]; ok {
			t.Errorf("ppo (a critic) scored a subset of rows: %s = %v", metric.OldLogProbRows, m[metric.OldLogProbRows])
		}
	}
}

func TestUpdatedRowsAreTheNonZeroOnesAndEachGroupsFirst(t *testing.T) {
	row := func(adv ...float32) engine.Row { return engine.Row{Advantages: adv} }
	for _, tc := range []struct {
		name    string
		rows    []engine.Row
		groupOf []int
		want    []int
	}{
		{"an all-zero group keeps its first row", []engine.Row{row(0, 0), row(0), row(1, 0), row(0, -1)}, []int{0, 0, 1, 1}, []int{0, 2, 3}},
		{"a zero row inside a mixed group is left out", []engine.Row{row(0.5), row(0), row(-0.5)}, []int{0, 0, 0}, []int{0, 2}},
		{"a zero first row is kept", []engine.Row{row(0), row(1), row(-1)}, []int{0, 0, 0}, []int{0, 1, 2}},
		{"interleaved groups", []engine.Row{row(0), row(0), row(0), row(2)}, []int{0, 1, 0, 1}, []int{0, 1, 3}},
	} {
		if got := updatedRows(tc.rows, tc.groupOf); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestOldLogProbsModeIsChecked(t *testing.T) {
	if _, err := LoadConfig("grpo", "", []string{"run.old_log_probs=some"}); err == nil || !strings.Contains(err.Error(), `run.old_log_probs = "some": want one of all, updated`) {
		t.Fatalf("run.old_log_probs=some: %v", err)
	}
}
