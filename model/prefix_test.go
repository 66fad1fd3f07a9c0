package model

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestPrefillPrefixMatchesReference runs rows that start with input embeddings through the fast
// decoder (PrefillPrefix, then Step) and the float64 reference (ForwardPrefix).
func TestPrefillPrefixMatchesReference(t *testing.T) {
	cfg := TinyConfig()
	cfg.HiddenSize, cfg.IntermediateSize, cfg.VocabSize, cfg.NumKeyValueHeads = 64, 96, 50, 2
	p := scrambled(cfg, 11)
	rng := rand.New(rand.NewPCG(1, 2))
	const rows, P, prompt, steps = 2, 5, 4, 6
	dec := NewDecoder(p, rows, 0)
	prefixes := make([][][]float32, rows)
	seqs := make([][]int, rows)
	for r := range rows {
		prefixes[r] = make([][]float32, P-r)
		for i := range prefixes[r] {
			v := make([]float32, cfg.HiddenSize)
			for j := range v {
				v[j] = float32(rng.NormFloat64())
			}
			prefixes[r][i] = v
		}
		seqs[r] = randomTokens(rng, prompt+steps, cfg.VocabSize)
		got, err := dec.PrefillPrefix(r, prefixes[r], seqs[r][:prompt])
		if err != nil {
			t.Fatal(err)
		}
		want, err := p.ForwardPrefix(prefixes[r], seqs[r][:prompt])
		if err != nil {
			t.Fatal(err)
		}
		if d := maxRelDiff(t, got, want[len(want)-1]); d > 1e-4 {
			t.Fatalf("row %d prefill: relative difference %g", r, d)
		}
	}
	active := []bool{true, true}
	for s := range steps - 1 {
		toks := []int{seqs[0][prompt+s], seqs[1][prompt+s]}
		out, err := dec.Step(toks, active)
		if err != nil {
			t.Fatal(err)
		}
		for r := range rows {
			want, err := p.ForwardPrefix(prefixes[r], seqs[r][:prompt+s+1])
			if err != nil {
				t.Fatal(err)
			}
			if d := maxRelDiff(t, out[r], want[len(want)-1]); d > 1e-4 {
				t.Fatalf("row %d step %d: relative difference %g", r, s, d)
			}
		}
	}
}

func TestPrefixRejectsBadVectors(t *testing.T) {
	cfg := TinyConfig()
	p := NewRandom(cfg, 1)
	dec := NewDecoder(p, 1, 0)
	nan := make([]float32, cfg.HiddenSize)
	nan[3] = float32(nan[3] / nan[3])
	for _, tc := range []struct {
		name   string
		prefix [][]float32
		want   string
	}{
		{"short vector", [][]float32{make([]float32, 3)}, "has 3 values"},
		{"NaN", [][]float32{nan}, "value 3 is NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := p.ForwardPrefix(tc.prefix, []int{1}); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("reference: error %v, want %q", err, tc.want)
			}
			if _, err := dec.PrefillPrefix(0, tc.prefix, []int{1}); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("decoder: error %v, want %q", err, tc.want)
			}
		})
	}
}
