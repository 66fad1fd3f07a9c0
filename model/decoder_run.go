package model

import "math"

// run pushes one token per entry i (row d.rows[i] at position d.poss[i]) through every layer,
// writing each entry's keys and values into its row's cache before any entry of the layer attends,
// so that a chunk of consecutive positions of one row (prefill) is causal. The final hidden states
// are left in d.x [n, D].
func (d *Decoder) run(tokens []int) {
	D := d.cfg.HiddenSize
	for i, t := range tokens {
		copy(d.x[i*D:(i+1)*D], d.embed[t*D:(t+1)*D])
	}
	d.runInput(len(tokens))
}

// runInput is run on n entries whose input embeddings are already in d.x [n, D].
func (d *Decoder) runInput(n int) {
	c := d.cfg
	D, I, H, KV, hd := c.HiddenSize, c.IntermediateSize, c.NumAttentionHeads, c.NumKeyValueHeads, c.Dim()
	qd, kvd := H*hd, KV*hd
	N := qd + 2*kvd
	eps := float32(c.RMSNormEps)
	x := d.x[:n*D]
	h := d.h[:n*D]
	qkv, att := d.qkv[:n*N], d.att[:n*qd]
	gu, act := d.gu[:n*2*I], d.act[:n*I]
	for l := range d.layers {
		w := &d.layers[l]
		rmsNormRows(h, x, w.inNorm, eps, D)
		for i := 0; i < n; i++ {
			if w.bqkv != nil {
				copy(qkv[i*N:(i+1)*N], w.bqkv)
			} else {
				clear(qkv[i*N : (i+1)*N])
			}
		}
		matmulAddPackedN(d.Threads(), qkv, h, n, w.wqkv) // [n, N]
		kc, vc := d.kc[l], d.vc[l]
		for i := 0; i < n; i++ {
			row, pos := d.rows[i], d.poss[i]
			e := qkv[i*N : (i+1)*N]
			d.rope(e[:qd], H, pos)
			d.rope(e[qd:qd+kvd], KV, pos)
			off := (row*d.maxLen + pos) * kvd // values: [row, maxLen, KV·hd]
			copy(vc[off:off+kvd], e[qd+kvd:])
			// Keys are cached transposed, [row, KV, hd, maxLen], so that a query's scores over
			// all positions are hd unit-stride axpys instead of one short dot product per position.
			kbase := row*kvd*d.maxLen + pos
			for j, v := range e[qd : qd+kvd] {
				kc[kbase+j*d.maxLen] = v
			}
		}
		clear(att)
		minN := n + 1 // attention work ≈ n · positions · H · hd multiply-adds (twice)
		if work := n * (d.poss[n-1] + 1) * qd * 2; work >= attendMinWork {
			minN = 2
		}
		parallelForN(d.Threads(), n, minN, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				d.attend(l, i, qkv[i*N:i*N+qd], att[i*qd:(i+1)*qd])
			}
		})
		matmulAddPackedN(d.Threads(), x, att, n, w.wo) // x += attention · Wo
		rmsNormRows(h, x, w.postNorm, eps, D)
		clear(gu)
		matmulAddPackedN(d.Threads(), gu, h, n, w.wgu) // [n, 2I] gate | up
		for i := 0; i < n; i++ {
			siluMul(act[i*I:(i+1)*I], gu[i*2*I:i*2*I+I], gu[i*2*I+I:(i+1)*2*I])
		}
		matmulAddPackedN(d.Threads(), x, act, n, w.wdown) // x += MLP output
	}
}

// attend computes entry i's attention output out [H·hd] (zeroed by the caller) from its rotated
// queries q [H·hd] and its row's cached keys and values at positions 0..pos.
func (d *Decoder) attend(l, i int, q, out []float32) {
	c := d.cfg
	H, KV, hd := c.NumAttentionHeads, c.NumKeyValueHeads, c.Dim()
	kvd, L := KV*hd, d.maxLen
	row, pos := d.rows[i], d.poss[i]
	kc := d.kc[l][row*kvd*L : (row+1)*kvd*L] // [KV, hd, maxLen]
	vc := d.vc[l][row*L*kvd : (row*L+pos+1)*kvd]
	scores := d.scores[i*L : i*L+pos+1]
	scale := float32(1 / math.Sqrt(float64(hd)))
	for h := 0; h < H; h++ {
		g := h / (H / KV)
		qh := q[h*hd : (h+1)*hd]
		clear(scores)
		for j, qv := range qh {
			axpy(scores, qv*scale, kc[(g*hd+j)*L:])
		}
		mx := scores[0]
		for _, v := range scores {
			mx = max(mx, v)
		}
		for s := range scores {
			scores[s] -= mx
		}
		expInPlace(scores)
		sum := float32(0)
		for _, v := range scores {
			sum += v
		}
		inv := 1 / sum
		oh := out[h*hd : (h+1)*hd]
		for s, p := range scores {
			axpy(oh, p*inv, vc[s*kvd+g*hd:s*kvd+(g+1)*hd])
		}
	}
}

// rope rotates each of the heads of x [heads·hd] for position pos (rotate_half convention: element
// i pairs with i+hd/2).
func (d *Decoder) rope(x []float32, heads, pos int) {
	hd := d.cfg.Dim()
	half := hd / 2
	cs, sn := d.cos[pos*half:(pos+1)*half], d.sin[pos*half:(pos+1)*half]
	for h := 0; h < heads; h++ {
		v := x[h*hd : (h+1)*hd]
		lo, hi := v[:half], v[half:hd]
		for i := range lo {
			a, b := lo[i], hi[i]
			lo[i], hi[i] = a*cs[i]-b*sn[i], b*cs[i]+a*sn[i]
		}
	}
}

// project writes the logits of the selected entries of d.x into dst [len(sel), V]: final RMSNorm,
// then the lm_head (or tied embedding) product.
func (d *Decoder) project(dst []float32, sel []int) {
	D := d.cfg.HiddenSize
	h := d.h[:len(sel)*D]
	for j, i := range sel {
		rmsNormRows(h[j*D:(j+1)*D], d.x[i*D:(i+1)*D], d.finalNorm, float32(d.cfg.RMSNormEps), D)
	}
	clear(dst)
	matmulAddPackedN(d.Threads(), dst, h, len(sel), d.head)
}

// rmsNormRows writes x·w/sqrt(mean(x²)+eps) for each D-wide row of x into dst.
func rmsNormRows(dst, x, w []float32, eps float32, D int) {
	for r := 0; r+D <= len(x); r += D {
		xr, dr := x[r:r+D], dst[r:r+D]
		ms := float64(dot(xr, xr)) / float64(D)
		inv := float32(1 / math.Sqrt(ms+float64(eps)))
		for i, v := range xr {
			dr[i] = v * inv * w[i]
		}
	}
}

// expf is a float32 e^x accurate to about 2 ulp: x = k·ln2 + r with |r| ≤ ln2/2, e^r by its
// degree-7 Taylor polynomial, times 2^k.
func expf(x float32) float32 {
	switch {
	case x != x:
		return x
	case x > 88:
		return float32(math.Exp(float64(x))) // near float32's overflow: no 2^128 scale factor

	case x < -87.33:
		return 0
	}
	k := float32(math.Floor(float64(x*1.442695041 + 0.5)))
	r := x - k*0.693145752 - k*1.42860677e-6
	p := 1 + r*(1+r*(0.5+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))
	return p * math.Float32frombits(uint32(int32(k)+127)<<23)
}
