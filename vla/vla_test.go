package vla

import (
	"context"
	"testing"

	"github.com/ascent-rl/ascent/env"
)

func sftPolicy(t *testing.T, steps, nDemos int) (*Policy, []*env.Demo, *Learner) {
	t.Helper()
	c := DefaultConfig()
	words, _ := MaxWords("pick_local")
	sh := Shape{Res: 64, Patch: c.Patch, Proprio: 4, Words: words, K: 8, D: 4, Hidden: c.Hidden, Layers: c.Layers, Heads: c.Heads, MLP: c.MLP}
	pol, err := NewPolicy(sh, 1)
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewLearner(pol, 5e-3, 0, 1, 64)
	if err != nil {
		t.Fatal(err)
	}
	demos, err := env.OneDemoPerTask(context.Background(), "pick_local", 0)
	if err != nil {
		t.Fatal(err)
	}
	demos = demos[:nDemos]
	ns := env.SimSuites()[1].NormStats
	var rows []Row
	for _, d := range demos {
		for _, st := range d.Steps {
			f, err := pol.Features(st.Obs)
			if err != nil {
				t.Fatal(err)
			}
			toks, err := pol.ChunkTokens(st.Chunk, ns)
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, Row{F: f, Tokens: toks, Mask: ones(pol.Shape.ActTokens())})
		}
	}
	for s := range steps {
		m, err := l.SFTStep(rows)
		if err != nil {
			t.Fatal(err)
		}
		if s%50 == 0 {
			t.Logf("sft %d: %v", s, m)
		}
	}
	return pol, demos, l
}

// TestSFTReproducesItsDemonstrations: after SFT to a low loss, greedy decoding replays the
// demonstrated episodes successfully (tokens, bins, un-normalisation and the prefix all line up).
func TestSFTReproducesItsDemonstrations(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a policy")
	}
	pol, demos, _ := sftPolicy(t, 300, 3)
	s, err := NewSampler(pol, 16, 1, 0, env.SimSuites()[1].NormStats, 1)
	if err != nil {
		t.Fatal(err)
	}
	var eps []env.Episode
	for _, d := range demos {
		eps = append(eps, d.Episode)
	}
	w := &Workflow{Catalog: env.SimCatalog{}, Sampler: s, N: 1, Parallel: 16}
	traces, err := w.Play(context.Background(), eps, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	wins := 0
	for _, tr := range traces {
		if tr.Result.Success {
			wins++
		}
	}
	t.Logf("%d of %d demonstrations replayed", wins, len(traces))
	if wins < 2 {
		t.Fatalf("only %d of %d demonstrated episodes succeed after SFT", wins, len(traces))
	}
}
