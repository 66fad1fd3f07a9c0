package train

import (
	"math"

	"github.com/ascent-rl/ascent/model"
)

// Causal grouped-query attention over one micro-batch, split into B·KV tasks (a row and a key/value
// head with its G query heads), so the key and value gradients of a task are written by one
// goroutine. The probabilities are kept for the backward pass; the products run over full T×T
// blocks whose upper triangle is zero.

// attentionForward fills l.p and l.att from l.qkv (q and k already rotated).
func attentionForward(ps *Pass, l *layerActs) {
	d, T := ps.d, ps.T
	scale := float32(1 / math.Sqrt(float64(d.hd)))
	parallelFor(ps.B*d.KV, 2, func(lo, hi int) {
		kT := make([]float32, d.hd*T) // [hd, T]
		for task := lo; task < hi; task++ {
			b, kv := task/d.KV, task%d.KV
			base := b * T * d.qkvd
			transposeInto(kT, T, 0, l.qkv[base+d.qd+kv*d.hd:], d.qkvd, T, d.hd)
			for g := range d.G {
				h := kv*d.G + g
				p := l.p[(b*d.H+h)*T*T : (b*d.H+h+1)*T*T] // [T, T]
				clear(p)
				gemm(false, T, T, d.hd, l.qkv[base+h*d.hd:], d.qkvd, kT, T, p, T)
				for t := range T {
					softmaxCausal(p[t*T:(t+1)*T], t, scale)
				}
				out := l.att[b*T*d.qd+h*d.hd:]
				for t := range T {
					clear(out[t*d.qd : t*d.qd+d.hd])
				}
				gemm(false, T, d.hd, T, p, T, l.qkv[base+d.qd+d.kvd+kv*d.hd:], d.qkvd, out, d.qd)
			}
		}
	})
}

// softmaxCausal replaces row[0..t] with softmax(row·scale) and zeroes the rest.
func softmaxCausal(row []float32, t int, scale float32) {
	r := row[:t+1]
	addScalar(r, -scaleMax(r, scale))
	model.ExpInPlace(r)
	scaleRow(r, 1/sumOf(r))
	clear(row[t+1:])
}

// attentionBackward sets the q, k and v columns of ps.dqkv (before the RoPE transpose) from ps.datt,
// the gradient of l.att.
func attentionBackward(ps *Pass, l *layerActs) {
	d, T := ps.d, ps.T
	scale := float32(1 / math.Sqrt(float64(d.hd)))
	parallelFor(ps.B*d.KV, 2, func(lo, hi int) {
		vT := make([]float32, d.hd*T) // [hd, T]
		ds := make([]float32, T*T)    // [T, T]
		for task := lo; task < hi; task++ {
			b, kv := task/d.KV, task%d.KV
			base := b * T * d.qkvd
			transposeInto(vT, T, 0, l.qkv[base+d.qd+d.kvd+kv*d.hd:], d.qkvd, T, d.hd)
			dk := ps.dqkv[base+d.qd+kv*d.hd:]
			dv := ps.dqkv[base+d.qd+d.kvd+kv*d.hd:]
			for t := range T {
				clear(dk[t*d.qkvd : t*d.qkvd+d.hd])
				clear(dv[t*d.qkvd : t*d.qkvd+d.hd])
			}
			for g := range d.G {
				h := kv*d.G + g
				p := l.p[(b*d.H+h)*T*T : (b*d.H+h+1)*T*T]
				do := ps.datt[b*T*d.qd+h*d.hd:] // [T, hd] rows of stride qd
				// dV += Pᵀ·dO; dP = dO·Vᵀ
				gemm(true, T, d.hd, T, p, T, do, d.qd, dv, d.qkvd)
				clear(ds)
				gemm(false, T, T, d.hd, do, d.qd, vT, T, ds, T)
				for t := range T { // dS = P⊙(dP − Σ P⊙dP)·scale
					softmaxBackRow(p[t*T:t*T+t+1], ds[t*T:t*T+t+1], scale)
					clear(ds[t*T+t+1 : (t+1)*T])
				}
				// dQ = dS·K; dK += dSᵀ·Q
				dq := ps.dqkv[base+h*d.hd:]
				for t := range T {
					clear(dq[t*d.qkvd : t*d.qkvd+d.hd])
				}
				gemm(false, T, d.hd, T, ds, T, l.qkv[base+d.qd+kv*d.hd:], d.qkvd, dq, d.qkvd)
				gemm(true, T, d.hd, T, ds, T, l.qkv[base+h*d.hd:], d.qkvd, dk, d.qkvd)
			}
		}
	})
}
