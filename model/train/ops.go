package train

import (
	"math"

	"github.com/ascent-rl/ascent/model"
)

// Element-wise and per-row kernels of the forward and backward passes. Each works on a range of
// rows so that callers can split it over goroutines with parallelFor.

// rowMin is the row count below which per-row kernels stay on one goroutine.
const rowMin = 64

// rmsNormRows sets h[n] = x[n]·r[n]·w with r[n] = 1/sqrt(mean(x[n]²) + eps), for rows lo..hi.
func rmsNormRows(h, r, x, w []float32, D int, eps float64, lo, hi int) { // x, h [N, D]; r [N]; w [D]
	for n := lo; n < hi; n++ {
		xr := x[n*D : (n+1)*D]
		inv := float32(1 / math.Sqrt(float64(sumSquares(xr)/float32(D))+eps))
		r[n] = inv
		scaleMul(h[n*D:(n+1)*D], xr, w, inv)
	}
}

// rmsNormBack adds the input gradient of RMSNorm into dx and the weight gradient into dw, for all
// N rows: with y = x·r·w, dx += r·(dy⊙w) − x·r³/D·Σ(dy⊙w⊙x) and dw += Σ_n dy⊙x·r. The input
// gradient is split over rows, the weight gradient over features (each summed in row order, so the
// result does not depend on the split).
func rmsNormBack(dx, dw, dy, x, r, w []float32, N, D int) { // dx, dy, x [N, D]; r [N]; w, dw [D]
	parallelFor(N, rowMin, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			xr, dyr := x[n*D:(n+1)*D], dy[n*D:(n+1)*D]
			rn := r[n]
			c := rn * rn * rn * dot3(dyr, w, xr) / float32(D)
			rmsBackRow(dx[n*D:(n+1)*D], dyr, w, xr, rn, c)
		}
	})
	parallelFor(D, 32, func(lo, hi int) { // split over features: each sum still runs in row order
		dwp := dw[lo:hi]
		for n := range N {
			mulAcc(dwp, dy[n*D+lo:n*D+hi], x[n*D+lo:n*D+hi], r[n])
		}
	})
}

// ropeRows rotates heads of width hd in row-major [N, ld] data, columns c0..c0+heads·hd, in place:
// x·cos + rotate_half(x)·sin at each row's position n mod T. With dir −1 it applies the transpose
// (the rotation by the opposite angle), which is the backward pass of dir +1.
func ropeRows(x []float32, ld, c0, heads, hd, T int, cos, sin []float32, dir float32, lo, hi int) {
	half := hd / 2
	for n := lo; n < hi; n++ {
		t := n % T
		cs, sn := cos[t*hd:t*hd+half], sin[t*hd:t*hd+half]
		for h := range heads {
			v := x[n*ld+c0+h*hd : n*ld+c0+(h+1)*hd]
			x1, x2 := v[:half], v[half:hd]
			for i := range half {
				a, b, s := x1[i], x2[i], dir*sn[i]
				x1[i], x2[i] = a*cs[i]-b*s, b*cs[i]+a*s
			}
		}
	}
}

// swiGLURows sets act[n, i] = silu(gate)·up with gate, up = gu[n, i], gu[n, I+i] and silu(g) =
// g/(1+e^−g). (The graph clamps the exponent to ±60; the results differ only below −60, where
// both are 0 to float32 precision.)
func swiGLURows(act, gu []float32, I, lo, hi int) { // act [N, I]; gu [N, 2I]
	for n := lo; n < hi; n++ {
		model.SiLUMul(act[n*I:(n+1)*I], gu[n*2*I:n*2*I+I], gu[n*2*I+I:(n+1)*2*I])
	}
}

// swiGLUBackRows sets dgu from dact: d gate = dact·up·s·(1 + g·(1−s)), d up = dact·g·s with
// s = sigmoid(g).
func swiGLUBackRows(dgu, dact, gu []float32, I, lo, hi int, tmp []float32) { // tmp [I]
	for n := lo; n < hi; n++ {
		g, u := gu[n*2*I:n*2*I+I], gu[n*2*I+I:(n+1)*2*I]
		negInto(tmp[:I], g)
		model.ExpInPlace(tmp[:I])
		swiGLUBack(dgu[n*2*I:n*2*I+I], dgu[n*2*I+I:(n+1)*2*I], dact[n*I:(n+1)*I], g, u, tmp[:I])
	}
}

// logSoftmaxRows turns rows of logits z [N, V] into the tempered log-softmax lsm = z·inv −
// logsumexp(z·inv) in place and records each row's target log-prob and entropy −Σ p·lsm.
func logSoftmaxRows(z []float32, V int, inv float32, targets []int32, logp, ent []float32, lo, hi int, tmp []float32) {
	for n := lo; n < hi; n++ {
		row := z[n*V : (n+1)*V]
		mx := float32(math.Inf(-1))
		for i, v := range row {
			row[i] = v * inv
			mx = max(mx, row[i])
		}
		for i, v := range row {
			tmp[i] = v - mx
		}
		model.ExpInPlace(tmp[:V])
		var sum float64
		for _, e := range tmp[:V] {
			sum += float64(e)
		}
		lse := mx + float32(math.Log(sum))
		var h float64
		for i, v := range row {
			row[i] = v - lse
			h -= float64(tmp[i]) / sum * float64(row[i])
		}
		logp[n], ent[n] = row[targets[n]], float32(h)
	}
}

// logitGradRows turns the log-softmax rows into the gradient of the logits in place, given the
// gradients of each row's target log-prob (dLogp) and entropy (dEnt; nil for none):
// d u_j = dLogp·(δ_j,target − p_j) − dEnt·p_j·(lsm_j + H), d z = d u·inv.
func logitGradRows(lsm []float32, V int, inv float32, targets []int32, ent, dLogp, dEnt []float32, lo, hi int, tmp []float32) {
	for n := lo; n < hi; n++ {
		row := lsm[n*V : (n+1)*V]
		gl, ge := dLogp[n], float32(0)
		if dEnt != nil {
			ge = dEnt[n]
		}
		if gl == 0 && ge == 0 {
			clear(row)
			continue
		}
		copy(tmp[:V], row)
		model.ExpInPlace(tmp[:V])
		h := ent[n]
		for j, l := range row {
			p := tmp[j]
			row[j] = (-gl*p - ge*p*(l+h)) * inv
		}
		row[targets[n]] += gl * inv
	}
}
