package algo

import (
	"fmt"
	"math"
	"strings"

	. "github.com/gomlx/gomlx/core/graph"
)

// KLType names a per-token estimator of KL(π_θ‖π_ref) from d = logp − ref (verl kl_penalty, spec §1.4).
type KLType string

// The KL estimators. Aliases accepted by ParseKLType: kl = k1, mse = k2, low_var_kl = k3.
const (
	// KLK1 is d (unbiased, high variance, can be negative).
	KLK1 KLType = "k1"
	// KLAbs is |d|.
	KLAbs KLType = "abs"
	// KLK2 is ½·d² (gradient d: the true KL gradient direction).
	KLK2 KLType = "k2"
	// KLK3 is GRPO's low-variance estimator: with k = clamp(ref − logp, ±20), clamp(e^k − k − 1, ±10).
	// verl's default for the KL loss.
	KLK3 KLType = "k3"
	// KLK1Plus has k1's value and k2's gradient (straight-through: k2 + sg(k1 − k2)).
	KLK1Plus KLType = "k1+"
	// KLK3Plus has k3's value and k2's gradient. verl documents it but raises on it at b178a3c [bug].
	KLK3Plus KLType = "k3+"
)

// KLTypes lists the canonical estimator names.
var KLTypes = []KLType{KLK1, KLAbs, KLK2, KLK3, KLK1Plus, KLK3Plus}

// ParseKLType accepts the canonical names and verl's aliases (kl, mse, low_var_kl, and "+" forms).
func ParseKLType(s string) (KLType, error) {
	plus := strings.HasSuffix(s, "+")
	base := strings.TrimSuffix(s, "+")
	switch base {
	case "kl":
		base = "k1"
	case "mse":
		base = "k2"
	case "low_var_kl":
		base = "k3"
	}
	if plus {
		base += "+"
	}
	for _, k := range KLTypes {
		if string(k) == base {
			return k, nil
		}
	}
	return "", fmt.Errorf("kl estimator %q: valid: %v (aliases kl, mse, low_var_kl)", s, KLTypes)
}

// KLPenalty builds the per-token estimator kind from logp [B, T] (gradient flows) and ref [B, T]. It
// returns [B, T]; elements beyond k3's clamps have zero gradient. Panics on an unknown kind (use
// ParseKLType first).
func KLPenalty(kind KLType, logp, ref *Node) *Node {
	d := Sub(logp, ref)
	k2 := func() *Node { return MulScalar(Square(d), 0.5) }
	k3 := func() *Node {
		k := ClipScalar(Neg(d), -20, 20)
		// e^k − k − 1 written with Exp: Expm1 has no gradient in gomlx v0.28.8.
		return ClipScalar(SubScalar(Sub(Exp(k), k), 1), -10, 10)
	}
	straight := func(value *Node) *Node { g := k2(); return Add(g, StopGradient(Sub(value, g))) }
	switch kind {
	case KLK1:
		return d
	case KLAbs:
		return absSubgrad(d)
	case KLK2:
		return k2()
	case KLK3:
		return k3()
	case KLK1Plus:
		return straight(d)
	case KLK3Plus:
		return straight(k3())
	}
	panic(fmt.Errorf("kl estimator %q: valid: %v", kind, KLTypes))
}

// KLPenaltyRef is the plain-Go reference of KLPenalty (values only).
func KLPenaltyRef(kind KLType, logp, ref [][]float64) ([][]float64, error) {
	b, t, err := checkMatrix("log_prob", logp, -1, -1)
	if err != nil {
		return nil, err
	}
	if _, _, err := checkMatrix("ref_log_prob", ref, b, t); err != nil {
		return nil, err
	}
	if _, err := ParseKLType(string(kind)); err != nil {
		return nil, err
	}
	out := newMatrix(b, t)
	for i := range logp {
		for j := range logp[i] {
			out[i][j] = klValue(kind, logp[i][j]-ref[i][j])
		}
	}
	return out, nil
}

// klValue is one estimator value for d = logp − ref.
func klValue(kind KLType, d float64) float64 {
	switch kind {
	case KLK1, KLK1Plus:
		return d
	case KLAbs:
		return math.Abs(d)
	case KLK2:
		return 0.5 * d * d
	default: // k3, k3+
		k := clamp(-d, -20, 20)
		return clamp(math.Exp(k)-k-1, -10, 10)
	}
}

// absSubgrad is |x| with torch's subgradient 0 at x = 0 (gomlx's Abs gradient is 1 there).
func absSubgrad(x *Node) *Node { return Mul(x, StopGradient(Sign(x))) }
