package vla

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/env"
	"github.com/ascent-rl/ascent/rollout"
)

func tinyPolicy(t *testing.T) *Policy {
	t.Helper()
	words, err := MaxWords("pick_local")
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPolicy(Shape{Res: 64, Patch: 16, Proprio: 4, Words: words, K: 8, D: 4, Hidden: 16, Layers: 1, Heads: 2, MLP: 16}, 3)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var simNorm = env.SimSuites()[0].NormStats

func TestTraceRowsMaskTokensAfterTheEpisodeEnded(t *testing.T) {
	sh := Shape{K: 8, D: 4}
	tr := &Trace{Result: env.EpisodeResult{FinishStep: 19}, Decisions: make([]Decided, 3)}
	rows := tr.Rows(sh, 0.5)
	want := []int{32, 32, 12} // 8 + 8 + 3 executed steps, 4 tokens each
	for i, r := range rows {
		n := 0
		for _, m := range r.Mask {
			n += int(m)
		}
		if n != want[i] || r.Adv != 0.5 {
			t.Fatalf("decision %d: %d trained tokens, advantage %v; want %d, 0.5", i, n, r.Adv, want[i])
		}
		for j := n; j < len(r.Mask); j++ {
			if r.Mask[j] != 0 {
				t.Fatalf("decision %d: token %d after the finish step is trained", i, j)
			}
		}
	}
}

func TestChunkTokensRoundTrip(t *testing.T) {
	p := tinyPolicy(t)
	chunk := make([][]float32, 8)
	for k := range chunk {
		chunk[k] = []float32{-1, 0.5, float32(k) / 8, 1}
	}
	toks, err := p.ChunkTokens(chunk, simNorm)
	if err != nil {
		t.Fatal(err)
	}
	back, err := p.Chunk(toks, simNorm)
	if err != nil {
		t.Fatal(err)
	}
	for k := range chunk {
		for d := range chunk[k] {
			if diff := back[k][d] - chunk[k][d]; diff > 1.0/255+1e-6 || diff < -1.0/255-1e-6 {
				t.Fatalf("row %d dim %d: %v → %v", k, d, chunk[k][d], back[k][d])
			}
		}
	}
	if _, err := p.Chunk(append(toks[:31:31], 0), simNorm); err == nil || !strings.Contains(err.Error(), "not an action token") {
		t.Fatalf("a word token as an action: %v", err)
	}
}

// TestSamplerMatchesTheLearnersDistribution: the tokens the sampler draws greedily are the
// argmax of the learner's teacher-forced distribution, and its temperature-1 log-probs (from the
// learner) are finite — the decoder's prefix layout and the training sequence agree.
func TestSamplerMatchesTheLearnersDistribution(t *testing.T) {
	p := tinyPolicy(t)
	s, err := NewSampler(p, 2, 1, 0, simNorm, 1)
	if err != nil {
		t.Fatal(err)
	}
	sim := env.NewSim()
	obs, err := sim.Reset(context.Background(), env.Episode{Suite: "pick_local", Task: 2, Trial: 7})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	var feat *Features
	s.Record = func(_ env.Decision, f *Features, toks []int) { got, feat = toks, f }
	if _, err := s.Act(context.Background(), []env.Decision{{Obs: obs}}); err != nil {
		t.Fatal(err)
	}
	l, err := NewLearner(p, 1e-3, 0, 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	lp, _, err := l.forward([]Row{{F: feat, Tokens: got, Mask: ones(32)}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	sh := p.Shape
	V, start := p.Vocab.Size, sh.Prefix()+sh.Words
	ref := make([][]float32, sh.Prefix())
	emb := make([]float32, sh.Prefix()*sh.Hidden)
	p.Embed(feat, emb)
	for i := range ref {
		ref[i] = emb[i*sh.Hidden : (i+1)*sh.Hidden]
	}
	seq := append(append([]int(nil), feat.Words...), tokAct)
	seq = append(seq, got[:len(got)-1]...)
	out, err := p.Model.ForwardPrefix(ref, seq)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		row := out[start+i][V-Bins:]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		full := out[start+i]
		mx := full[0]
		for _, v := range full {
			mx = max(mx, v)
		}
		z := 0.0
		for _, v := range full {
			z += math.Exp(float64(v - mx))
		}
		if want := float64(full[got[i]]-mx) - math.Log(z); math.Abs(want-float64(lp[0][i])) > 1e-4 {
			t.Fatalf("action token %d: learner log-prob %g, reference %g", i, lp[0][i], want)
		}
		if V-Bins+best != got[i] {
			t.Fatalf("action token %d: sampler chose %d, the reference forward's argmax is %d", i, got[i], V-Bins+best)
		}
	}
}

// failingCatalog makes simulators that fail on their second chunk (a remote env dying mid-episode).
type failingCatalog struct{ env.SimCatalog }

func (failingCatalog) NewEnv(ctx context.Context) (env.Env, error) {
	return &dying{Sim: env.NewSim()}, nil
}

type dying struct {
	*env.Sim
	n int
}

func (d *dying) Step(ctx context.Context, c [][]float32, o env.StepOptions) (*env.StepResult, error) {
	if d.n++; d.n == 2 {
		return nil, errors.New("remote env died")
	}
	return d.Sim.Step(ctx, c, o)
}

func TestAnEnvThatDiesIsCountedAndLeftOutOfItsGroup(t *testing.T) {
	p := tinyPolicy(t)
	s, err := NewSampler(p, 4, 2, 1.6, simNorm, 1)
	if err != nil {
		t.Fatal(err)
	}
	w := &Workflow{Catalog: failingCatalog{}, Sampler: s, N: 3, Parallel: 3}
	task := w.Task(env.Episode{Suite: "pick_local", Task: 0, Trial: 1})
	groups, err := w.Run(context.Background(), []rollout.Task{task}, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(groups[0].Trajectories); n != 0 {
		t.Fatalf("%d trajectories kept from envs that all died", n)
	}
	sum := env.Summarize(w.Stats.Results)
	if sum.Errors != 3 || !strings.Contains(w.Stats.Results[0].Err, "remote env died") {
		t.Fatalf("summary %+v, first error %q: want 3 counted env errors", sum, w.Stats.Results[0].Err)
	}
}

func TestBadInputNamesTheValidChoices(t *testing.T) {
	if _, err := MaxWords("libero_10"); err == nil || !strings.Contains(err.Error(), "pick_local") {
		t.Fatalf("unknown suite: %v", err)
	}
	c := DefaultConfig()
	if err := c.Set([]string{"temprature=1"}); err == nil || !strings.Contains(err.Error(), "temperature") {
		t.Fatalf("unknown key: %v", err)
	}
	if err := c.Set([]string{"band_low=0.95"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "band") {
		t.Fatalf("inverted band: %v", err)
	}
	p := tinyPolicy(t)
	if _, err := p.Features(&env.Observation{Image: nil}); err == nil {
		t.Fatal("an observation without an image was accepted")
	}
	if err := env.CheckChunk("sim:pick/0/1", 16, [][]float32{{0, 0, float32(nan()), 1}}, 8, 4); err == nil ||
		!strings.Contains(err.Error(), "sim:pick/0/1") || !strings.Contains(err.Error(), "step 16") {
		t.Fatalf("NaN chunk: %v", err)
	}
}

func nan() float64 { z := 0.0; return z / z }

// TestDecoderShardsSplitWithoutChangingTheDraws: greedy chunks are the same whatever the number of
// decoders (1, 2, or 3 over 7 decisions, which do not divide evenly), and sampling with two
// decoders in parallel draws the same tokens on every run (each shard's stream is fixed by its
// part, not by goroutine timing).
func TestDecoderShardsSplitWithoutChangingTheDraws(t *testing.T) {
	p := tinyPolicy(t)
	sim := env.NewSim()
	var ds []env.Decision
	for i := range 7 {
		obs, err := sim.Reset(context.Background(), env.Episode{Suite: "pick_local", Task: i % 3, Trial: 10 + i})
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, env.Decision{Obs: obs, Index: i})
	}
	play := func(decoders int, temp float64) [][]int {
		s, err := NewSampler(p, 4, decoders, temp, simNorm, 9)
		if err != nil {
			t.Fatal(err)
		}
		got := make([][]int, len(ds))
		s.Record = func(d env.Decision, _ *Features, toks []int) { got[d.Index] = toks }
		if _, err := s.Act(context.Background(), ds); err != nil {
			t.Fatal(err)
		}
		return got
	}
	greedy := play(1, 0)
	for _, k := range []int{2, 3} {
		if got := play(k, 0); !reflect.DeepEqual(got, greedy) {
			t.Fatalf("greedy tokens with %d decoders differ from one decoder's", k)
		}
	}
	a, b := play(2, 1.6), play(2, 1.6)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs of the 2-decoder sampler drew different tokens")
	}
	if reflect.DeepEqual(a, greedy) {
		t.Fatal("sampling at temperature 1.6 drew the greedy tokens for all 7 decisions")
	}
	if _, err := NewSampler(p, 4, 0, 1, simNorm, 9); err == nil {
		t.Fatal("a sampler with 0 decoders was accepted")
	}
}
