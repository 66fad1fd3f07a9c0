package tool

import (
	"context"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/reward"
	"github.com/ascent-rl/ascent/rollout"
)

// scripted is a policy double: turn k of every prompt samples turns[k] (up to a stop token).
type scripted struct {
	t     *testing.T
	enc   func(string) ([]int, error)
	turns []string
	calls int
}

func (s *scripted) Sample(_ context.Context, prompts [][]int, n int, p engine.SamplingParams) ([]engine.Sequence, error) {
	ids, err := s.enc(s.turns[s.calls])
	if err != nil {
		s.t.Fatal(err)
	}
	s.calls++
	for i, id := range ids { // the engine stops at (and keeps) the first stop token
		for _, st := range p.StopTokens {
			if id == st {
				ids = ids[:i+1]
				break
			}
		}
	}
	out := make([]engine.Sequence, len(prompts)*n)
	for i := range out {
		out[i] = engine.Sequence{PromptIndex: i / n, Tokens: ids, LogProbs: make([]float32, len(ids)), FinishReason: "stop"}
	}
	return out, nil
}

func TestMultiTurnInsertsTheCalculatorsAnswerMaskedOutOfTheLoss(t *testing.T) {
	var counts Counts
	r, tok := charResponder(&counts)
	stop, err := StopTokens(Tiny{}, tok.Encode)
	if err != nil {
		t.Fatal(err)
	}
	pol := &scripted{t: t, enc: tok.Encode, turns: []string{`\calc{4821*937}`, ` \boxed{4517277}`}}
	verify := func(_ context.Context, items []rollout.Item) ([]reward.Result, error) {
		out := make([]reward.Result, len(items))
		for i, it := range items {
			v := answer.Verify(it.Example.GroundTruth, it.Text, answer.DefaultOptions())
			out[i] = reward.Result{Verdict: v}
		}
		return out, nil
	}
	prompt, _ := tok.Encode("4821*937=")
	w := rollout.MultiTurn{N: 2, MaxTurns: 3, MaxTokens: 48, Params: engine.SamplingParams{MaxTokens: 48, StopTokens: stop},
		Tool: r, Decode: r.Decode, Verify: verify}
	groups, err := w.Run(context.Background(), []rollout.Task{{Prompt: prompt}}, pol, 1)
	if err != nil {
		t.Fatal(err)
	}
	groups[0].Task.Example.GroundTruth = "4517277"
	tr := groups[0].Trajectories[0]
	if want := `\calc{4821*937}=4517277 \boxed{4517277}`; tr.Text != want {
		t.Fatalf("text %q, want %q", tr.Text, want)
	}
	var mask strings.Builder
	for _, m := range tr.LossMask {
		mask.WriteByte("01"[int(m)])
	}
	if want := strings.Repeat("1", 15) + strings.Repeat("0", 8) + strings.Repeat("1", 16); mask.String() != want {
		t.Fatalf("loss mask %s\nwant      %s", mask.String(), want)
	}
	if pol.calls != 2 || len(tr.Steps) != 2 {
		t.Fatalf("%d sampler calls, %d steps; want 2 and 2", pol.calls, len(tr.Steps))
	}
	if c := counts.Calls.Load(); c != 2 {
		t.Fatalf("%d calls counted, want 2 (one per trajectory)", c)
	}
}
