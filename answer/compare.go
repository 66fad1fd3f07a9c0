package answer

import (
	"math"
	"math/big"
	"math/cmplx"
	"sort"
	"strings"
)

// cmp holds the options and budget of one comparison.
type cmp struct {
	opt Options
	bud *budget
}

// Evaluation points for symbolic comparison: positive, irrational-looking, distinct, so that
// square roots and logarithms stay real and accidental equalities are unlikely.
var points = [][]float64{
	{0.7351, 1.3109, 2.1737, 0.4271, 1.8613, 2.9437, 0.5923, 1.1171},
	{1.4142, 0.8613, 1.6180, 2.3519, 0.6931, 1.2021, 2.7183, 0.9318},
	{2.2361, 1.7321, 0.5772, 1.0986, 3.1416, 0.8862, 1.4427, 2.5066},
	{0.3183, 2.4674, 1.2599, 0.7071, 1.9021, 0.4343, 3.3219, 1.6487},
	{7.3891, 11.3137, 5.6569, 13.4164, 9.8696, 6.2832, 17.3205, 8.1548},
	{23.1407, 15.1543, 31.0063, 19.7392, 27.1828, 12.5664, 41.4214, 35.4558},
}

// eq reports whether a and b denote the same answer.
func (c *cmp) eq(a, b *node) bool {
	c.bud.step(1)
	if a == nil || b == nil {
		return false
	}
	if a.String() == b.String() {
		return true
	}
	if a.k == kList && b.k == kList {
		if sa, ok := solutions(a); ok {
			if sb, ok := solutions(b); ok {
				return c.solutionsEq(sa, sb)
			}
		}
	}
	// Relations against values: x = 5 vs 5, chains x = 2 + 3 = 5.
	if a.k == kRel && b.k == kRel {
		return c.relEq(a, b)
	}
	if a.k == kRel {
		if v := c.relValue(a, b); v != nil {
			return c.eq(v, b)
		}
		return false
	}
	if b.k == kRel {
		if v := c.relValue(b, a); v != nil {
			return c.eq(a, v)
		}
		return false
	}
	// ± expands to the set of its values.
	if hasPM(a) || hasPM(b) {
		ea, eb := members(a), members(b)
		if len(ea) > 1 || len(eb) > 1 {
			return c.bagEq(ea, eb)
		}
		return false
	}
	if a.k == kText || b.k == kText {
		return textKey(a) == textKey(b)
	}
	if a.k == kPercent || b.k == kPercent {
		return c.percentEq(a, b)
	}
	ca, cb := isColl(a), isColl(b)
	if ca || cb {
		return c.collEq(a, b)
	}
	if a.k == kMatrix || b.k == kMatrix {
		ma, mb := matValue(a), matValue(b)
		if ma == nil || mb == nil || ma.cols != mb.cols || len(ma.kids) != len(mb.kids) {
			return false
		}
		for i := range ma.kids {
			if !c.eq(ma.kids[i], mb.kids[i]) {
				return false
			}
		}
		return true
	}
	if a.k == kRatio && b.k == kRatio {
		return c.eq(a.kids[0], b.kids[0]) && c.eq(a.kids[1], b.kids[1]) ||
			c.scalarEq(mk(kDiv, a.kids[0], a.kids[1]), mk(kDiv, b.kids[0], b.kids[1]))
	}
	if a.k == kRatio || b.k == kRatio {
		return false
	}
	return c.scalarEq(a, b)
}

func isColl(n *node) bool {
	return n.k == kList || n.k == kSet || n.k == kBracket || n.k == kUnion
}

// collEq compares sets, lists, tuples, intervals and unions.
func (c *cmp) collEq(a, b *node) bool {
	if b.k == kBracket && a.k != kBracket {
		a, b = b, a
	}
	switch {
	case a.k == kBracket && b.k == kBracket:
		if a.open != b.open || a.close != b.close || len(a.kids) != len(b.kids) {
			return false
		}
		return c.seqEq(a.kids, b.kids)
	case a.k == kBracket && b.k == kList:
		// (1,3) vs 1,3: a bare list read in order.
		return a.open == '(' && a.close == ')' && len(a.kids) == len(b.kids) && c.seqEq(a.kids, b.kids)
	case a.k == kBracket:
		return false
	case a.k == kUnion || b.k == kUnion:
		if a.k != kUnion || b.k != kUnion {
			return false
		}
		return c.bagEq(a.kids, b.kids)
	}
	// sets and lists: order-free
	ea, eb := members(a), members(b)
	return c.bagEq(ea, eb)
}

// members lists the elements of a set or list, expanding ± inside.
func members(n *node) []*node {
	if n.k != kList && n.k != kSet {
		return expandPM(n)
	}
	var out []*node
	for _, k := range n.kids {
		out = append(out, expandPM(k)...)
	}
	return out
}

func (c *cmp) seqEq(a, b []*node) bool {
	for i := range a {
		if !c.eq(a[i], b[i]) {
			return false
		}
	}
	return true
}

// bagEq compares two collections as sets: every element of each has an equivalent in the
// other (duplicates collapse, as in a finite set).
func (c *cmp) bagEq(a, b []*node) bool {
	if len(a) > 256 || len(b) > 256 || len(a) == 0 || len(b) == 0 {
		return false
	}
	return c.covers(a, b) && c.covers(b, a)
}

func (c *cmp) covers(a, b []*node) bool {
	for _, x := range a {
		found := false
		for _, y := range b {
			if c.eq(x, y) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func pointEnv(names []string, pt []float64) env {
	e := env{}
	for i, n := range names {
		e[n] = complex(pt[i%len(pt)]+float64(i/len(pt))*0.37, 0)
	}
	return e
}

func finite(v complex128) bool {
	return !cmplx.IsNaN(v) && !cmplx.IsInf(v)
}

// percentEq compares when either side carries a percent sign: 28% equals 28, and equals 0.28
// when Options.PercentAsDecimal is set.
func (c *cmp) percentEq(a, b *node) bool {
	ia, pa := unpercent(a)
	ib, pb := unpercent(b)
	if c.eq(ia, ib) {
		return true
	}
	if c.opt.PercentAsDecimal && pa != pb {
		hundred := num(big.NewRat(100, 1))
		if pa {
			return c.scalarEq(mk(kDiv, ia, hundred), ib)
		}
		return c.scalarEq(ia, mk(kDiv, ib, hundred))
	}
	return false
}

func unpercent(n *node) (*node, bool) {
	if n.k == kPercent {
		return n.kids[0], true
	}
	return n, false
}

// decimals returns the number of fractional digits when n is a (signed) decimal literal.
func decimals(n *node) int {
	if n.k == kNeg {
		return decimals(n.kids[0])
	}
	if n.k == kNum {
		return n.dec
	}
	return -1
}

// sigDigits counts the significant digits of a decimal literal.
// Like decimals it looks through any number of negations ("----.1").
func sigDigits(n *node) int {
	for n.k == kNeg {
		n = n.kids[0]
	}
	s := strings.TrimLeft(strings.ReplaceAll(n.val.FloatString(max(n.dec, 0)), ".", ""), "-0")
	return len(s)
}

// scalarEq compares two values: exactly when both are rational, else numerically at random
// points with the relative tolerance; a decimal literal with at least three significant digits
// also matches an exact value it correctly rounds (7.78 for 70/9).
func (c *cmp) scalarEq(a, b *node) bool {
	ra, oka := exact(a, c.bud)
	rb, okb := exact(b, c.bud)
	da, db := decimals(a), decimals(b)
	if oka && okb {
		if ra.Cmp(rb) == 0 {
			return true
		}
		if c.opt.RoundingMatch {
			if da <= 0 && db <= 0 {
				return false
			}
			// the less precise decimal must be the correct rounding of the other value
			d, lit := da, a
			if da <= 0 || db > 0 && db < da {
				d, lit = db, b
			}
			if sigDigits(lit) < 3 {
				return false
			}
			diff := new(big.Rat).Sub(ra, rb)
			diff.Abs(diff)
			half := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Mul(big.NewInt(2), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d)), nil)))
			return diff.Cmp(half) <= 0
		}
		if da > 0 || db > 0 {
			fa, _ := ra.Float64()
			fb, _ := rb.Float64()
			return math.Abs(fa-fb) <= c.opt.Tolerance*math.Max(math.Abs(fa), math.Abs(fb))
		}
		return false
	}
	if isInf(a) != 0 || isInf(b) != 0 {
		return isInf(a) == isInf(b)
	}
	if constant(a) && constant(b) {
		// numbers with π or e: sampled below, where the rounding rule applies (3.14 for π)
	} else if eq, decided := exactEqual(a, b, c.bud); decided {
		return eq // rational functions: exact, whatever the coefficients' sizes
	}
	vars := map[string]bool{}
	symbols(a, vars)
	symbols(b, vars)
	names := sortedKeys(vars)
	valid := 0
	envs, scaled := samplePoints(names)
	for i, e := range envs {
		if len(names) == 0 && i > 0 {
			break
		}
		va, ok1 := numeric(a, e, c.bud)
		vb, ok2 := numeric(b, e, c.bud)
		if (!ok1 || !ok2) && !scaled[i] {
			return false
		}
		if !ok1 || !ok2 || !finite(va) || !finite(vb) {
			continue
		}
		ok := agreeAt(va, vb, 0, 0, c.opt.Tolerance) ||
			agreeAt(va, vb, magnitude(a, e, c.bud), magnitude(b, e, c.bud), c.opt.Tolerance)
		if !ok && c.opt.RoundingMatch && len(names) == 0 {
			// a decimal with ≥ 3 significant digits matches a value it correctly rounds
			if d := max(da, db); d > 0 && (da > 0) != (db > 0) {
				lit := a
				if db > 0 {
					lit = b
				}
				ok = sigDigits(lit) >= 3 && cmplx.Abs(va-vb) <= 0.5*math.Pow(10, -float64(d))*(1+1e-9)
			}
		}
		if !ok {
			return false
		}
		valid++
		if len(names) == 0 {
			break
		}
	}
	return valid >= 1 && (len(names) == 0 || valid >= 2)
}

// isInf returns +1 for ∞, -1 for -∞ and 0 otherwise.
func isInf(n *node) int {
	switch {
	case n.k == kSym && n.name == "inf":
		return 1
	case n.k == kNeg:
		return -isInf(n.kids[0])
	}
	return 0
}

// textKey normalizes a text answer: case, spaces, braces, parentheses and punctuation dropped,
// so "(C)", "\text{C}" and "c" agree.
func textKey(n *node) string {
	s := n.name
	if n.k != kText {
		s = n.String()
	}
	s = strings.ToLower(s)
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(" \t\n{}()\".,*\\$", r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
