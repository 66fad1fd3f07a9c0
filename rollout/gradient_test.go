package rollout

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/reward"
)

// toolTokens is what the scripted tool inserts after every turn.
var toolTokens = []int{7, 8, 9}

// scriptedTool inserts toolTokens after each of the policy's turns.
type scriptedTool struct{}

func (scriptedTool) Respond(context.Context, Task, *Trajectory) (Reply, error) {
	return Reply{Tokens: toolTokens}, nil
}

func tinyModel() *model.Params {
	cfg := model.Config{ModelType: "qwen2", VocabSize: 32, HiddenSize: 32, IntermediateSize: 64,
		NumHiddenLayers: 2, NumAttentionHeads: 4, NumKeyValueHeads: 2, MaxPositionEmbeddings: 64,
		RopeTheta: 10000, RMSNormEps: 1e-6, AttentionBias: true, BOSTokenID: 1, EOSTokenID: 2, TorchDtype: "float32"}
	return model.NewRandom(cfg, 3)
}

// TestMultiTurnTrainsExactlyTheSampledTokens rolls out a multi-turn workflow on the local engine with
// a tool that inserts tokens, builds the training rows from the trajectories, and checks (1) that the
// engine scores the trained rows with the log-probs the sampler reported (the context trained on is
// the one sampled: token in, token out) and (2) on the gradient, that the inserted tokens are out of
// the loss: whatever advantage they carry, one optimizer step moves the weights identically, while
// the same rows without the mask move them differently.
func TestMultiTurnTrainsExactlyTheSampledTokens(t *testing.T) {
	ctx := context.Background()
	p := tinyModel()
	sampler, err := local.New(p.Clone(), local.Config{})
	if err != nil {
		t.Fatal(err)
	}
	all := func(_ context.Context, items []Item) ([]reward.Result, error) {
		return make([]reward.Result, len(items)), nil
	}
	w := MultiTurn{N: 2, MaxTurns: 3, MaxTokens: 30, Tool: scriptedTool{}, Decode: func([]int) string { return "" }, Verify: all,
		Params: engine.SamplingParams{Temperature: 1, MaxTokens: 4, IgnoreEOS: true}}
	prompt := []int{1, 5, 6}
	gs, err := w.Run(ctx, []Task{{Prompt: prompt}}, sampler, 11)
	if err != nil {
		t.Fatal(err)
	}
	var rows []engine.Row
	var sampled [][]float32
	for _, tr := range gs[0].Trajectories {
		if len(tr.Steps) != 3 || !slices.Equal(tr.Tokens[4:7], toolTokens) || tr.LossMask[4] != 0 || tr.LossMask[3] != 1 {
			t.Fatalf("trajectory %v, mask %v, steps %+v: want 3 turns of 4 tokens with the tool's tokens between them", tr.Tokens, tr.LossMask, tr.Steps)
		}
		rows = append(rows, engine.Row{Prompt: prompt, Response: tr.Tokens, LossMask: tr.LossMask})
		sampled = append(sampled, tr.LogProbs)
	}
	res, err := sampler.LogProbs(ctx, rows, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		for j := range r.Response {
			if r.Trained(j) && math.Abs(float64(res.LogProbs[i][j]-sampled[i][j])) > 1e-4 {
				t.Errorf("row %d token %d: trained log-prob %v, sampled %v: the trained context is not the sampled one", i, j, res.LogProbs[i][j], sampled[i][j])
			}
		}
	}

	loss, err := algo.NewLoss(algo.LossConfig{Name: "reinforce", Agg: algo.Aggregation{Mode: algo.TokenMean}})
	if err != nil {
		t.Fatal(err)
	}
	// step returns the weights after one update on rows whose inserted tokens carry advantage `tool`.
	step := func(tool float32, masked bool) []float32 {
		e, err := local.New(p.Clone(), local.Config{LR: 1e-2})
		if err != nil {
			t.Fatal(err)
		}
		in := make([]engine.Row, len(rows))
		for i, r := range rows {
			in[i] = r
			in[i].Advantages = make([]float32, len(r.Response))
			for j := range r.Response {
				in[i].Advantages[j] = float32(i+1) * 0.5
				if !r.Trained(j) {
					in[i].Advantages[j] = tool
				}
			}
			if !masked {
				in[i].LossMask = nil
			}
		}
		if _, err := e.Update(ctx, in, loss, engine.UpdateOptions{Temperature: 1}); err != nil {
			t.Fatal(err)
		}
		return slices.Clone(e.Params().Embed.Data)
	}
	zero, big := step(0, true), step(1000, true)
	if !slices.Equal(zero, big) {
		t.Error("the advantage at tool-inserted tokens changed the update: they are not masked out of the loss")
	}
	if slices.Equal(zero, p.Embed.Data) {
		t.Fatal("the update did not move the weights")
	}
	if unmasked := step(1000, false); slices.Equal(zero, unmasked) {
		t.Error("without the loss mask the tool tokens' advantage changed nothing: the check cannot fail")
	}
}
