package train

// Forward runs the decoder over a right-padded micro-batch and keeps its activations in ps:
// tokens[n] is the input at position n = b·T + t and targets[n] the token it predicts (anything in
// the vocabulary at padding positions). Log-probs of the targets and entropies of softmax(logits /
// temperature) are then in ps.LogProbs and ps.Entropies, the final hidden states in ps.Hidden.
func (net *Net) Forward(ps *Pass, tokens, targets []int32, temperature float64) error {
	if err := net.checkInputs(ps, tokens, targets, temperature); err != nil {
		return err
	}
	d := ps.d
	copy(ps.tokens, tokens)
	copy(ps.targets, targets)
	ps.invTemp = float32(1 / temperature)
	emb := net.P.Embed.Data
	x := ps.input()
	for n, tok := range tokens {
		copy(x[n*d.D:(n+1)*d.D], emb[int(tok)*d.D:(int(tok)+1)*d.D])
	}
	net.forwardInput(ps)
	return nil
}

// input is the [N, D] buffer the first block reads (the embedded tokens).
func (ps *Pass) input() []float32 {
	if len(ps.layers) > 0 {
		return ps.layers[0].x
	}
	return ps.xL
}

// forwardInput runs the blocks, the final norm and the head on the embedded input ps.input().
func (net *Net) forwardInput(ps *Pass) {
	c, d, N := net.P.Config, ps.d, ps.N
	for i := range ps.layers {
		l, w, pl := &ps.layers[i], &net.layers[i], &net.P.Layers[i]
		out := ps.xL
		if i+1 < len(ps.layers) {
			out = ps.layers[i+1].x
		}
		parallelFor(N, rowMin, func(lo, hi int) {
			rmsNormRows(l.h1, l.r1, l.x, pl.InputNorm.Data, d.D, c.RMSNormEps, lo, hi)
			for n := lo; n < hi; n++ {
				copy(l.qkv[n*d.qkvd:(n+1)*d.qkvd], w.qkvB)
			}
		})
		gemm(false, N, d.qkvd, d.D, l.h1, d.D, w.qkvT, d.qkvd, l.qkv, d.qkvd) // [N, qkvd]
		parallelFor(N, rowMin, func(lo, hi int) {
			ropeRows(l.qkv, d.qkvd, 0, d.H+d.KV, d.hd, ps.T, ps.cos, ps.sin, 1, lo, hi) // q and k are adjacent
		})
		attentionForward(ps, l)
		copy(l.x1, l.x)
		gemm(false, N, d.D, d.qd, l.att, d.qd, w.oT, d.D, l.x1, d.D) // x1 = x + att·Oᵀ
		parallelFor(N, rowMin, func(lo, hi int) {
			rmsNormRows(l.h2, l.r2, l.x1, pl.PostNorm.Data, d.D, c.RMSNormEps, lo, hi)
			clear(l.gu[lo*2*d.I : hi*2*d.I])
		})
		gemm(false, N, 2*d.I, d.D, l.h2, d.D, w.guT, 2*d.I, l.gu, 2*d.I) // [N, 2I]
		copy(out, l.x1)
		parallelFor(N, rowMin, func(lo, hi int) {
			swiGLURows(l.act, l.gu, d.I, lo, hi)
		})
		gemm(false, N, d.D, d.I, l.act, d.I, w.downT, d.D, out, d.D) // out = x1 + act·Downᵀ
	}
	parallelFor(N, rowMin, func(lo, hi int) {
		rmsNormRows(ps.hidden, ps.rF, ps.xL, net.P.FinalNorm.Data, d.D, c.RMSNormEps, lo, hi)
		clear(ps.lsm[lo*d.V : hi*d.V])
	})
	gemm(false, N, d.V, d.D, ps.hidden, d.D, net.headT, d.V, ps.lsm, d.V) // logits [N, V]
	parallelFor(N, rowMin/4, func(lo, hi int) {
		logSoftmaxRows(ps.lsm, d.V, ps.invTemp, ps.targets, ps.logp, ps.ent, lo, hi, make([]float32, d.V))
	})
}
