package train

import (
	"slices"

	"github.com/ascent-rl/ascent/model"
)

// Pass holds the activations of one forward pass over a right-padded [B, T] micro-batch, kept for
// the backward pass, and the scratch buffers of the backward pass. A Pass is reused across calls
// of the same shape (NewPass allocates everything once); it is not safe for concurrent use.
type Pass struct {
	cfg      model.Config
	d        dims
	B, T, N  int
	tokens   []int32   // [N] input token of each position
	targets  []int32   // [N] token each position predicts
	cos, sin []float32 // [T, hd] RoPE tables
	invTemp  float32   // 1/temperature of the last Forward

	layers []layerActs
	xL     []float32 // [N, D] residual stream after the last block
	rF     []float32 // [N] 1/rms of xL
	hidden []float32 // [N, D] final normalised hidden states (what the heads read)
	lsm    []float32 // [N, V] tempered log-softmax; the logit gradient after Backward starts
	logp   []float32 // [N] log-prob of each target
	ent    []float32 // [N] entropy of each position's tempered distribution

	// backward scratch
	dx, dh, dx1 []float32 // [N, D]
	dqkv        []float32 // [N, qkvd]
	datt        []float32 // [N, qd]
	dgu         []float32 // [N, 2·I]
	dact        []float32 // [N, I]
}

// layerActs are one block's saved activations.
type layerActs struct {
	x   []float32 // [N, D] residual stream entering the block
	r1  []float32 // [N] 1/rms of x
	h1  []float32 // [N, D] input_layernorm(x)
	qkv []float32 // [N, qkvd] q and k after RoPE, v
	p   []float32 // [B, H, T, T] attention probabilities (zero above the diagonal)
	att []float32 // [N, qd] attention output before o_proj
	x1  []float32 // [N, D] residual stream after attention
	r2  []float32 // [N] 1/rms of x1
	h2  []float32 // [N, D] post_attention_layernorm(x1)
	gu  []float32 // [N, 2·I] gate and up projections
	act []float32 // [N, I] silu(gate)·up
}

// NewPass allocates the activations of a [B, T] micro-batch of cfg.
func NewPass(cfg model.Config, B, T int) *Pass { return PassFor(nil, cfg, B, T) }

// PassFor returns a pass for a [B, T] micro-batch of cfg: old itself when it has that shape, else a
// new pass that reuses old's buffers where they are large enough (old may be nil). Variable RL
// lengths then do not allocate the activations afresh for every micro-batch.
func PassFor(old *Pass, cfg model.Config, B, T int) *Pass {
	if old != nil && old.B == B && old.T == T && old.cfg.HiddenSize == cfg.HiddenSize && len(old.layers) == cfg.NumHiddenLayers {
		return old
	}
	var pool [][]float32 // old's buffers, largest first
	if old != nil && old.cfg.HiddenSize == cfg.HiddenSize {
		pool = old.buffers()
		slices.SortFunc(pool, func(a, b []float32) int { return cap(b) - cap(a) })
	}
	d := dimsOf(cfg)
	N := B * T
	f := func(n int) []float32 { // the smallest pooled buffer that fits, else a new one
		best := -1
		for i, b := range pool {
			if cap(b) >= n {
				best = i
			}
		}
		if best < 0 {
			return make([]float32, n)
		}
		b := pool[best][:n]
		pool = slices.Delete(pool, best, best+1)
		clear(b)
		return b
	}
	ps := &Pass{cfg: cfg, d: d, B: B, T: T, N: N, tokens: make([]int32, N), targets: make([]int32, N),
		xL: f(N * d.D), rF: f(N), hidden: f(N * d.D), lsm: f(N * d.V), logp: f(N), ent: f(N),
		dx: f(N * d.D), dh: f(N * d.D), dx1: f(N * d.D), dqkv: f(N * d.qkvd), datt: f(N * d.qd), dgu: f(N * 2 * d.I), dact: f(N * d.I)}
	ps.cos, ps.sin = ropeTables(cfg, T)
	ps.layers = make([]layerActs, cfg.NumHiddenLayers)
	for i := range ps.layers {
		ps.layers[i] = layerActs{x: f(N * d.D), r1: f(N), h1: f(N * d.D), qkv: f(N * d.qkvd),
			p: f(B * d.H * T * T), att: f(N * d.qd), x1: f(N * d.D), r2: f(N), h2: f(N * d.D),
			gu: f(N * 2 * d.I), act: f(N * d.I)}
	}
	return ps
}

// buffers lists every float32 buffer of the pass.
func (ps *Pass) buffers() [][]float32 {
	out := [][]float32{ps.xL, ps.rF, ps.hidden, ps.lsm, ps.logp, ps.ent, ps.dx, ps.dh, ps.dx1, ps.dqkv, ps.datt, ps.dgu, ps.dact}
	for _, l := range ps.layers {
		out = append(out, l.x, l.r1, l.h1, l.qkv, l.p, l.att, l.x1, l.r2, l.h2, l.gu, l.act)
	}
	return out
}

// Bytes is the memory the pass holds (activations and backward scratch), in bytes.
func (ps *Pass) Bytes() int {
	n := len(ps.tokens)*8 + 4*(len(ps.cos)+len(ps.sin))
	for _, b := range ps.buffers() {
		n += 4 * len(b)
	}
	return n
}

// LogProbs returns the log-prob of each position's target, [B·T], from the last Forward.
func (ps *Pass) LogProbs() []float32 { return ps.logp }

// Entropies returns the entropy of each position's tempered distribution, [B·T].
func (ps *Pass) Entropies() []float32 { return ps.ent }

// Hidden returns the final normalised hidden states, [B·T, D], that the value and log Z heads read.
func (ps *Pass) Hidden() []float32 { return ps.hidden }
