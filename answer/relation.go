package answer

import (
	"math/cmplx"
	"strings"
)

// nameLike reports whether n names a quantity rather than computing one: x, x_1, f(x), |AB|,
// A:B, (p, q), \frac{NO}{BO}. A relation whose left side is name-like can be read as its value.
func nameLike(n *node) bool {
	switch n.k {
	case kSym:
		return n.name != "pi" && n.name != "inf"
	case kMul, kDiv, kRatio, kBracket:
		for _, k := range n.kids {
			if !nameLike(k) {
				return false
			}
		}
		return len(n.kids) > 0
	case kFunc:
		if strings.HasPrefix(n.name, "fn:") {
			return true
		}
		if n.name == "abs" || n.name == "sub" || n.name == "prime" {
			return nameLike(n.kids[0])
		}
	}
	return false
}

// relValue reads a relation as a value when the other side is not a relation: "x = 5" is 5,
// "x = 2 + 3 = 5" is 5, "x = 1/3 ≈ 0.33" is 1/3, "x \in [0, 1]" is [0, 1]; an inequality in one
// variable is the interval it describes when compared with an interval.
func (c *cmp) relValue(r, other *node) *node {
	last := -1
	for i, op := range r.ops {
		switch op {
		case "=", "in":
			last = i
		case "≈":
		default:
			if other.k == kBracket || other.k == kUnion {
				if iv := ineqInterval(r); iv != nil {
					return iv
				}
			}
			return nil
		}
	}
	if last < 0 { // only ≈: x ≈ 11
		if nameLike(r.kids[0]) {
			return r.kids[1]
		}
		return r.kids[0]
	}
	if len(r.kids) == 2 && !nameLike(r.kids[0]) {
		if !constant(r.kids[0]) || !constant(r.kids[1]) {
			return nil
		}
	}
	return r.kids[last+1]
}

// ineqInterval turns a < x < b, x ≥ a and friends into an interval node, or nil.
func ineqInterval(r *node) *node {
	inf := sym("inf")
	ninf := mk(kNeg, sym("inf"))
	open := func(op string) bool { return op == "<" || op == ">" }
	switch len(r.kids) {
	case 3:
		lo, hi := r.kids[0], r.kids[2]
		o1, o2 := r.ops[0], r.ops[1]
		if m := r.kids[1]; m.k == kFunc && m.name == "abs" && nameLike(m.kids[0]) && (o1 == "<" || o1 == "<=") && (o2 == "<" || o2 == "<=") {
			// a ≤ |x| ≤ b is [-b, -a] ∪ [a, b]
			neg := &node{k: kBracket, open: bkt(open(o2), '(', '['), close: bkt(open(o1), ')', ']'), kids: []*node{mk(kNeg, hi), mk(kNeg, lo)}}
			pos := &node{k: kBracket, open: bkt(open(o1), '(', '['), close: bkt(open(o2), ')', ']'), kids: []*node{lo, hi}}
			return mk(kUnion, neg, pos)
		}
		if !nameLike(r.kids[1]) {
			return nil
		}
		if (o1 == ">" || o1 == ">=") && (o2 == ">" || o2 == ">=") {
			lo, hi, o1, o2 = hi, lo, o2, o1
		} else if !((o1 == "<" || o1 == "<=") && (o2 == "<" || o2 == "<=")) {
			return nil
		}
		return &node{k: kBracket, open: bkt(open(o1), '(', '['), close: bkt(open(o2), ')', ']'), kids: []*node{lo, hi}}
	case 2:
		x, v, op := r.kids[0], r.kids[1], r.ops[0]
		if !nameLike(x) {
			x, v = v, x
			op = flip(op)
			if !nameLike(x) {
				return nil
			}
		}
		switch op {
		case "<", "<=":
			return &node{k: kBracket, open: '(', close: bkt(open(op), ')', ']'), kids: []*node{ninf, v}}
		case ">", ">=":
			return &node{k: kBracket, open: bkt(open(op), '(', '['), close: ')', kids: []*node{v, inf}}
		}
	}
	return nil
}

func bkt(open bool, o, c byte) byte {
	if open {
		return o
	}
	return c
}

func flip(op string) string {
	switch op {
	case "<":
		return ">"
	case ">":
		return "<"
	case "<=":
		return ">="
	case ">=":
		return "<="
	}
	return op
}

// relEq compares two relations.
func (c *cmp) relEq(a, b *node) bool {
	na, nb := reduceChain(a), reduceChain(b)
	if v := inValue(na); v != nil && inValue(nb) == nil {
		return c.eq(v, nb)
	}
	if v := inValue(nb); v != nil && inValue(na) == nil {
		return c.eq(na, v)
	}
	if len(na.kids) == 2 && len(nb.kids) == 2 {
		oa, ob := na.ops[0], nb.ops[0]
		la, ra, lb, rb := na.kids[0], na.kids[1], nb.kids[0], nb.kids[1]
		if oa == ">" || oa == ">=" {
			la, ra, oa = ra, la, flip(oa)
		}
		if ob == ">" || ob == ">=" {
			lb, rb, ob = rb, lb, flip(ob)
		}
		if oa != ob {
			return false
		}
		if (oa == "=" || oa == "in") && nameLike(la) && nameLike(lb) {
			// x = 5 vs x = 2 + 3: same name, equal values
			if c.sameName(la, lb) && c.eq(ra, rb) {
				return true
			}
		}
		if oa == "=" && dependentName(la) && dependentName(lb) && (la.k == kFunc || lb.k == kFunc) {
			// f(x) = 2x + 3, g(x) = 2x + 3 and y = 2x + 3 name the same function
			return c.eq(ra, rb)
		}
		if oa == "in" {
			return false
		}
		// Both sides as a difference, equal up to a scalar (positive for inequalities).
		return c.proportional(mk(kAdd, la, mk(kNeg, ra)), mk(kAdd, lb, mk(kNeg, rb)), oa == "=" || oa == "!=")
	}
	ia, ib := ineqInterval(na), ineqInterval(nb)
	if ia != nil && ib != nil {
		return c.eq(ia, ib)
	}
	if len(na.kids) != len(nb.kids) {
		return false
	}
	for i, op := range na.ops {
		if op != nb.ops[i] {
			return false
		}
	}
	return c.seqEq(na.kids, nb.kids)
}

// inValue returns S for "x \in S" with a name on the left, else nil.
func inValue(r *node) *node {
	if len(r.kids) == 2 && r.ops[0] == "in" && nameLike(r.kids[0]) {
		return r.kids[1]
	}
	return nil
}

// sameName compares the named left sides of two equations: x vs x, (p, q) vs (p, q),
// f(x) vs f(y) (a function is named by its symbol alone).
func (c *cmp) sameName(a, b *node) bool {
	if a.k == kFunc && b.k == kFunc && strings.HasPrefix(a.name, "fn:") {
		return a.name == b.name
	}
	return c.eq(a, b)
}

// reduceChain rewrites an equality chain x = a = b as x = b (approximations dropped).
func reduceChain(r *node) *node {
	if len(r.kids) <= 2 {
		return r
	}
	last := -1
	for i, op := range r.ops {
		if op == "=" {
			last = i
		} else if op != "≈" {
			return r
		}
	}
	if last < 0 {
		return r
	}
	return &node{k: kRel, ops: []string{"="}, kids: []*node{r.kids[0], r.kids[last+1]}}
}

// proportional checks d1 = k·d2 for a constant k ≠ 0 (k > 0 when anySign is false) by
// evaluation at random points.
func (c *cmp) proportional(d1, d2 *node, anySign bool) bool {
	if !constant(d1) || !constant(d2) {
		if prop, sign, decided := exactRatio(d1, d2, c.bud); decided {
			// rational functions: exact (x = 10^5 L/(0.007c^2) is not x = -10^14 L/(7c^2))
			return prop && (sign == 0 || anySign || sign > 0)
		}
	}
	vars := map[string]bool{}
	symbols(d1, vars)
	symbols(d2, vars)
	names := sortedKeys(vars)
	var ratio complex128
	valid := 0
	envs, scaled := samplePoints(names)
	for i, e := range envs {
		v1, ok1 := numeric(d1, e, c.bud)
		v2, ok2 := numeric(d2, e, c.bud)
		if !ok1 || !ok2 || !finite(v1) || !finite(v2) {
			continue
		}
		if scaled[i] && (cmplx.Abs(v1) < 1e-12 || cmplx.Abs(v2) < 1e-12 || valid == 0) {
			continue // a scaled point only tests the ratio found at the ordinary points
		}
		if cmplx.Abs(v2) < 1e-12 || cmplx.Abs(v1) < 1e-12 {
			if cmplx.Abs(v2) < 1e-12 && cmplx.Abs(v1) < 1e-12 {
				valid++
				continue
			}
			return false
		}
		r := v1 / v2
		if valid == 0 || ratio == 0 {
			ratio = r
		} else if cmplx.Abs(r-ratio) > 1e-9*cmplx.Abs(ratio) {
			return false
		}
		valid++
	}
	if len(names) == 0 {
		// constant "equations": proportional only when both are identities (0 = 0)
		return valid > 0 && ratio == 0
	}
	if valid < 2 {
		return false
	}
	if ratio != 0 && !anySign && real(ratio) <= 0 {
		return false
	}
	return true
}

// constant reports whether n has no free variables.
func constant(n *node) bool {
	vars := map[string]bool{}
	symbols(n, vars)
	return len(vars) == 0
}
