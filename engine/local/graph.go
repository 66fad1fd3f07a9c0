package local

import (
	"fmt"
	"math"

	"github.com/ascent-rl/ascent/model"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
)

// The GoMLX side of the engine: the Qwen2/Llama decoder as a graph over a right-padded [B, T] batch.
// Weights enter the graph as parameters (one per model tensor, in paramNames order), so one compiled
// graph serves every weight version; the optimizer runs on the host (adamw.go).
//
// Layout: a row is prompt ++ response; graph position t predicts token t+1, so the log-prob of
// response token j sits at position len(prompt)+j-1. Rows are right-padded, which makes the causal
// mask the only attention mask needed (padding comes after every real token and is masked out of
// the loss).

// paramRef names one model tensor and where it lives in model.Params.
type paramRef struct {
	name string // Hugging Face tensor name
	get  func() *model.Tensor
}

// paramRefs lists the model tensors in graph-parameter order. Nil tensors (absent biases, tied
// head) are skipped, so the list is fixed for a given configuration.
func paramRefs(p *model.Params) []paramRef {
	var refs []paramRef
	add := func(name string, t **model.Tensor) {
		if *t != nil {
			refs = append(refs, paramRef{name: name, get: func() *model.Tensor { return *t }})
		}
	}
	add("model.embed_tokens.weight", &p.Embed)
	for i := range p.Layers {
		l := &p.Layers[i]
		pre := fmt.Sprintf("model.layers.%d.", i)
		add(pre+"input_layernorm.weight", &l.InputNorm)
		add(pre+"self_attn.q_proj.weight", &l.Q)
		add(pre+"self_attn.k_proj.weight", &l.K)
		add(pre+"self_attn.v_proj.weight", &l.V)
		add(pre+"self_attn.q_proj.bias", &l.QBias)
		add(pre+"self_attn.k_proj.bias", &l.KBias)
		add(pre+"self_attn.v_proj.bias", &l.VBias)
		add(pre+"self_attn.o_proj.weight", &l.O)
		add(pre+"post_attention_layernorm.weight", &l.PostNorm)
		add(pre+"mlp.gate_proj.weight", &l.Gate)
		add(pre+"mlp.up_proj.weight", &l.Up)
		add(pre+"mlp.down_proj.weight", &l.Down)
	}
	add("model.norm.weight", &p.FinalNorm)
	add("lm_head.weight", &p.LMHead)
	return refs
}

// layerNodes are one decoder block's weights as graph nodes.
type layerNodes struct {
	inNorm, q, k, v, qb, kb, vb, o, postNorm, gate, up, down *Node
}

// weightNodes are the model weights as graph nodes, unpacked from the parameter list.
type weightNodes struct {
	embed, finalNorm, lmHead *Node
	layers                   []layerNodes
}

// unpackWeights maps the parameter nodes (paramRefs order) back to their roles.
func unpackWeights(cfg model.Config, nodes []*Node) weightNodes {
	var w weightNodes
	i := 0
	next := func() *Node { n := nodes[i]; i++; return n }
	w.embed = next()
	for range cfg.NumHiddenLayers {
		var l layerNodes
		l.inNorm, l.q, l.k, l.v = next(), next(), next(), next()
		if cfg.AttentionBias {
			l.qb, l.kb, l.vb = next(), next(), next()
		}
		l.o, l.postNorm, l.gate, l.up, l.down = next(), next(), next(), next(), next()
		w.layers = append(w.layers, l)
	}
	w.finalNorm = next()
	if !cfg.TieWordEmbeddings {
		w.lmHead = next()
	} else {
		w.lmHead = w.embed
	}
	return w
}

// rmsNorm is x·w/sqrt(mean(x²)+eps) over the last axis. It uses 1/Sqrt: Rsqrt has no gradient in
// GoMLX v0.28.8.
func rmsNorm(x, w *Node, eps float64) *Node { // x [B, T, D], w [D]
	ms := ReduceAndKeep(Square(x), ReduceMean, -1)
	inv := Reciprocal(Sqrt(AddScalar(ms, eps)))
	return Mul(Mul(x, inv), Reshape(w, 1, 1, w.Shape().Dimensions[0]))
}

// linear is x·Wᵀ + b with W in the Hugging Face [out, in] layout (no transpose is materialised:
// the contraction is over W's second axis).
func linear(x, w, b *Node) *Node { // x [B, T, in], w [out, in] → [B, T, out]
	y := DotGeneral(x, []int{2}, nil, w, []int{1}, nil)
	if b != nil {
		y = Add(y, Reshape(b, 1, 1, b.Shape().Dimensions[0]))
	}
	return y
}

// ropeTables returns cos and sin of the rotary angles for positions 0..T-1, each [T, hd] in the
// rotate_half layout (the hd/2 frequencies repeated twice), as Hugging Face computes them.
func ropeTables(cfg model.Config, T int) (cos, sin []float32) {
	hd := cfg.Dim()
	theta := cfg.RopeTheta
	if theta == 0 {
		theta = 10000
	}
	cos = make([]float32, T*hd)
	sin = make([]float32, T*hd)
	for t := 0; t < T; t++ {
		for i := 0; i < hd/2; i++ {
			invFreq := float32(1 / math.Pow(theta, float64(2*i)/float64(hd)))
			a := float32(t) * invFreq
			c, s := float32(math.Cos(float64(a))), float32(math.Sin(float64(a)))
			cos[t*hd+i], cos[t*hd+i+hd/2] = c, c
			sin[t*hd+i], sin[t*hd+i+hd/2] = s, s
		}
	}
	return cos, sin
}

// rope applies rotary embeddings: x·cos + rotate_half(x)·sin.
func rope(x, cos, sin *Node) *Node { // x [B, T, heads, hd]; cos, sin [1, T, 1, hd]
	hd := x.Shape().Dimensions[3]
	x1 := Slice(x, AxisRange(), AxisRange(), AxisRange(), AxisRange(0, hd/2))
	x2 := Slice(x, AxisRange(), AxisRange(), AxisRange(), AxisRange(hd/2, hd))
	rot := Concatenate([]*Node{Neg(x2), x1}, 3)
	return Add(Mul(x, cos), Mul(rot, sin))
}

// forwardHidden runs the decoder over tokens and returns the final normalised hidden states.
func forwardHidden(cfg model.Config, w weightNodes, tokens *Node) *Node { // tokens [B, T] int32 → [B, T, D]
	g := tokens.Graph()
	B, T := tokens.Shape().Dimensions[0], tokens.Shape().Dimensions[1]
	D, H, KV, hd := cfg.HiddenSize, cfg.NumAttentionHeads, cfg.NumKeyValueHeads, cfg.Dim()
	if KV == 0 {
		KV = H
	}
	G := H / KV
	eps := cfg.RMSNormEps

	x := Gather(w.embed, Reshape(tokens, B, T, 1)) // [B, T, D]
	cosF, sinF := ropeTables(cfg, T)
	cos := Reshape(Const(g, cosF), 1, T, 1, hd)
	sin := Reshape(Const(g, sinF), 1, T, 1, hd)
	bias := make([]float32, T*T) // causal mask as an additive bias, [Tq, Tk]
	for q := 0; q < T; q++ {
		for k := q + 1; k < T; k++ {
			bias[q*T+k] = -1e30
		}
	}
	maskBias := Reshape(Const(g, bias), 1, 1, T, 1, T)
	scale := 1 / math.Sqrt(float64(hd))

	for _, l := range w.layers {
		h := rmsNorm(x, l.inNorm, eps)
		q := rope(Reshape(linear(h, l.q, l.qb), B, T, H, hd), cos, sin)  // [B, T, H, hd]
		k := rope(Reshape(linear(h, l.k, l.kb), B, T, KV, hd), cos, sin) // [B, T, KV, hd]
		v := Reshape(linear(h, l.v, l.vb), B, T, KV, hd)                 // [B, T, KV, hd]
		q5 := Reshape(q, B, T, KV, G, hd)
		s := DotGeneral(q5, []int{4}, []int{0, 2}, k, []int{3}, []int{0, 2}) // [B, KV, Tq, G, Tk]
		s = Add(MulScalar(s, scale), maskBias)
		p := Softmax(s, 4)
		o := DotGeneral(p, []int{4}, []int{0, 1}, v, []int{1}, []int{0, 2}) // [B, KV, Tq, G, hd]
		ow := Reshape(l.o, D, KV, G, hd)
		attn := DotGeneral(o, []int{1, 3, 4}, nil, ow, []int{1, 2, 3}, nil) // [B, Tq, D]
		x = Add(x, attn)

		h = rmsNorm(x, l.postNorm, eps)
		gate := linear(h, l.gate, nil) // [B, T, I]
		up := linear(h, l.up, nil)
		x = Add(x, linear(Mul(silu(gate), up), l.down, nil))
	}
	return rmsNorm(x, w.finalNorm, eps)
}

// silu is x·sigmoid(x), written as x/(1+exp(−x)) because the go backend's Exp is a fast float32
// kernel while its Logistic goes through float64 math.Exp (18% of a training step). The exponent is
// clamped to ±60 so that neither the value nor the gradient overflows (silu(x) is 0 to float32
// precision below −60, and x above 60).
func silu(x *Node) *Node {
	return Div(x, AddScalar(Exp(Neg(ClipScalar(x, -60, 60))), 1))
}

// tokenStats returns per-position log-probs of targets and entropies of the tempered distribution.
// idx holds (b, t, target) triples, validated on the host (an out-of-range Gather index kills the
// process on the go backend).
// Entropy is computed only when withEntropy is set (nil otherwise): over a large vocabulary it is a
// [B, T, V] exp-multiply-reduce that losses without an entropy term do not need.
func tokenStats(w weightNodes, hidden, idx, temperature *Node, withEntropy bool) (logp, entropy *Node) { // hidden [B,T,D], idx [B,T,3] → [B,T]
	logits := DotGeneral(hidden, []int{2}, nil, w.lmHead, []int{1}, nil) // [B, T, V]
	logits = Div(logits, temperature)
	lsm := LogSoftmax(logits, -1)
	logp = Gather(lsm, idx) // [B, T]
	if withEntropy {
		entropy = Neg(ReduceSum(Mul(Exp(lsm), lsm), -1)) // [B, T]
	}
	return logp, entropy
}

// valueHead is the PPO critic: a linear map D→1 on the final hidden states.
func valueHead(hidden, wv, bv *Node) *Node { // hidden [B,T,D], wv [1,D], bv [1] → [B,T]
	B, T := hidden.Shape().Dimensions[0], hidden.Shape().Dimensions[1]
	return Reshape(Add(linear(hidden, wv, nil), Reshape(bv, 1, 1, 1)), B, T)
}

// logZHead is FlowRL's learned log partition: a linear map on the prompt hidden states, mean-pooled
// over promptMask (gradient flows into the body as in the reference implementation).
func logZHead(hidden, promptMask, wz, bz *Node) *Node { // hidden [B,T,D], promptMask [B,T] → [B]
	B, T := hidden.Shape().Dimensions[0], hidden.Shape().Dimensions[1]
	m := Reshape(promptMask, B, T, 1)
	sum := ReduceSum(Mul(hidden, m), 1)                                    // [B, D]
	cnt := Max(ReduceSum(m, 1), ScalarOne(hidden.Graph(), dtypes.Float32)) // [B, 1]
	pooled := Div(sum, cnt)
	z := DotGeneral(pooled, []int{1}, nil, wz, []int{1}, nil) // [B, 1]
	return Reshape(Add(z, Reshape(bz, 1, 1)), B)
}
