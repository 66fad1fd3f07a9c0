package trainer

import (
	"context"
	"io"
	"math"
	"slices"
	"testing"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/internal/testutil"
	"github.com/ascent-rl/ascent/model/tokenizer"
	"github.com/ascent-rl/ascent/rollout"
	"github.com/ascent-rl/ascent/track"
)

// scriptedPolicy is the real learner whose Sample is replaced by a script: the k-th response of a
// call is reply(k) tokens of the character "(" (never an answer) followed by EOS.
type scriptedPolicy struct {
	Learner
	eos   int
	seven int
	reply func(k int) int
}

func (s scriptedPolicy) Sample(_ context.Context, prompts [][]int, n int, p engine.SamplingParams) ([]engine.Sequence, error) {
	var out []engine.Sequence
	for i, pr := range prompts {
		for k := range n {
			toks := append(slices.Repeat([]int{s.seven}, s.reply(k)), s.eos)
			out = append(out, engine.Sequence{PromptIndex: i, Prompt: pr, Tokens: toks, LogProbs: make([]float32, len(toks)), FinishReason: "stop"})
		}
	}
	return out, nil
}

// openScripted opens a trainer for cfg whose policy samples by reply.
func openScripted(t *testing.T, cfg Config, reply func(k int) int) *Trainer {
	t.Helper()
	tr, err := open(cfg, "", io.Discard, learnerFunc(local.NewLearner), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.run.Finish(track.StatusCompleted) })
	seven, err := tr.tok.Encode("(")
	if err != nil {
		t.Fatal(err)
	}
	tr.policy = scriptedPolicy{Learner: tr.policy, eos: tr.tok.Specials().EOS, seven: seven[0], reply: reply}
	return tr
}

// TestCollectFiltersOnTheConfiguredMetric: every response is wrong, but their lengths differ, so
// DAPO's overlong penalty makes the shaped rewards vary while accuracy is constant. Filtering on
// acc (the default) finds no group to keep; filtering on seq_final_reward keeps every one.
func TestCollectFiltersOnTheConfiguredMetric(t *testing.T) {
	lengths := func(k int) int { return []int{1, 30, 34, 2}[k] } // max_response_len 36, buffer 8
	cases := []struct {
		metric  string
		wantErr string
	}{
		{"acc", "after 2 rounds only 0 of 4"},
		{"seq_final_reward", ""},
	}
	for _, c := range cases {
		t.Run(c.metric, func(t *testing.T) {
			cfg := smallConfig(t, "dapo", "algo.reward.filter_groups.metric="+c.metric, "sft.steps=0")
			cfg.Algo.Reward.FilterGroups.MaxGenBatches = 2
			tr := openScripted(t, cfg, lengths)
			groups, st, _, err := tr.collect(context.Background(), 1)
			if testutil.WantErr(t, err, c.wantErr) {
				return
			}
			if len(groups) != 4 || st.filtered != 0 {
				t.Fatalf("%d groups, %d filtered: want 4 kept, none filtered", len(groups), st.filtered)
			}
			rw := groups[0].Rewards()
			if rw[0] != -1 || rw[2] >= rw[1] || rw[1] >= -1 {
				t.Errorf("rewards %v: want -1 for the short response and more penalty the longer", rw)
			}
		})
	}
}

func TestCollectKeepsTheFirstNOfTheVotes(t *testing.T) {
	cfg := smallConfig(t, "ttrl", "sft.steps=0")
	tr := openScripted(t, cfg, func(k int) int { return k + 1 })
	groups, _, vm, err := tr.collect(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 4 || len(groups[0].Trajectories) != 2 || vm.n != 4 {
		t.Fatalf("%d groups of %d trajectories, %d diagnosed: want 4 of n_train 2, 4 diagnosed", len(groups), len(groups[0].Trajectories), vm.n)
	}
	if got := len(groups[0].Trajectories[1].Tokens); got != 3 {
		t.Errorf("second kept trajectory has %d tokens, want the second sampled (3)", got)
	}
}

func TestShapeRewards(t *testing.T) {
	traj := func(n int, correct bool, score float64) rollout.Trajectory {
		return rollout.Trajectory{Tokens: make([]int, n), Score: score, Verdict: answer.Verdict{Correct: correct, Status: answer.StatusOK}}
	}
	cases := []struct {
		name   string
		sets   []string
		scores []float64 // the verifier's scores of the three trajectories (correct, incorrect, incorrect)
		want   []float64
	}{
		{"correct and incorrect values", []string{"algo.reward.correct=2", "algo.reward.incorrect=-0.5"}, []float64{1, 0, 0}, []float64{2, -0.5, -0.5}},
		{"overlong penalty on the last buffer tokens", []string{"algo.reward.overlong.enabled=true", "algo.reward.overlong.buffer=8", "algo.reward.overlong.factor=1"},
			[]float64{1, 0, 0}, []float64{1, -1 - 0.5, -1 - 1}},
		// P1's physics reward: one of two sub-answers right earns half the way from incorrect to correct.
		{"a graded verifier's partial credit", []string{"algo.reward.correct=1", "algo.reward.incorrect=0"}, []float64{1, 0.5, 0.25}, []float64{1, 0.5, 0.25}},
		{"partial credit between preset values", []string{"algo.reward.correct=2", "algo.reward.incorrect=-1"}, []float64{1, 0.5, 0}, []float64{2, 0.5, -1}},
		// JustRL's strict check scores −1 when wrong: clamped, it is the preset's incorrect value.
		{"a negative score is no credit", []string{"algo.reward.correct=1", "algo.reward.incorrect=0"}, []float64{1, -1, math.NaN()}, []float64{1, 0, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := &Trainer{cfg: smallConfig(t, "justrl", c.sets...)}
			g := &rollout.Group{Trajectories: []rollout.Trajectory{traj(3, true, c.scores[0]), traj(32, false, c.scores[1]), traj(36, false, c.scores[2])}}
			if _, err := tr.shapeRewards([]*rollout.Group{g}); err != nil {
				t.Fatal(err)
			}
			if got := g.Rewards(); !slices.Equal(got, c.want) {
				t.Errorf("rewards %v, want %v", got, c.want)
			}
		})
	}
}

// TestKLInReward checks algo.kl.reward_type (the estimator) and algo.kl.adaptive (β follows verl's
// controller from step to step, kept in the run state).
func TestKLInReward(t *testing.T) {
	old := [][]float32{{-1, -2}, {-0.5, 0}}
	ref := [][]float32{{-1.5, -1}, {-0.5, 0}}
	mask := [][]float64{{1, 1}, {1, 0}}
	rewards := func() [][]float64 { return [][]float64{{0, 1}, {0.5, 0}} }
	run := func(sets ...string) (*Trainer, [][]float64, metrics) {
		cfg := smallConfig(t, "justrl", append([]string{"algo.kl.in_reward=true", "algo.kl.reward_coef=0.1"}, sets...)...)
		tr := &Trainer{cfg: cfg}
		m := metrics{}
		out, err := tr.klInReward(rewards(), old, ref, mask, m)
		if err != nil {
			t.Fatal(err)
		}
		return tr, out, m
	}
	_, k1, m := run()
	if want := 1 - 0.1*(-1.0); math.Abs(k1[0][1]-want) > 1e-12 || math.Abs(k1[0][0]-(-0.05)) > 1e-12 {
		t.Errorf("k1 shaped rewards %v: want r − β(old − ref)", k1)
	}
	if want := (0.5 + -1.0) / 2 / 2; math.Abs(m["actor/reward_kl_penalty"]-want) > 1e-6 || m["actor/reward_kl_penalty_coeff"] != 0.1 {
		t.Errorf("metrics %v: want mean per-sequence KL %v at β 0.1", m, want)
	}
	_, k3, _ := run("algo.kl.reward_type=k3")
	if slices.Equal(k1[0], k3[0]) {
		t.Error("algo.kl.reward_type=k3 gave the k1 rewards")
	}
	tr, _, _ := run("algo.kl.adaptive=true", "algo.kl.target_kl=0.01", "algo.kl.horizon=4")
	if tr.state.KLCoef == nil {
		t.Fatal("adaptive: no coefficient kept in the state")
	}
	c := algo.AdaptiveKL{Beta: 0.1, Target: 0.01, Horizon: 4}
	want, _ := c.Update(-0.125, 2)
	if *tr.state.KLCoef != want || want == 0.1 {
		t.Errorf("adaptive β after one step %v, want %v (≠ 0.1)", *tr.state.KLCoef, want)
	}
	m = metrics{}
	if _, err := tr.klInReward(rewards(), old, ref, mask, m); err != nil {
		t.Fatal(err)
	}
	if m["actor/reward_kl_penalty_coeff"] != want {
		t.Errorf("second step used β %v, want the adapted %v", m["actor/reward_kl_penalty_coeff"], want)
	}
	if _, err := LoadConfig("justrl", "", []string{"algo.kl.adaptive=true"}); err == nil {
		t.Error("algo.kl.adaptive without in_reward, target_kl and horizon was accepted")
	}
}

func TestBuildRowsRoutesDemonstrationsAndKeepsLossMasks(t *testing.T) {
	cfg := smallConfig(t, "justrl", "data.task=countdown", "data.level=1")
	tr := &Trainer{cfg: cfg}
	var err error
	if tr.tok, err = tokenizer.Open(cfg.Model.Tokenizer); err != nil {
		t.Fatal(err)
	}
	ex := data.Example{ID: "r1", Demonstration: "12"}
	mask := []float32{1, 0, 1}
	groups := []*rollout.Group{
		{Task: rollout.Task{Example: ex, Prompt: []int{1}}, Trajectories: []rollout.Trajectory{
			{Tokens: []int{4, 5, 6}, LogProbs: []float32{-1, 0, -1}, LossMask: mask, Reward: 1}, {Tokens: []int{4}, Reward: -1}}},
		{Task: rollout.Task{Example: ex, Prompt: []int{1, 3}}, Demo: true},
	}
	b, err := tr.buildRows(groups)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.rows) != 3 || !slices.Equal(b.groupOf, []int{0, 0, 1}) || !slices.Equal(b.scores, []float64{1, -1, 0}) {
		t.Fatalf("rows %d, groups %v, scores %v", len(b.rows), b.groupOf, b.scores)
	}
	if !slices.Equal(b.rows[0].LossMask, mask) || b.rows[0].TrainedTokens() != 2 || b.sampler[2] != nil {
		t.Errorf("row 0 mask %v, sampler of the demonstration %v", b.rows[0].LossMask, b.sampler[2])
	}
	if d := b.rows[2]; !d.Demo || d.Response[len(d.Response)-1] != tr.tok.Specials().EOS || len(d.Response) != 3 {
		t.Errorf("demonstration row %+v: want the demonstration's tokens and EOS", d)
	}
}

func TestWithoutInertRows(t *testing.T) {
	row := func(adv ...float32) engine.Row {
		return engine.Row{Prompt: []int{1}, Response: make([]int, len(adv)), Advantages: adv}
	}
	cases := []struct {
		name       string
		rows       []engine.Row
		wantKept   int
		wantTotals bool
	}{
		{"every row has signal", []engine.Row{row(1, 0), row(0, -1)}, 2, false},
		{"zero rows are dropped but still normalise", []engine.Row{row(1), row(0, 0, 0), row(0)}, 1, true},
		{"one row is kept when all are inert", []engine.Row{row(0), row(0, 0)}, 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kept, totals := withoutInertRows(c.rows)
			if len(kept) != c.wantKept || (totals != nil) != c.wantTotals {
				t.Fatalf("kept %d, totals %v", len(kept), totals)
			}
			if totals != nil && *totals != engine.TotalsOf(c.rows) {
				t.Errorf("totals %+v, want the whole mini-batch's %+v", *totals, engine.TotalsOf(c.rows))
			}
		})
	}
}
