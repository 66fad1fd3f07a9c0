// Package train is a hand-written forward and backward pass of the model package's Qwen2/Llama
// decoder (embeddings, RMSNorm, RoPE, GQA causal attention, SwiGLU, tied or untied LM head, and
// the value and log Z heads) for training on a CPU, in the pattern of llm.c: activations of a
// right-padded [B, T] micro-batch are kept token-major ([B·T, features]) so that every weight
// gradient is one dW += dYᵀ·X product with A read transposed by the packing of the matrix
// multiply (gemm.go), never a materialised transpose; RMSNorm, RoPE, softmax and SwiGLU backward
// passes are fused loops; work is split over GOMAXPROCS goroutines per call (no shared pool that
// nested calls could deadlock). The engine's GoMLX graph (engine/local/graph.go) is the reference:
// engine/local's parity tests compare log-probs, entropies and every parameter gradient.
//
//	GOEXPERIMENT=simd go test ./model/train/ -bench Gemm   # the kernel's FLOP/s
package train

import (
	"math"

	"github.com/ascent-rl/ascent/model"
)

// Net is a model's weights in the layouts the training kernels read: fused and transposed copies
// for the forward products ([in, out], so Y = X·Wᵀ is a plain product). The backward products read
// model.Params directly. Call Refresh after the weights change.
type Net struct {
	P      *model.Params
	layers []layerWeights
	headT  []float32 // [D, V] the LM head (or tied embedding) transposed
}

// layerWeights are one block's forward weights, transposed and fused.
type layerWeights struct {
	qkvT  []float32 // [D, qd+2·kvd] q, k and v projections side by side
	qkvB  []float32 // [qd+2·kvd] their biases (zeros without AttentionBias)
	oT    []float32 // [qd, D]
	guT   []float32 // [D, 2·I] gate and up projections side by side
	downT []float32 // [I, D]
}

// dims are the sizes a pass needs.
type dims struct {
	D, H, KV, G, hd, qd, kvd, qkvd, I, V int
}

func dimsOf(c model.Config) dims {
	kv := c.NumKeyValueHeads
	if kv == 0 {
		kv = c.NumAttentionHeads
	}
	d := dims{D: c.HiddenSize, H: c.NumAttentionHeads, KV: kv, hd: c.Dim(), I: c.IntermediateSize, V: c.VocabSize}
	d.G = d.H / d.KV
	d.qd, d.kvd = d.H*d.hd, d.KV*d.hd
	d.qkvd = d.qd + 2*d.kvd
	return d
}

// New returns the training view of p (which it reads, never writes).
func New(p *model.Params) *Net {
	n := &Net{P: p}
	n.Refresh()
	return n
}

// Refresh rebuilds the transposed copies after the weights of P changed.
func (n *Net) Refresh() {
	p, d := n.P, dimsOf(n.P.Config)
	if len(n.layers) != len(p.Layers) {
		n.layers = make([]layerWeights, len(p.Layers))
		for i := range n.layers {
			n.layers[i] = layerWeights{qkvT: make([]float32, d.D*d.qkvd), qkvB: make([]float32, d.qkvd),
				oT: make([]float32, d.qd*d.D), guT: make([]float32, d.D*2*d.I), downT: make([]float32, d.I*d.D)}
		}
		n.headT = make([]float32, d.D*d.V)
	}
	parallelFor(len(p.Layers), 2, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			l, w := &p.Layers[i], &n.layers[i]
			transposeInto(w.qkvT, d.qkvd, 0, l.Q.Data, d.D, d.qd, d.D)
			transposeInto(w.qkvT, d.qkvd, d.qd, l.K.Data, d.D, d.kvd, d.D)
			transposeInto(w.qkvT, d.qkvd, d.qd+d.kvd, l.V.Data, d.D, d.kvd, d.D)
			if l.QBias != nil {
				copy(w.qkvB, l.QBias.Data)
				copy(w.qkvB[d.qd:], l.KBias.Data)
				copy(w.qkvB[d.qd+d.kvd:], l.VBias.Data)
			}
			transposeInto(w.oT, d.D, 0, l.O.Data, d.qd, d.D, d.qd)
			transposeInto(w.guT, 2*d.I, 0, l.Gate.Data, d.D, d.I, d.D)
			transposeInto(w.guT, 2*d.I, d.I, l.Up.Data, d.D, d.I, d.D)
			transposeInto(w.downT, d.D, 0, l.Down.Data, d.I, d.D, d.I)
		}
	})
	transposeInto(n.headT, d.V, 0, n.head().Data, d.D, d.V, d.D)
}

// head is the LM head matrix [V, D]: lm_head, or the embeddings when tied.
func (n *Net) head() *model.Tensor {
	if n.P.Config.TieWordEmbeddings || n.P.LMHead == nil {
		return n.P.Embed
	}
	return n.P.LMHead
}

// transposeInto writes the transpose of w [rows, cols] (row stride lw) into dst [cols, ld] at
// column offset col0.
func transposeInto(dst []float32, ld, col0 int, w []float32, lw, rows, cols int) {
	transpose(dst, ld, col0, w, lw, rows, cols, false)
}

// transposeAdd adds the transpose of w [rows, cols] (row stride lw) into dst [cols, ld].
func transposeAdd(dst []float32, ld int, w []float32, lw, rows, cols int) {
	transpose(dst, ld, 0, w, lw, rows, cols, true)
}

// transpose sets (or, with add, accumulates) dst[c*ld + col0 + r] = w[r*lw + c], eight source rows
// at a time: eight sequential read streams and one 32-byte write per column.
func transpose(dst []float32, ld, col0 int, w []float32, lw, rows, cols int, add bool) {
	r8 := rows / 8 * 8
	for r0 := 0; r0 < r8; r0 += 8 {
		s0, s1, s2, s3 := w[r0*lw:r0*lw+cols], w[(r0+1)*lw:(r0+1)*lw+cols], w[(r0+2)*lw:(r0+2)*lw+cols], w[(r0+3)*lw:(r0+3)*lw+cols]
		s4, s5, s6, s7 := w[(r0+4)*lw:(r0+4)*lw+cols], w[(r0+5)*lw:(r0+5)*lw+cols], w[(r0+6)*lw:(r0+6)*lw+cols], w[(r0+7)*lw:(r0+7)*lw+cols]
		for c := range s0 {
			d := dst[c*ld+col0+r0 : c*ld+col0+r0+8]
			if add {
				d[0], d[1], d[2], d[3] = d[0]+s0[c], d[1]+s1[c], d[2]+s2[c], d[3]+s3[c]
				d[4], d[5], d[6], d[7] = d[4]+s4[c], d[5]+s5[c], d[6]+s6[c], d[7]+s7[c]
			} else {
				d[0], d[1], d[2], d[3] = s0[c], s1[c], s2[c], s3[c]
				d[4], d[5], d[6], d[7] = s4[c], s5[c], s6[c], s7[c]
			}
		}
	}
	for r := r8; r < rows; r++ {
		for c, v := range w[r*lw : r*lw+cols] {
			if add {
				dst[c*ld+col0+r] += v
			} else {
				dst[c*ld+col0+r] = v
			}
		}
	}
}

// ropeTables returns cos and sin of the rotary angles for positions 0..T-1, each [T, hd] in the
// rotate_half layout, computed exactly as the engine's graph computes them.
func ropeTables(c model.Config, T int) (cos, sin []float32) {
	hd := c.Dim()
	theta := c.RopeTheta
	if theta == 0 {
		theta = 10000
	}
	cos, sin = make([]float32, T*hd), make([]float32, T*hd)
	for i := 0; i < hd/2; i++ {
		invFreq := float32(1 / math.Pow(theta, float64(2*i)/float64(hd)))
		for t := 0; t < T; t++ {
			a := float32(t) * invFreq
			cv, sv := float32(math.Cos(float64(a))), float32(math.Sin(float64(a)))
			cos[t*hd+i], cos[t*hd+i+hd/2] = cv, cv
			sin[t*hd+i], sin[t*hd+i+hd/2] = sv, sv
		}
	}
	return cos, sin
}
