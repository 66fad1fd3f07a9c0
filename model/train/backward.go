package train

import (
	"fmt"

	"github.com/ascent-rl/ascent/model"
)

// Backward back-propagates through the last Forward on ps and adds the gradients of every weight
// into g (shaped like the model's params; g.LMHead is nil when the embeddings are tied, whose
// gradient then collects both uses). dLogp [N] is the gradient of each target log-prob, dEnt [N]
// of each entropy (nil: none), dHidden [N, D] an extra gradient of the final hidden states from
// the value and log Z heads (nil: none). Backward consumes the pass: run Forward again before
// another Backward.
func (net *Net) Backward(ps *Pass, dLogp, dEnt, dHidden []float32, g *model.Params) error {
	d, N := ps.d, ps.N
	if len(dLogp) != N || (dEnt != nil && len(dEnt) != N) || (dHidden != nil && len(dHidden) != N*d.D) {
		return fmt.Errorf("train: backward gradients of %d log-probs, %d entropies, %d hidden values on %d positions", len(dLogp), len(dEnt), len(dHidden), N)
	}
	parallelFor(N, rowMin/4, func(lo, hi int) {
		logitGradRows(ps.lsm, d.V, ps.invTemp, ps.targets, ps.ent, dLogp, dEnt, lo, hi, make([]float32, d.V))
	})
	dz := ps.lsm // [N, V] gradient of the logits
	headW, headG := net.head(), g.LMHead
	if headW == net.P.Embed {
		headG = g.Embed
	}
	dh := ps.dh // gradient of the final hidden states
	if dHidden != nil {
		copy(dh, dHidden)
	} else {
		clear(dh)
	}
	gemm(false, N, d.D, d.V, dz, d.V, headW.Data, d.D, dh, d.D)  // dh += dz·W
	weightGrad(headG.Data, d.V, d.D, N, dz, d.V, ps.hidden, d.D) // dW += dzᵀ·hidden
	dx := ps.dx
	clear(dx)
	rmsNormBack(dx, g.FinalNorm.Data, dh, ps.xL, ps.rF, net.P.FinalNorm.Data, N, d.D)

	for i := len(ps.layers) - 1; i >= 0; i-- {
		l, pl, gl := &ps.layers[i], &net.P.Layers[i], &g.Layers[i]
		// MLP: out = x1 + (silu(gate)·up)·Downᵀ
		dact := ps.dact
		clear(dact)
		gemm(false, N, d.I, d.D, dx, d.D, pl.Down.Data, d.I, dact, d.I) // dact = dx·Down
		weightGrad(gl.Down.Data, d.D, d.I, N, dx, d.D, l.act, d.I)      // dDown += dxᵀ·act
		parallelFor(N, rowMin, func(lo, hi int) {
			swiGLUBackRows(ps.dgu, dact, l.gu, d.I, lo, hi, make([]float32, d.I))
			clear(ps.dh[lo*d.D : hi*d.D])
		})
		gemm(false, N, d.D, d.I, ps.dgu, 2*d.I, pl.Gate.Data, d.D, ps.dh, d.D)     // dh2 = dgate·Gate
		gemm(false, N, d.D, d.I, ps.dgu[d.I:], 2*d.I, pl.Up.Data, d.D, ps.dh, d.D) // + dup·Up
		weightGrad(gl.Gate.Data, d.I, d.D, N, ps.dgu, 2*d.I, l.h2, d.D)            // dGate += dgateᵀ·h2
		weightGrad(gl.Up.Data, d.I, d.D, N, ps.dgu[d.I:], 2*d.I, l.h2, d.D)        // dUp += dupᵀ·h2
		dx1 := ps.dx1
		copy(dx1, dx)
		rmsNormBack(dx1, gl.PostNorm.Data, ps.dh, l.x1, l.r2, pl.PostNorm.Data, N, d.D)

		// attention: x1 = x + att·Oᵀ
		datt := ps.datt
		clear(datt)
		gemm(false, N, d.qd, d.D, dx1, d.D, pl.O.Data, d.qd, datt, d.qd) // datt = dx1·O
		weightGrad(gl.O.Data, d.D, d.qd, N, dx1, d.D, l.att, d.qd)       // dO += dx1ᵀ·att
		attentionBackward(ps, l)
		parallelFor(N, rowMin, func(lo, hi int) {
			ropeRows(ps.dqkv, d.qkvd, 0, d.H+d.KV, d.hd, ps.T, ps.cos, ps.sin, -1, lo, hi)
			clear(ps.dh[lo*d.D : hi*d.D])
		})
		if gl.QBias != nil {
			sumRows(gl.QBias.Data, ps.dqkv, d.qkvd, N)
			sumRows(gl.KBias.Data, ps.dqkv[d.qd:], d.qkvd, N)
			sumRows(gl.VBias.Data, ps.dqkv[d.qd+d.kvd:], d.qkvd, N)
		}
		dq, dk, dv := ps.dqkv, ps.dqkv[d.qd:], ps.dqkv[d.qd+d.kvd:]
		gemm(false, N, d.D, d.qd, dq, d.qkvd, pl.Q.Data, d.D, ps.dh, d.D) // dh1 = dq·Q + dk·K + dv·V
		gemm(false, N, d.D, d.kvd, dk, d.qkvd, pl.K.Data, d.D, ps.dh, d.D)
		gemm(false, N, d.D, d.kvd, dv, d.qkvd, pl.V.Data, d.D, ps.dh, d.D)
		weightGrad(gl.Q.Data, d.qd, d.D, N, dq, d.qkvd, l.h1, d.D) // dQ += dqᵀ·h1
		weightGrad(gl.K.Data, d.kvd, d.D, N, dk, d.qkvd, l.h1, d.D)
		weightGrad(gl.V.Data, d.kvd, d.D, N, dv, d.qkvd, l.h1, d.D)
		copy(dx, dx1)
		rmsNormBack(dx, gl.InputNorm.Data, ps.dh, l.x, l.r1, pl.InputNorm.Data, N, d.D)
	}
	ge := g.Embed.Data
	parallelFor(d.D, 32, func(lo, hi int) { // split over features: each row's sum runs in token order
		for n, tok := range ps.tokens {
			addTo(ge[int(tok)*d.D+lo:int(tok)*d.D+hi], dx[n*d.D+lo:n*d.D+hi])
		}
	})
	return nil
}

// weightGrad adds dYᵀ·X into the weight gradient gW [out, in] for dY [N, out] and X [N, in] (row
// strides ldy, ldx). The product transposes the operand whose feature count is the smaller: dY
// itself when out ≤ in, else X, computing (Xᵀ·dY) [in, out] in a scratch buffer that is then
// added transposed (O(out·in) once, against O(N·out) for transposing dY inside the product).
func weightGrad(gW []float32, out, in, N int, dy []float32, ldy int, x []float32, ldx int) {
	if out <= in {
		gemm(true, out, in, N, dy, ldy, x, ldx, gW, in)
		return
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	t := grow(&sc.wg, in*out)
	clear(t)
	gemm(true, in, out, N, x, ldx, dy, ldy, t, out)
	transposeAdd(gW, in, t, out, in, out)
}

// sumRows adds Σ_n x[n*ld + i] into dst[i] for rows n < N, split over the columns i (each sum in
// row order).
func sumRows(dst, x []float32, ld, N int) {
	parallelFor(len(dst), 32, func(lo, hi int) {
		for n := range N {
			addTo(dst[lo:hi], x[n*ld+lo:n*ld+hi])
		}
	})
}

// ZeroGrads returns a gradient accumulator shaped like p (g.LMHead nil when tied).
func ZeroGrads(p *model.Params) *model.Params {
	g := &model.Params{Config: p.Config}
	z := func(t *model.Tensor) *model.Tensor {
		if t == nil {
			return nil
		}
		return &model.Tensor{Shape: append([]int(nil), t.Shape...), Data: make([]float32, len(t.Data))}
	}
	g.Embed, g.FinalNorm, g.LMHead = z(p.Embed), z(p.FinalNorm), z(p.LMHead)
	g.Layers = make([]model.Layer, len(p.Layers))
	for i, l := range p.Layers {
		g.Layers[i] = model.Layer{InputNorm: z(l.InputNorm), Q: z(l.Q), K: z(l.K), V: z(l.V),
			QBias: z(l.QBias), KBias: z(l.KBias), VBias: z(l.VBias), O: z(l.O), PostNorm: z(l.PostNorm),
			Gate: z(l.Gate), Up: z(l.Up), Down: z(l.Down)}
	}
	return g
}
