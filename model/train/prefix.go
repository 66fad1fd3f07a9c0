package train

import (
	"fmt"
	"math"
)

// Input-embedding prefixes: a vision-language-action policy prepends projected image patches (and
// a projected proprioception vector) to its instruction tokens. ForwardPrefix replaces the token
// embeddings of the first P positions of every row with given vectors; after Backward, PrefixGrad
// returns the gradient of the loss with respect to those vectors, from which the caller computes
// the gradients of its projection. The prefix positions carry a placeholder token id whose
// embedding row is never read; Backward's embedding gradient for that row is meaningless and
// ClearRow zeroes it.

// ForwardPrefix is Forward with the first P positions of every row embedded by prefix
// ([B, P, D] row-major) instead of by their tokens; tokens at those positions must be valid ids
// (a placeholder) and are otherwise ignored.
func (net *Net) ForwardPrefix(ps *Pass, prefix []float32, P int, tokens, targets []int32, temperature float64) error {
	d := ps.d
	if P < 0 || P > ps.T || len(prefix) != ps.B*P*d.D {
		return fmt.Errorf("train: prefix of %d values for %d positions × %d rows × %d features on a [%d, %d] pass", len(prefix), P, ps.B, d.D, ps.B, ps.T)
	}
	for i, v := range prefix {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("train: prefix value %d (row %d, position %d) is %v", i, i/(P*d.D), i/d.D%P, v)
		}
	}
	if err := net.checkInputs(ps, tokens, targets, temperature); err != nil {
		return err
	}
	copy(ps.tokens, tokens)
	copy(ps.targets, targets)
	ps.invTemp = float32(1 / temperature)
	emb := net.P.Embed.Data
	x := ps.input()
	for n, tok := range tokens {
		b, t := n/ps.T, n%ps.T
		if t < P {
			copy(x[n*d.D:(n+1)*d.D], prefix[(b*P+t)*d.D:(b*P+t+1)*d.D])
			continue
		}
		copy(x[n*d.D:(n+1)*d.D], emb[int(tok)*d.D:(int(tok)+1)*d.D])
	}
	net.forwardInput(ps)
	return nil
}

// checkInputs validates the token ids and the temperature of a forward pass.
func (net *Net) checkInputs(ps *Pass, tokens, targets []int32, temperature float64) error {
	N, V := ps.N, ps.d.V
	if len(tokens) != N || len(targets) != N {
		return fmt.Errorf("train: forward of %d tokens and %d targets on a [%d, %d] pass", len(tokens), len(targets), ps.B, ps.T)
	}
	for n := range N {
		if tokens[n] < 0 || int(tokens[n]) >= V || targets[n] < 0 || int(targets[n]) >= V {
			return fmt.Errorf("train: position %d: token %d or target %d outside the vocabulary [0, %d)", n, tokens[n], targets[n], V)
		}
	}
	if temperature <= 0 {
		return fmt.Errorf("train: temperature %g: expected > 0", temperature)
	}
	return nil
}

// PrefixGrad returns the gradient of the loss with respect to the prefix of the last
// ForwardPrefix, [B, P, D], valid after Backward (which leaves the input gradient in the pass).
func (ps *Pass) PrefixGrad(P int) []float32 {
	D := ps.d.D
	out := make([]float32, ps.B*P*D)
	for b := range ps.B {
		copy(out[b*P*D:(b+1)*P*D], ps.dx[b*ps.T*D:(b*ps.T+P)*D])
	}
	return out
}

// ClearRow zeroes row tok of an embedding gradient [V, D] (the prefix placeholder's, which
// Backward fills with the prefix gradients although that embedding is never used).
func ClearRow(embedGrad []float32, tok, D int) { clear(embedGrad[tok*D : (tok+1)*D]) }
