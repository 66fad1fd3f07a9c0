package local

import (
	"math"
	"math/rand/v2"

	"github.com/ascent-rl/ascent/model"
)

// tinyConfig is a Qwen2-shaped model small enough for fast tests: GQA (4 query heads, 2 KV heads),
// q/k/v biases, untied head.
func tinyConfig() model.Config {
	return model.Config{ModelType: "qwen2", VocabSize: 32, HiddenSize: 32, IntermediateSize: 64,
		NumHiddenLayers: 2, NumAttentionHeads: 4, NumKeyValueHeads: 2, MaxPositionEmbeddings: 64,
		RopeTheta: 10000, RMSNormEps: 1e-6, AttentionBias: true, BOSTokenID: 1, EOSTokenID: 2,
		TorchDtype: "float32"}
}

// randomParams builds seeded random weights (norm weights near 1, other tensors N(0, 0.2²)).
func randomParams(cfg model.Config, seed uint64) *model.Params {
	rng := rand.New(rand.NewPCG(seed, 7))
	t := func(scale, offset float64, shape ...int) *model.Tensor {
		n := 1
		for _, d := range shape {
			n *= d
		}
		x := &model.Tensor{Shape: shape, Data: make([]float32, n)}
		for i := range x.Data {
			x.Data[i] = float32(offset + scale*rng.NormFloat64())
		}
		return x
	}
	D, I, hd := cfg.HiddenSize, cfg.IntermediateSize, cfg.Dim()
	H, KV := cfg.NumAttentionHeads, cfg.NumKeyValueHeads
	p := &model.Params{Config: cfg, Embed: t(0.5, 0, cfg.VocabSize, D), FinalNorm: t(0.1, 1, D)}
	for range cfg.NumHiddenLayers {
		l := model.Layer{InputNorm: t(0.1, 1, D), Q: t(0.2, 0, H*hd, D), K: t(0.2, 0, KV*hd, D), V: t(0.2, 0, KV*hd, D),
			O: t(0.2, 0, D, H*hd), PostNorm: t(0.1, 1, D), Gate: t(0.2, 0, I, D), Up: t(0.2, 0, I, D), Down: t(0.2, 0, D, I)}
		if cfg.AttentionBias {
			l.QBias, l.KBias, l.VBias = t(0.1, 0, H*hd), t(0.1, 0, KV*hd), t(0.1, 0, KV*hd)
		}
		p.Layers = append(p.Layers, l)
	}
	if !cfg.TieWordEmbeddings {
		p.LMHead = t(0.3, 0, cfg.VocabSize, D)
	}
	return p
}

// refLogits is a direct, loop-by-loop float64 transcription of the Hugging Face Qwen2 forward pass
// (no cache, no batching): it returns logits [T][V] for one sequence.
func refLogits(p *model.Params, tokens []int) [][]float64 {
	cfg := p.Config
	D, H, KV, hd := cfg.HiddenSize, cfg.NumAttentionHeads, cfg.NumKeyValueHeads, cfg.Dim()
	T := len(tokens)
	lin := func(x []float64, w, b *model.Tensor) []float64 {
		out, in := w.Shape[0], w.Shape[1]
		y := make([]float64, out)
		for o := 0; o < out; o++ {
			s := 0.0
			for i := 0; i < in; i++ {
				s += float64(w.Data[o*in+i]) * x[i]
			}
			if b != nil {
				s += float64(b.Data[o])
			}
			y[o] = s
		}
		return y
	}
	norm := func(x []float64, w *model.Tensor) []float64 {
		ms := 0.0
		for _, v := range x {
			ms += v * v
		}
		inv := 1 / math.Sqrt(ms/float64(len(x))+cfg.RMSNormEps)
		y := make([]float64, len(x))
		for i, v := range x {
			y[i] = v * inv * float64(w.Data[i])
		}
		return y
	}
	rope := func(x []float64, pos int) { // one head, in place
		out := make([]float64, hd)
		for i := 0; i < hd; i++ {
			f := float64(i % (hd / 2))
			a := float64(pos) / math.Pow(cfg.RopeTheta, 2*f/float64(hd))
			rot := 0.0
			if i < hd/2 {
				rot = -x[i+hd/2]
			} else {
				rot = x[i-hd/2]
			}
			out[i] = x[i]*math.Cos(a) + rot*math.Sin(a)
		}
		copy(x, out)
	}
	xs := make([][]float64, T)
	for t, tok := range tokens {
		xs[t] = make([]float64, D)
		for i := range D {
			xs[t][i] = float64(p.Embed.Data[tok*D+i])
		}
	}
	for _, l := range p.Layers {
		qs, ks, vs := make([][]float64, T), make([][]float64, T), make([][]float64, T)
		for t := range T {
			h := norm(xs[t], l.InputNorm)
			qs[t], ks[t], vs[t] = lin(h, l.Q, l.QBias), lin(h, l.K, l.KBias), lin(h, l.V, l.VBias)
			for hh := 0; hh < H; hh++ {
				rope(qs[t][hh*hd:(hh+1)*hd], t)
			}
			for hh := 0; hh < KV; hh++ {
				rope(ks[t][hh*hd:(hh+1)*hd], t)
			}
		}
		for t := range T {
			att := make([]float64, H*hd)
			for hh := 0; hh < H; hh++ {
				kv := hh / (H / KV)
				sc := make([]float64, t+1)
				mx := math.Inf(-1)
				for s := 0; s <= t; s++ {
					d := 0.0
					for i := 0; i < hd; i++ {
						d += qs[t][hh*hd+i] * ks[s][kv*hd+i]
					}
					sc[s] = d / math.Sqrt(float64(hd))
					mx = math.Max(mx, sc[s])
				}
				sum := 0.0
				for s := range sc {
					sc[s] = math.Exp(sc[s] - mx)
					sum += sc[s]
				}
				for s := range sc {
					for i := 0; i < hd; i++ {
						att[hh*hd+i] += sc[s] / sum * vs[s][kv*hd+i]
					}
				}
			}
			o := lin(att, l.O, nil)
			for i := range D {
				xs[t][i] += o[i]
			}
		}
		for t := range T {
			h := norm(xs[t], l.PostNorm)
			g, u := lin(h, l.Gate, nil), lin(h, l.Up, nil)
			for i := range g {
				g[i] = g[i] / (1 + math.Exp(-g[i])) * u[i]
			}
			d := lin(g, l.Down, nil)
			for i := range D {
				xs[t][i] += d[i]
			}
		}
	}
	head := p.LMHead
	if head == nil {
		head = p.Embed
	}
	out := make([][]float64, T)
	for t := range T {
		out[t] = lin(norm(xs[t], p.FinalNorm), head, nil)
	}
	return out
}

// refTokenLogProb returns log softmax(logits/temperature)[tok] and the entropy, in float64.
func refTokenLogProb(logits []float64, tok int, temperature float64) (lp, ent float64) {
	mx := math.Inf(-1)
	for _, x := range logits {
		mx = math.Max(mx, x/temperature)
	}
	sum := 0.0
	for _, x := range logits {
		sum += math.Exp(x/temperature - mx)
	}
	lse := mx + math.Log(sum)
	for _, x := range logits {
		l := x/temperature - lse
		ent -= math.Exp(l) * l
	}
	return logits[tok]/temperature - lse, ent
}
