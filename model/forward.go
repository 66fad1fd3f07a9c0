package model

import (
	"fmt"
	"math"
)

// Forward is the slow, obviously correct reference forward pass: the full causal transformer over
// one sequence, in float64, straight from the Hugging Face Qwen2/Llama definitions. It returns the
// logits of every position, [T][V]. The fast Decoder is tested against it.
func (p *Params) Forward(tokens []int) ([][]float32, error) {
	c := p.Config
	if err := p.checkTokens(tokens, c.MaxPositionEmbeddings); err != nil {
		return nil, err
	}
	D := c.HiddenSize
	x := make([][]float64, len(tokens)) // [T, D] residual stream
	for t, tok := range tokens {
		x[t] = widen(p.Embed.Data[tok*D : (tok+1)*D])
	}
	return p.forwardInput(x), nil
}

// forwardInput is Forward on the embedded input x [T, D] (overwritten): the blocks, the final norm
// and the head, in float64.
func (p *Params) forwardInput(x [][]float64) [][]float32 {
	c := p.Config
	T, H, KV, hd := len(x), c.NumAttentionHeads, c.NumKeyValueHeads, c.Dim()
	for _, l := range p.Layers {
		q, k, v := make([][]float64, T), make([][]float64, T), make([][]float64, T)
		for t := range x {
			h := rmsNorm(x[t], l.InputNorm, c.RMSNormEps)
			q[t] = rope(linear(h, l.Q, l.QBias), t, H, hd, c.RopeTheta)  // [H·hd]
			k[t] = rope(linear(h, l.K, l.KBias), t, KV, hd, c.RopeTheta) // [KV·hd]
			v[t] = linear(h, l.V, l.VBias)                               // [KV·hd]
		}
		for t := range x {
			att := make([]float64, H*hd) // [H·hd]
			for h := 0; h < H; h++ {
				g := h / (H / KV) // the KV head this query head shares
				scores := make([]float64, t+1)
				mx := math.Inf(-1)
				for s := 0; s <= t; s++ {
					scores[s] = dot64(q[t][h*hd:(h+1)*hd], k[s][g*hd:(g+1)*hd]) / math.Sqrt(float64(hd))
					mx = math.Max(mx, scores[s])
				}
				sum := 0.0
				for s := range scores {
					scores[s] = math.Exp(scores[s] - mx)
					sum += scores[s]
				}
				for s := range scores {
					for i := 0; i < hd; i++ {
						att[h*hd+i] += scores[s] / sum * v[s][g*hd+i]
					}
				}
			}
			o := linear(att, l.O, nil)
			for i := range o {
				x[t][i] += o[i]
			}
		}
		for t := range x {
			h := rmsNorm(x[t], l.PostNorm, c.RMSNormEps)
			gate, up := linear(h, l.Gate, nil), linear(h, l.Up, nil)
			for i := range gate {
				gate[i] = gate[i] / (1 + math.Exp(-gate[i])) * up[i] // silu(gate)·up
			}
			down := linear(gate, l.Down, nil)
			for i := range down {
				x[t][i] += down[i]
			}
		}
	}
	head := p.LMHead
	if c.TieWordEmbeddings {
		head = p.Embed
	}
	logits := make([][]float32, T)
	for t := range x {
		logits[t] = narrow(linear(rmsNorm(x[t], p.FinalNorm, c.RMSNormEps), head, nil))
	}
	return logits
}

// checkTokens rejects an empty sequence, one longer than limit, and ids outside the vocabulary.
func (p *Params) checkTokens(tokens []int, limit int) error {
	if len(tokens) == 0 {
		return fmt.Errorf("empty token sequence")
	}
	if len(tokens) > limit {
		return fmt.Errorf("sequence of %d tokens is longer than the context (%d)", len(tokens), limit)
	}
	for i, t := range tokens {
		if t < 0 || t >= p.Config.VocabSize {
			return fmt.Errorf("token %d at position %d is outside the vocabulary [0, %d)", t, i, p.Config.VocabSize)
		}
	}
	return nil
}

func widen(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

func narrow(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

func dot64(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// linear returns W·x (+ b) for W [out, in] in the Hugging Face layout.
func linear(x []float64, w, b *Tensor) []float64 {
	out, in := w.Shape[0], w.Shape[1]
	y := make([]float64, out)
	for o := 0; o < out; o++ {
		s := 0.0
		for i, wv := range w.Data[o*in : (o+1)*in] {
			s += float64(wv) * x[i]
		}
		if b != nil {
			s += float64(b.Data[o])
		}
		y[o] = s
	}
	return y
}

// rmsNorm returns x / sqrt(mean(x²) + eps) · w.
func rmsNorm(x []float64, w *Tensor, eps float64) []float64 {
	ms := dot64(x, x) / float64(len(x))
	r := 1 / math.Sqrt(ms+eps)
	out := make([]float64, len(x))
	for i := range x {
		out[i] = x[i] * r * float64(w.Data[i])
	}
	return out
}

// rope rotates each of the heads of x [heads·hd] for position pos in Hugging Face's rotate_half
// convention: element i pairs with i+hd/2 and turns by pos·θ^(-2i/hd).
func rope(x []float64, pos, heads, hd int, theta float64) []float64 {
	half := hd / 2
	for h := 0; h < heads; h++ {
		v := x[h*hd : (h+1)*hd]
		for i := 0; i < half; i++ {
			ang := float64(pos) * math.Pow(theta, -float64(2*i)/float64(hd))
			c, s := math.Cos(ang), math.Sin(ang)
			a, b := v[i], v[i+half]
			v[i], v[i+half] = a*c-b*s, b*c+a*s
		}
	}
	return x
}
