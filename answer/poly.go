package answer

import (
	"math/big"
)

// Exact comparison of rational functions. An expression built from rational numbers, free
// symbols, π and e with + − × ÷ and integer powers is a quotient of two polynomials with
// rational coefficients; two such expressions are equal (or proportional) exactly when their
// cross-multiplied polynomials are, whatever the sizes of the coefficients. This is what keeps
// x = 10^5 L/(0.007 c^2) apart from x = −10^14 L/(7 c^2), which sampling with a tolerance
// cannot do. Anything else (roots, functions, i) is left to sampling.

// Bounds on exact polynomial work; past them the comparison falls back to sampling.
const (
	maxPolyTerms = 400
	maxPolyPow   = 24
)

// maxPolyVars is the most symbols an exact comparison tracks.
const maxPolyVars = 16

// mono is a monomial: the exponent of each variable index.
type mono [maxPolyVars]int8

// poly is a polynomial: monomial → coefficient.
type poly map[mono]*big.Rat

// ratFn is num/den.
type ratFn struct{ num, den poly }

// polyCtx holds the variable indices of one comparison.
type polyCtx struct {
	vars map[string]int
	bud  *budget
}

func constPoly(r *big.Rat) poly {
	if r.Sign() == 0 {
		return poly{}
	}
	return poly{mono{}: new(big.Rat).Set(r)}
}

// monoMul multiplies two monomials; ok is false when an exponent grows past 100.
func monoMul(a, b mono) (mono, bool) {
	for i := range a {
		e := int(a[i]) + int(b[i])
		if e > 100 || e < -100 {
			return a, false
		}
		a[i] = int8(e)
	}
	return a, true
}

func (c *polyCtx) add(a, b poly, sign int) (poly, bool) {
	out := make(poly, len(a)+len(b))
	for k, v := range a {
		out[k] = new(big.Rat).Set(v)
	}
	for k, v := range b {
		c.bud.step(1)
		t := new(big.Rat).Set(v)
		if sign < 0 {
			t.Neg(t)
		}
		if o, ok := out[k]; ok {
			o.Add(o, t)
			if o.Sign() == 0 {
				delete(out, k)
			}
		} else {
			out[k] = t
		}
	}
	return out, len(out) <= maxPolyTerms
}

// isOne reports whether p is the constant 1.
func isOne(p poly) bool {
	if len(p) != 1 {
		return false
	}
	v, ok := p[mono{}]
	return ok && v.IsInt() && v.Num().IsInt64() && v.Num().Int64() == 1
}

// mul multiplies two polynomials (inputs are never modified, so results may share them).
func (c *polyCtx) mul(a, b poly) (poly, bool) {
	switch {
	case isOne(a):
		return b, true
	case isOne(b):
		return a, true
	}
	if len(a)*len(b) > maxPolyTerms*maxPolyTerms/4 {
		return nil, false
	}
	out := poly{}
	for ka, va := range a {
		for kb, vb := range b {
			c.bud.step(2)
			k, ok := monoMul(ka, kb)
			if !ok {
				return nil, false
			}
			t := new(big.Rat).Mul(va, vb)
			if t.Num().BitLen() > MaxExpBits {
				return nil, false
			}
			if o, ok := out[k]; ok {
				o.Add(o, t)
				if o.Sign() == 0 {
					delete(out, k)
				}
			} else {
				out[k] = t
			}
		}
	}
	return out, len(out) <= maxPolyTerms
}

// ratOf converts n into a rational function; ok is false for anything that is not one.
func (c *polyCtx) ratOf(n *node) (ratFn, bool) {
	c.bud.step(1)
	one := constPoly(big.NewRat(1, 1))
	switch n.k {
	case kNum:
		return ratFn{constPoly(n.val), one}, true
	case kSym:
		switch n.name {
		case "i", "inf", "...":
			return ratFn{}, false
		}
		idx, ok := c.vars[n.name]
		if !ok {
			if len(c.vars) == maxPolyVars {
				return ratFn{}, false
			}
			idx = len(c.vars)
			c.vars[n.name] = idx
		}
		var m mono
		m[idx] = 1
		return ratFn{poly{m: big.NewRat(1, 1)}, one}, true
	case kNeg:
		a, ok := c.ratOf(n.kids[0])
		if !ok {
			return a, false
		}
		neg, _ := c.add(poly{}, a.num, -1)
		return ratFn{neg, a.den}, true
	case kAdd, kMul:
		acc := ratFn{poly{}, one}
		if n.k == kMul {
			acc.num = one
		}
		for _, k := range n.kids {
			b, ok := c.ratOf(k)
			if !ok {
				return b, false
			}
			if acc, ok = c.combine(acc, b, n.k == kMul); !ok {
				return acc, false
			}
		}
		return acc, true
	case kDiv:
		a, ok1 := c.ratOf(n.kids[0])
		b, ok2 := c.ratOf(n.kids[1])
		if !ok1 || !ok2 || len(b.num) == 0 {
			return ratFn{}, false
		}
		return c.combine(a, ratFn{b.den, b.num}, true)
	case kPow:
		e, ok := exact(n.kids[1], c.bud)
		if !ok || !e.IsInt() || !e.Num().IsInt64() {
			return ratFn{}, false
		}
		k := e.Num().Int64()
		if k > maxPolyPow || k < -maxPolyPow {
			return ratFn{}, false
		}
		base, ok := c.ratOf(n.kids[0])
		if !ok || k < 0 && len(base.num) == 0 {
			return ratFn{}, false
		}
		if k < 0 {
			base, k = ratFn{base.den, base.num}, -k
		}
		acc := ratFn{one, one}
		for ; k > 0; k-- {
			if acc, ok = c.combine(acc, base, true); !ok {
				return acc, false
			}
		}
		return acc, true
	}
	return ratFn{}, false
}

// combine multiplies (mul) or adds two rational functions.
func (c *polyCtx) combine(a, b ratFn, mul bool) (ratFn, bool) {
	var ok bool
	var num, den poly
	if mul {
		if num, ok = c.mul(a.num, b.num); !ok {
			return ratFn{}, false
		}
		den, ok = c.mul(a.den, b.den)
		return ratFn{num, den}, ok
	}
	if samePoly(a.den, b.den) {
		num, ok = c.add(a.num, b.num, 1)
		return ratFn{num, a.den}, ok
	}
	x, ok1 := c.mul(a.num, b.den)
	y, ok2 := c.mul(b.num, a.den)
	if !ok1 || !ok2 {
		return ratFn{}, false
	}
	if num, ok = c.add(x, y, 1); !ok {
		return ratFn{}, false
	}
	den, ok = c.mul(a.den, b.den)
	return ratFn{num, den}, ok
}

// samePoly reports whether a and b are the same polynomial.
func samePoly(a, b poly) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w.Cmp(v) != 0 {
			return false
		}
	}
	return true
}

// exactRatio decides whether a = k·b for a rational constant k, exactly, when both are
// rational functions: decided is false when either is not one (or the work bound is hit).
// sign is the sign of k (0 when a and b are both zero, or when they are not proportional).
func exactRatio(a, b *node, bud *budget) (proportional bool, sign int, decided bool) {
	if !rationalFn(a, 0) || !rationalFn(b, 0) {
		return false, 0, false
	}
	c := &polyCtx{vars: map[string]int{}, bud: bud}
	ra, ok1 := c.ratOf(a)
	rb, ok2 := c.ratOf(b)
	if !ok1 || !ok2 {
		return false, 0, false
	}
	p, ok1 := c.mul(ra.num, rb.den) // a = p/q·…: a/b = (ra.num·rb.den)/(rb.num·ra.den)
	q, ok2 := c.mul(rb.num, ra.den)
	if !ok1 || !ok2 {
		return false, 0, false
	}
	if len(p) == 0 || len(q) == 0 {
		return len(p) == 0 && len(q) == 0, 0, true
	}
	if len(p) != len(q) {
		return false, 0, true
	}
	var k *big.Rat
	for m, v := range p {
		w, ok := q[m]
		if !ok {
			return false, 0, true
		}
		r := new(big.Rat).Quo(v, w)
		if k == nil {
			k = r
		} else if k.Cmp(r) != 0 {
			return false, 0, true
		}
	}
	return true, k.Sign(), true
}

// exactEqual decides a = b exactly for rational functions (decided false otherwise).
func exactEqual(a, b *node, bud *budget) (equal, decided bool) {
	if !rationalFn(a, 0) || !rationalFn(b, 0) {
		return false, false
	}
	c := &polyCtx{vars: map[string]int{}, bud: bud}
	ra, ok1 := c.ratOf(a)
	rb, ok2 := c.ratOf(b)
	if !ok1 || !ok2 {
		return false, false
	}
	p, ok1 := c.mul(ra.num, rb.den)
	q, ok2 := c.mul(rb.num, ra.den)
	if !ok1 || !ok2 {
		return false, false
	}
	return samePoly(p, q), true
}

// rationalFn is a cheap check, before any polynomial is built, that n is a rational function of
// symbols with integer powers of moderate size.
func rationalFn(n *node, depth int) bool {
	if depth > 60 {
		return false
	}
	switch n.k {
	case kNum:
		return true
	case kSym:
		return n.name != "i" && n.name != "inf" && n.name != "..."
	case kNeg, kAdd, kMul, kDiv:
		for _, k := range n.kids {
			if !rationalFn(k, depth+1) {
				return false
			}
		}
		return true
	case kPow:
		e := n.kids[1]
		if e.k == kNeg {
			e = e.kids[0]
		}
		return isInt(e) && e.val.Num().IsInt64() && e.val.Num().Int64() <= maxPolyPow && rationalFn(n.kids[0], depth+1)
	}
	return false
}
