package rollout

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/internal/testutil"
	"github.com/ascent-rl/ascent/reward"
)

// scripted is a sampler whose k-th response to any prompt is reply(prompt, k, seed).
type scripted struct {
	reply func(prompt []int, k int, seed uint64) []int
	calls [][][]int // prompts of every call
}

func (s *scripted) Sample(_ context.Context, prompts [][]int, n int, p engine.SamplingParams) ([]engine.Sequence, error) {
	s.calls = append(s.calls, prompts)
	var out []engine.Sequence
	for i, pr := range prompts {
		for k := range n {
			toks := s.reply(pr, k, p.Seed)
			toks = toks[:min(len(toks), p.MaxTokens)]
			lp := make([]float32, len(toks))
			for j := range lp {
				lp[j] = -0.5
			}
			out = append(out, engine.Sequence{PromptIndex: i, Prompt: pr, Tokens: toks, LogProbs: lp, FinishReason: "stop"})
		}
	}
	return out, nil
}

// digits decodes token t as the digit t%10.
func digits(ids []int) string {
	var b strings.Builder
	for _, t := range ids {
		fmt.Fprint(&b, t%10)
	}
	return b.String()
}

// lastIs accepts a response whose last character is the ground truth.
func lastIs(_ context.Context, items []Item) ([]reward.Result, error) {
	out := make([]reward.Result, len(items))
	for i, it := range items {
		ok := strings.HasSuffix(it.Text, it.Example.GroundTruth)
		out[i] = reward.Result{Verdict: answer.Verdict{Correct: ok, Status: answer.StatusOK}}
		if ok {
			out[i].Score = 1
		}
	}
	return out, nil
}

func tasks(truths ...string) []Task {
	var ts []Task
	for i, gt := range truths {
		ts = append(ts, Task{Example: data.Example{ID: fmt.Sprint("row", i), GroundTruth: gt}, Prompt: []int{1, 2 + i}})
	}
	return ts
}

func TestSingleTurnGroupsResponsesByTaskAndVerifiesThem(t *testing.T) {
	s := &scripted{reply: func(p []int, k int, _ uint64) []int { return []int{p[1], k} }}
	var phases []string
	w := SingleTurn{N: 3, Params: engine.SamplingParams{MaxTokens: 4}, Decode: digits, Verify: lastIs,
		Phase: func(n string) { phases = append(phases, n) }}
	gs, err := w.Run(context.Background(), tasks("1", "2"), s, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != 2 || len(gs[0].Trajectories) != 3 {
		t.Fatalf("groups %d, trajectories %d: want 2 × 3", len(gs), len(gs[0].Trajectories))
	}
	for gi, g := range gs {
		for k, tr := range g.Trajectories {
			if want := []int{2 + gi, k}; !slices.Equal(tr.Tokens, want) || tr.LossMask != nil {
				t.Errorf("group %d trajectory %d: tokens %v mask %v, want %v and no mask", gi, k, tr.Tokens, tr.LossMask, want)
			}
			if want := k == gi+1; tr.Verdict.Correct != want {
				t.Errorf("group %d trajectory %d (%q): correct %v, want %v", gi, k, tr.Text, tr.Verdict.Correct, want)
			}
		}
	}
	if got := gs[0].Correct(); got != 1 {
		t.Errorf("group 0 correct %d, want 1", got)
	}
	if !slices.Equal(phases, []string{"rollout", "reward", ""}) {
		t.Errorf("phases %v", phases)
	}
}

// echoTool inserts [9, 9] after each turn and stops after turn `stop`.
type echoTool struct{ stop int }

func (e echoTool) Respond(_ context.Context, _ Task, t *Trajectory) (Reply, error) {
	turn := len(t.Steps)
	return Reply{Tokens: []int{9, 9}, Reward: float64(turn), Done: turn == e.stop}, nil
}

func TestMultiTurnIsTokenInTokenOutWithToolTokensMasked(t *testing.T) {
	s := &scripted{reply: func(p []int, k int, _ uint64) []int { return []int{len(p), 5} }}
	w := MultiTurn{N: 1, MaxTurns: 5, MaxTokens: 30, Params: engine.SamplingParams{MaxTokens: 8}, Tool: echoTool{stop: 3},
		Decode: digits, Verify: lastIs}
	gs, err := w.Run(context.Background(), tasks("5"), s, 1)
	if err != nil {
		t.Fatal(err)
	}
	tr := gs[0].Trajectories[0]
	// turn 1 sees the prompt (2 tokens), turn 2 the prompt + 2 sampled + 2 inserted, and so on.
	want := []int{2, 5, 9, 9, 6, 5, 9, 9, 10, 5}
	if !slices.Equal(tr.Tokens, want) {
		t.Fatalf("tokens %v, want %v", tr.Tokens, want)
	}
	if m := []float32{1, 1, 0, 0, 1, 1, 0, 0, 1, 1}; !slices.Equal(tr.LossMask, m) {
		t.Errorf("loss mask %v, want %v", tr.LossMask, m)
	}
	if lp := tr.LogProbs; len(lp) != len(want) || lp[2] != 0 || lp[0] != -0.5 {
		t.Errorf("log-probs %v: want the sampler's at sampled tokens, 0 at inserted ones", lp)
	}
	for i, call := range s.calls {
		if prefix := append([]int{1, 2}, want[:4*i]...); !slices.Equal(call[0], prefix) {
			t.Errorf("turn %d was sampled on %v, want the exact tokens so far %v", i+1, call[0], prefix)
		}
	}
	if got := tr.StepRewards(); !slices.Equal(got, []float64{1, 2, 3}) {
		t.Errorf("step rewards %v, want [1 2 3]", got)
	}
	if tr.Steps[1] != (Step{Start: 4, End: 6, Reward: 2}) {
		t.Errorf("step 2 %+v", tr.Steps[1])
	}
	if !tr.Verdict.Correct || tr.Text != "2599659905" {
		t.Errorf("verdict %+v on %q", tr.Verdict, tr.Text)
	}
}

func TestMultiTurnStopsAtTheTokenBudget(t *testing.T) {
	s := &scripted{reply: func(p []int, k int, _ uint64) []int { return []int{4, 4, 4} }}
	w := MultiTurn{N: 2, MaxTurns: 10, MaxTokens: 9, Params: engine.SamplingParams{MaxTokens: 8}, Tool: echoTool{stop: -1},
		Decode: digits, Verify: lastIs}
	gs, err := w.Run(context.Background(), tasks("4"), s, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range gs[0].Trajectories {
		if len(tr.Tokens) > 9 || len(tr.Steps) != 2 {
			t.Errorf("%d tokens in %d steps: want ≤ 9 tokens in 2 steps", len(tr.Tokens), len(tr.Steps))
		}
	}
	if _, err := (MultiTurn{N: 1}).Run(context.Background(), tasks("1"), s, 1); err == nil {
		t.Error("max_turns 0 accepted")
	}
}

// longReply inserts six tokens after task 0's turns and one after the others'.
type longReply struct{}

func (longReply) Respond(_ context.Context, task Task, _ *Trajectory) (Reply, error) {
	if task.Example.ID == "row0" {
		return Reply{Tokens: []int{9, 9, 9, 9, 9, 9}}, nil
	}
	return Reply{Tokens: []int{9}}, nil
}

func TestMultiTurnBudgetIsPerTrajectory(t *testing.T) {
	s := &scripted{reply: func(p []int, k int, _ uint64) []int { return []int{4, 4, 4, 4, 4} }}
	w := MultiTurn{N: 1, MaxTurns: 2, MaxTokens: 12, Params: engine.SamplingParams{MaxTokens: 8}, Tool: longReply{},
		Decode: digits, Verify: lastIs}
	gs, err := w.Run(context.Background(), tasks("4", "4"), s, 1)
	if err != nil {
		t.Fatal(err)
	}
	// After turn 1, task 0 has 5 + 6 = 11 of its 12 tokens used, task 1 only 5 + 1 = 6.
	a, b := gs[0].Trajectories[0], gs[1].Trajectories[0]
	if st := a.Steps[1]; st.End-st.Start != 1 || a.FinishReason != "length" || len(a.Tokens) != 12 {
		t.Errorf("task 0: turn 2 has %d tokens (finish %q, %d in all), want 1 cut by length, 12 in all", st.End-st.Start, a.FinishReason, len(a.Tokens))
	}
	if st := b.Steps[1]; st.End-st.Start != 5 || b.FinishReason != "stop" {
		t.Errorf("task 1: turn 2 has %d tokens (finish %q), want its own 5 (another trajectory's budget must not cut it)", st.End-st.Start, b.FinishReason)
	}
	if len(a.LogProbs) != len(a.Tokens) || len(a.LossMask) != len(a.Tokens) {
		t.Errorf("task 0: %d tokens, %d log-probs, %d mask entries", len(a.Tokens), len(a.LogProbs), len(a.LossMask))
	}
}

func TestCollect(t *testing.T) {
	allRight := func(p []int, k int, _ uint64) []int { return []int{p[1] - 1} }
	// Tasks 0, 2, 4, … get one right and two wrong answers; tasks 1, 3, … only right ones.
	mixed := func(p []int, k int, _ uint64) []int {
		if p[1]%2 == 0 {
			return []int{0}
		}
		return []int{k}
	}
	acc, err := TrajectoryMetric(MetricAcc)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		reply     func([]int, int, uint64) []int
		refill    Refill
		wantN     int
		wantCalls int
		wantErr   string
	}{
		{"without a filter one round is kept whole", allRight, Refill{Groups: 3}, 3, 1, ""},
		{"a filter drops constant groups and refills", mixed, Refill{Groups: 3, Filter: NonConstant(acc), MaxRounds: 5}, 3, 3, ""},
		{"constant groups exhaust the rounds", allRight, Refill{Groups: 2, Filter: NonConstant(acc), MaxRounds: 3}, 0, 3, "after 3 rounds only 0 of 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &scripted{reply: c.reply}
			next := 0
			nextTasks := func(n int) ([]Task, error) {
				var ts []Task
				for range n {
					ts = append(ts, Task{Example: data.Example{ID: fmt.Sprint(next), GroundTruth: "0"}, Prompt: []int{1, 1 + next%10}})
					next++
				}
				return ts, nil
			}
			observed := 0
			c.refill.Observe = func(*Group, bool) { observed++ }
			w := SingleTurn{N: 3, Params: engine.SamplingParams{MaxTokens: 2}, Decode: digits, Verify: lastIs}
			gs, err := Collect(context.Background(), w, s, nextTasks, func(r int) uint64 { return uint64(r) }, c.refill)
			if testutil.WantErr(t, err, c.wantErr) {
				return
			}
			if len(gs) != c.wantN || len(s.calls) != c.wantCalls || observed != next {
				t.Errorf("%d groups in %d rounds (%d observed of %d drawn): want %d in %d", len(gs), len(s.calls), observed, next, c.wantN, c.wantCalls)
			}
		})
	}
}

func TestRefillScalesTheTasksDrawnPerRound(t *testing.T) {
	drawn := 0
	next := func(n int) ([]Task, error) { drawn += n; return tasks(slices.Repeat([]string{"x"}, n)...), nil }
	s := &scripted{reply: func(p []int, k int, _ uint64) []int { return []int{k} }}
	keepAll := func(gs []*Group) ([]bool, error) { return slices.Repeat([]bool{true}, len(gs)), nil }
	w := SingleTurn{N: 2, Params: engine.SamplingParams{MaxTokens: 2}, Decode: digits, Verify: lastIs}
	gs, err := Collect(context.Background(), w, s, next, func(int) uint64 { return 0 }, Refill{Groups: 4, Filter: keepAll, Scale: 2.5})
	if err != nil {
		t.Fatal(err)
	}
	if drawn != 10 || len(gs) != 4 {
		t.Errorf("drew %d tasks and kept %d groups, want 10 and 4", drawn, len(gs))
	}
}

func TestSelectionSteps(t *testing.T) {
	mk := func(rewards ...float64) *Group {
		g := &Group{Task: Task{Example: data.Example{ID: "r"}}}
		for _, r := range rewards {
			g.Trajectories = append(g.Trajectories, Trajectory{Reward: r, Score: r, Verdict: answer.Verdict{Correct: r > 0}})
		}
		return g
	}
	seq, _ := TrajectoryMetric(MetricSeqReward)
	keep, err := NonConstant(seq)([]*Group{mk(1, 1), mk(1, 0.5), mk(0), mk(-1, -1)})
	if err != nil || !slices.Equal(keep, []bool{false, true, true, false}) {
		t.Errorf("NonConstant = %v, %v: want [false true true false] (a single trajectory is kept)", keep, err)
	}
	acc, _ := TrajectoryMetric(MetricAcc)
	if keep, _ := NonConstant(acc)([]*Group{mk(1, 0.5)}); keep[0] {
		t.Error("acc filter kept a group whose trajectories are all correct")
	}
	if _, err := TrajectoryMetric("bogus"); err == nil || !strings.Contains(err.Error(), "acc") {
		t.Errorf("unknown metric: %v, want the valid names", err)
	}
	g := mk(1, 2, 3, 4)
	if err := FirstN([]*Group{g}, 2); err != nil || !slices.Equal(g.Rewards(), []float64{1, 2}) {
		t.Errorf("FirstN: %v, rewards %v: want the first two", err, g.Rewards())
	}
	if err := FirstN([]*Group{g}, 3); err == nil {
		t.Error("FirstN of more trajectories than the group has")
	}
	gs := []*Group{mk(1, 1), mk(0, 0)}
	n, err := Route(gs, func(g *Group) (bool, error) { return g.Correct() == 0, nil })
	if err != nil || n != 1 || gs[0].Demo || !gs[1].Demo {
		t.Errorf("Route: %d, %v, demo %v %v", n, err, gs[0].Demo, gs[1].Demo)
	}
}

func TestProbsDiff(t *testing.T) {
	m := ProbsDiff([][]float32{{0, -1}, {0}}, [][]float32{{0, -1}, {-0.6931472}})
	if m["training/rollout_probs_diff_max"] < 0.49 || m["training/rollout_probs_diff_max"] > 0.51 || m["training/rollout_probs_diff_mean"] > 0.17 {
		t.Errorf("%v: want max 0.5 and mean 0.5/3", m)
	}
}
