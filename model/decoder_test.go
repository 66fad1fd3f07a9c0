package model

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

func TestDecoderMatchesReferenceForward(t *testing.T) {
	base := TinyConfig()
	base.HiddenSize, base.IntermediateSize, base.VocabSize = 64, 96, 50
	gqa := base
	gqa.NumAttentionHeads, gqa.NumKeyValueHeads = 4, 2
	llama := base
	llama.ModelType, llama.AttentionBias = "llama", false
	tied := base
	tied.TieWordEmbeddings = true
	odd := base // widths that are not multiples of 16 exercise the kernels' tails
	odd.HiddenSize, odd.NumAttentionHeads, odd.NumKeyValueHeads, odd.IntermediateSize, odd.VocabSize = 36, 3, 1, 70, 29
	cases := []struct {
		name string
		cfg  Config
		bf16 bool
	}{
		{"qwen2 with biases and an untied head matches", base, false},
		{"grouped-query attention with fewer kv heads matches", gqa, false},
		{"llama without biases matches", llama, false},
		{"tied embeddings match", tied, false},
		{"bf16-rounded weights match", gqa, true},
		{"odd widths and a single kv head match", odd, false},
		{"the reference tiny config matches", TinyConfig(), false},
	}
	for ci, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := scrambled(tc.cfg, uint64(ci+1))
			if tc.bf16 {
				for _, w := range p.Named() {
					for i, v := range w.Data {
						w.Data[i] = RoundBF16(v)
					}
				}
			}
			rng := rand.New(rand.NewPCG(uint64(ci), 3))
			const rows, prompt, steps = 3, 7, 9
			seqs := make([][]int, rows)
			for r := range seqs {
				seqs[r] = randomTokens(rng, prompt+steps, tc.cfg.VocabSize)
			}
			dec := NewDecoder(p, rows, 0)
			for r := range seqs {
				plen := prompt - r // rows at different positions
				got, err := dec.Prefill(r, seqs[r][:plen])
				if err != nil {
					t.Fatal(err)
				}
				want, err := p.Forward(seqs[r][:plen])
				if err != nil {
					t.Fatal(err)
				}
				if d := maxRelDiff(t, got, want[plen-1]); d > 1e-5 {
					t.Fatalf("row %d prefill logits differ by %.3g (relative)", r, d)
				}
			}
			active := []bool{true, true, true}
			for s := 0; s < steps; s++ {
				toks := make([]int, rows)
				active[1] = s%3 != 1 // row 1 pauses now and then
				for r := range toks {
					toks[r] = seqs[r][dec.Len(r)]
				}
				out, err := dec.Step(toks, active)
				if err != nil {
					t.Fatal(err)
				}
				for r := range out {
					if !active[r] {
						if out[r] != nil {
							t.Fatalf("inactive row %d got logits", r)
						}
						continue
					}
					n := dec.Len(r)
					want, err := p.Forward(seqs[r][:n])
					if err != nil {
						t.Fatal(err)
					}
					if d := maxRelDiff(t, out[r], want[n-1]); d > 1e-5 {
						t.Fatalf("step %d row %d logits differ by %.3g (relative)", s, r, d)
					}
				}
			}
		})
	}
}

func TestLongPrefillIsChunkedCausally(t *testing.T) {
	cfg := TinyConfig()
	cfg.MaxPositionEmbeddings = 150
	p := scrambled(cfg, 5)
	toks := randomTokens(rand.New(rand.NewPCG(1, 1)), 150, cfg.VocabSize) // > 64-entry chunks
	got, err := NewDecoder(p, 1, 0).Prefill(0, toks)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := p.Forward(toks)
	if d := maxRelDiff(t, got, want[len(toks)-1]); d > 1e-5 {
		t.Fatalf("logits differ by %.3g", d)
	}
}

func TestCopyRowSharesAPrefill(t *testing.T) {
	p := scrambled(TinyConfig(), 9)
	dec := NewDecoder(p, 4, 32)
	prompt := []int{3, 1, 4, 1, 5}
	if _, err := dec.Prefill(0, prompt); err != nil {
		t.Fatal(err)
	}
	for r := 1; r < 4; r++ {
		dec.CopyRow(r, 0)
	}
	out, err := dec.Step([]int{9, 2, 6, 5}, []bool{true, true, true, true})
	if err != nil {
		t.Fatal(err)
	}
	for r, tok := range []int{9, 2, 6, 5} {
		want, _ := p.Forward(append(append([]int(nil), prompt...), tok))
		if d := maxRelDiff(t, out[r], want[len(prompt)]); d > 1e-5 {
			t.Fatalf("row %d differs by %.3g", r, d)
		}
	}
}

func TestDecoderRejectsBadInput(t *testing.T) {
	p := NewRandom(TinyConfig(), 1)
	dec := NewDecoder(p, 2, 8)
	long := make([]int, 9)
	if _, err := dec.Prefill(0, long); err == nil || !strings.Contains(err.Error(), "9 tokens") || !strings.Contains(err.Error(), "(8)") {
		t.Fatalf("prompt longer than the decoder: err = %v; want one naming 9 tokens and the limit 8", err)
	}
	if _, err := NewDecoder(p, 1, 0).Prefill(0, make([]int, 65)); err == nil || !strings.Contains(err.Error(), "65 tokens") {
		t.Fatalf("prompt longer than the context: err = %v", err)
	}
	if _, err := p.Forward(make([]int, 65)); err == nil {
		t.Fatal("Forward accepted a sequence longer than the context")
	}
	if _, err := dec.Prefill(0, []int{64}); err == nil || !strings.Contains(err.Error(), "vocabulary") {
		t.Fatalf("out-of-vocabulary token: err = %v", err)
	}
	if _, err := dec.Prefill(2, []int{1}); err == nil {
		t.Fatal("row outside the batch accepted")
	}
	if _, err := dec.Step([]int{1, 1}, []bool{false, true}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("step on an empty row: err = %v", err)
	}
	if _, err := dec.Prefill(0, make([]int, 8)); err != nil {
		t.Fatal(err)
	}
	if _, err := dec.Step([]int{1, 1}, []bool{true, false}); err == nil || !strings.Contains(err.Error(), "maximum length") {
		t.Fatalf("step on a full row: err = %v", err)
	}
	if _, err := NewDecoder(p, 0, 8).Prefill(0, []int{1}); err == nil {
		t.Fatal("decoder with 0 rows accepted a prefill")
	}
	bad := p.Clone()
	bad.Layers[1].Q = nil
	if _, err := NewDecoder(bad, 1, 8).Prefill(0, []int{1}); err == nil || !strings.Contains(err.Error(), "model.layers.1.self_attn.q_proj.weight") {
		t.Fatalf("params missing a tensor: err = %v", err)
	}
}

func TestKernelsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, sz := range [][3]int{{1, 1, 1}, {3, 7, 5}, {4, 16, 64}, {5, 33, 130}, {32, 128, 384}, {9, 70, 17}, {64, 128, 1024}, {7, 300, 200}} {
		m, k, n := sz[0], sz[1], sz[2]
		a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		for _, s := range [][]float32{a, b, c} {
			for i := range s {
				s[i] = float32(rng.NormFloat64())
			}
		}
		want := append([]float32(nil), c...)
		gemmAddRef(want, n, a, k, b, n, m, k, n)
		matmulAddPackedN(runtime.GOMAXPROCS(0), c, a, m, packB(b, k, n))
		if d := maxRelDiff(t, c, want); d > 1e-5 {
			t.Fatalf("matmul %dx%dx%d (%s) differs by %.3g", m, k, n, simdKernels(), d)
		}
		if got, want := float64(dot(a, a)), float64(dotGo(a, a)); math.Abs(got-want) > 1e-4*math.Max(1, want) {
			t.Fatalf("dot of %d: %v, plain Go %v", len(a), got, want)
		}
	}
	for n := 0; n < 50; n++ { // every tail length of the masked axpy
		x, y := make([]float32, n+3), make([]float32, n+3)
		for i := range x {
			x[i], y[i] = float32(rng.NormFloat64()), float32(i)
		}
		want := append([]float32(nil), y...)
		axpyGo(want[:n], 0.5, x)
		axpy(y[:n], 0.5, x)
		for i := range y {
			if math.Abs(float64(y[i]-want[i])) > 1e-6*math.Max(1, math.Abs(float64(want[i]))) { // FMA rounds once
				t.Fatalf("axpy of %d: y[%d] = %v, want %v", n, i, y[i], want[i])
			}
		}
	}
}

func TestExpfIsAccurate(t *testing.T) {
	for x := float32(-87); x < 88.7; x += 0.01 {
		got, want := float64(expf(x)), math.Exp(float64(x))
		if math.Abs(got-want) > 4e-7*want {
			t.Fatalf("expf(%v) = %v, want %v", x, got, want)
		}
	}
	if expf(-200) != 0 || !math.IsInf(float64(expf(100)), 1) {
		t.Fatal("expf does not saturate")
	}
}

func TestVectorExpAndSiluMatchScalar(t *testing.T) {
	x := make([]float32, 0, 2000)
	for v := float32(-110); v < 95; v += 0.1037 {
		x = append(x, v)
	}
	got := append([]float32(nil), x...)
	expInPlace(got)
	for i, v := range x {
		want := math.Exp(float64(v))
		if v < -87 {
			want = 0 // below float32's normal range either answer is ≈ 0
		}
		if want > math.MaxFloat32 {
			if !math.IsInf(float64(got[i]), 1) {
				t.Fatalf("exp(%v) = %v, want +Inf (float32 overflow)", v, got[i])
			}
			continue
		}
		if math.Abs(float64(got[i])-want) > 4e-7*want+1e-37 {
			t.Fatalf("exp(%v) = %v, want %v", v, got[i], want)
		}
	}
	u := make([]float32, len(x))
	for i := range u {
		u[i] = float32(i%7) - 3
	}
	s := make([]float32, len(x))
	siluMul(s, x, u)
	for i, v := range x {
		want := float64(v) / (1 + math.Exp(-float64(v))) * float64(u[i])
		if math.Abs(float64(s[i])-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Fatalf("silu(%v)·%v = %v, want %v", v, u[i], s[i], want)
		}
	}
}

func TestRefreshPicksUpChangedWeights(t *testing.T) {
	p := scrambled(TinyConfig(), 4)
	dec := NewDecoder(p, 1, 16)
	prompt := []int{5, 6, 7}
	before, _ := dec.Prefill(0, prompt)
	for _, w := range p.Named() { // an in-place "training step" on every tensor
		for i := range w.Data {
			w.Data[i] *= 1.1
		}
	}
	stale, _ := dec.Prefill(0, prompt)
	if d := maxRelDiff(t, stale, before); d != 0 {
		t.Fatalf("decoder saw weights changed after construction (diff %.3g) without Refresh", d)
	}
	dec.Refresh()
	got, _ := dec.Prefill(0, prompt)
	want, _ := p.Forward(prompt)
	if d := maxRelDiff(t, got, want[len(prompt)-1]); d > 1e-5 {
		t.Fatalf("after Refresh logits differ from the new weights' by %.3g", d)
	}
}
