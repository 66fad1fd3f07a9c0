package train

// The value head (PPO's critic: a linear map D→1 on the final hidden states) and FlowRL's log Z
// head (a linear map on the prompt hidden states mean-pooled over a mask), as the engine's graph
// defines them. Their weights live in the engine; these functions compute their outputs and add
// their gradients.

// ValueHead returns v[n] = hidden[n]·w + b for every position, [N].
func ValueHead(hidden, w []float32, b float32, N, D int) []float32 { // hidden [N, D], w [D]
	v := make([]float32, N)
	for n := range N {
		s := float32(0)
		for i, h := range hidden[n*D : (n+1)*D] {
			s += h * w[i]
		}
		v[n] = s + b
	}
	return v
}

// ValueHeadBack adds dv's contribution to the hidden-state gradient (dHidden[n] += dv[n]·w) and
// the head's gradients (dw += Σ_n dv[n]·hidden[n], db += Σ_n dv[n]).
func ValueHeadBack(dHidden, dw []float32, db *float32, dv, hidden, w []float32, N, D int) {
	for n, g := range dv[:N] {
		if g == 0 {
			continue
		}
		hr, dr := hidden[n*D:(n+1)*D], dHidden[n*D:(n+1)*D]
		for i := range D {
			dr[i] += g * w[i]
			dw[i] += g * hr[i]
		}
		*db += g
	}
}

// LogZHead returns z[b] = pooled[b]·w + bias with pooled[b] = Σ_t m[b,t]·hidden[b,t] /
// max(Σ_t m[b,t], 1), and the pooled states [B, D] for the backward pass.
func LogZHead(hidden, mask, w []float32, bias float32, B, T, D int) (z, pooled []float32) {
	z, pooled = make([]float32, B), make([]float32, B*D)
	for b := range B {
		pr := pooled[b*D : (b+1)*D]
		cnt := float32(0)
		for t := range T {
			m := mask[b*T+t]
			if m == 0 {
				continue
			}
			cnt += m
			for i, h := range hidden[(b*T+t)*D : (b*T+t+1)*D] {
				pr[i] += h * m
			}
		}
		cnt = max(cnt, 1)
		s := float32(0)
		for i := range pr {
			pr[i] /= cnt
			s += pr[i] * w[i]
		}
		z[b] = s + bias
	}
	return z, pooled
}

// LogZHeadBack adds dz's contribution to the hidden-state gradient and the head's gradients.
func LogZHeadBack(dHidden, dw []float32, db *float32, dz, pooled, mask, w []float32, B, T, D int) {
	for b, g := range dz[:B] {
		cnt := float32(0)
		for t := range T {
			cnt += mask[b*T+t]
		}
		cnt = max(cnt, 1)
		for t := range T {
			if m := mask[b*T+t]; m != 0 {
				dr := dHidden[(b*T+t)*D : (b*T+t+1)*D]
				for i := range D {
					dr[i] += g * m / cnt * w[i]
				}
			}
		}
		for i := range D {
			dw[i] += g * pooled[b*D+i]
		}
		*db += g
	}
}
