package answer

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// Unit is a parsed physical unit: a factor to SI base units, a dimension and, for a lone
// temperature scale such as °C, an affine offset.
type Unit struct {
	factor float64
	d      dim
	offset float64 // applied only when the unit is one symbol to the power one
	text   string
}

// String returns the unit as it was written.
func (u Unit) String() string { return u.text }

// SameDimension reports whether u and v measure the same kind of quantity (angles and % are
// dimensionless).
func (u Unit) SameDimension(v Unit) bool {
	for i := range u.d {
		if math.Abs(u.d[i]-v.d[i]) > 1e-9 {
			return false
		}
	}
	return true
}

// Convert expresses the value x, measured in u, in the unit to. Temperatures convert affinely
// (x °C = x + 273.15 K) when both units are lone temperature symbols. A different dimension is
// an error naming both units.
func (u Unit) Convert(x float64, to Unit) (float64, error) {
	if !u.SameDimension(to) {
		return 0, fmt.Errorf("unit %q is not convertible to %q (different dimension)", u.text, to.text)
	}
	return (x*u.factor + u.offset - to.offset) / to.factor, nil
}

// MaxUnitLen is the longest unit string parsed, in bytes.
const MaxUnitLen = 256

// ParseUnit reads a unit in any of the usual spellings: "m/s", `\mathrm{m\,s^{-1}}`,
// `\text{m}\cdot\text{s}^{-1}`, "m·s⁻¹", `\frac{GV}{m}`, `^{\circ}\mathrm{C}`, `\text{\AA}`,
// `M_{\odot}`, "km/h", "years". An unknown symbol is an error naming it. The empty string is
// the dimensionless unit 1.
func ParseUnit(s string) (Unit, error) {
	if len(s) > MaxUnitLen {
		return Unit{}, fmt.Errorf("unit %q...: longer than %d bytes", s[:32], MaxUnitLen)
	}
	toks, err := unitTokens(s)
	if err != nil {
		return Unit{}, fmt.Errorf("unit %q: %w", s, err)
	}
	p := &unitParser{toks: toks}
	if len(toks) == 0 {
		return Unit{factor: 1, text: strings.TrimSpace(s)}, nil
	}
	v, err := p.expr(0)
	if err == nil && p.i < len(p.toks) {
		err = fmt.Errorf("unexpected %q", p.toks[p.i].s)
	}
	if err != nil {
		return Unit{}, fmt.Errorf("unit %q: %w", s, err)
	}
	u := Unit{factor: v.factor, d: v.d, text: strings.TrimSpace(s)}
	if v.lone {
		u.offset = v.offset
	}
	return u, nil
}

// utok is a unit token: an atom (symbol or word), or one of ( ) * / ^ frac, or a number.
type utok struct {
	k byte // 'a' atom, 'n' number, or the operator itself: ( ) * / ^ f (\frac)
	s string
}

// uval is a partial unit during parsing; lone is true while it is one symbol to the power one.
type uval struct {
	factor, offset float64
	d              dim
	lone           bool
}

func (a uval) mul(b uval, sign float64) uval {
	out := uval{factor: a.factor * math.Pow(b.factor, sign)}
	for i := range a.d {
		out.d[i] = a.d[i] + sign*b.d[i]
	}
	return out
}

func (a uval) pow(e float64) uval {
	out := uval{factor: math.Pow(a.factor, e)}
	for i := range a.d {
		out.d[i] = a.d[i] * e
	}
	return out
}

type unitParser struct {
	toks  []utok
	i     int
	depth int
}

func (p *unitParser) peek() byte {
	if p.i < len(p.toks) {
		return p.toks[p.i].k
	}
	return 0
}

// expr reads products separated by '/': everything after a '/' up to the next '/' is the
// denominator, so J/kg K is J/(kg·K).
func (p *unitParser) expr(depth int) (uval, error) {
	if depth > 20 {
		return uval{}, fmt.Errorf("nested too deeply")
	}
	v, err := p.product(depth)
	if err != nil {
		return v, err
	}
	for p.peek() == '/' {
		p.i++
		d, err := p.product(depth)
		if err != nil {
			return v, err
		}
		v = v.mul(d, -1)
	}
	return v, nil
}

func (p *unitParser) product(depth int) (uval, error) {
	v, err := p.factor(depth)
	if err != nil {
		return v, err
	}
	for {
		switch p.peek() {
		case '*':
			p.i++
		case 'a', '(', 'f':
		default:
			return v, nil
		}
		w, err := p.factor(depth)
		if err != nil {
			return v, err
		}
		v = v.mul(w, 1)
	}
}

func (p *unitParser) factor(depth int) (uval, error) {
	if p.i >= len(p.toks) {
		return uval{}, fmt.Errorf("missing unit")
	}
	t := p.toks[p.i]
	p.i++
	var v uval
	switch t.k {
	case 'a':
		def, err := lookupUnit(t.s)
		if err != nil {
			return v, err
		}
		v = uval{factor: def.factor, offset: def.offset, d: def.d, lone: true}
		// exponent glued without a caret: m2, s-1
		if p.peek() == 'n' {
			e, err := p.exponent()
			if err != nil {
				return v, err
			}
			v = v.pow(e)
		}
	case '(':
		inner, err := p.expr(depth + 1)
		if err != nil {
			return v, err
		}
		if p.peek() != ')' {
			return v, fmt.Errorf("unclosed bracket")
		}
		p.i++
		v = inner
	case 'f':
		num, err := p.factor(depth + 1)
		if err != nil {
			return v, err
		}
		den, err := p.factor(depth + 1)
		if err != nil {
			return v, err
		}
		v = num.mul(den, -1)
	case 'n':
		if t.s == "1" { // 1/s
			v = uval{factor: 1}
			break
		}
		return v, fmt.Errorf("unexpected number %q", t.s)
	default:
		return v, fmt.Errorf("unexpected %q", t.s)
	}
	for p.peek() == '^' {
		p.i++
		e, err := p.exponent()
		if err != nil {
			return v, err
		}
		v = v.pow(e)
	}
	return v, nil
}

// exponent reads 2, -1, {-1}, {1/2}, (-2).
func (p *unitParser) exponent() (float64, error) {
	if p.peek() == 'n' {
		t := p.toks[p.i]
		p.i++
		return parseExp(t.s)
	}
	if p.peek() != '(' {
		return 0, fmt.Errorf("bad exponent")
	}
	p.i++
	var e float64
	if p.peek() != 'n' {
		return 0, fmt.Errorf("bad exponent")
	}
	e, err := parseExp(p.toks[p.i].s)
	if err != nil {
		return 0, err
	}
	p.i++
	if p.peek() == '/' && p.i+1 < len(p.toks) && p.toks[p.i+1].k == 'n' {
		d, err := parseExp(p.toks[p.i+1].s)
		if err != nil || d == 0 {
			return 0, fmt.Errorf("bad exponent")
		}
		e /= d
		p.i += 2
	}
	if p.peek() != ')' {
		return 0, fmt.Errorf("bad exponent")
	}
	p.i++
	return e, nil
}

func parseExp(s string) (float64, error) {
	var e float64
	if _, err := fmt.Sscanf(s, "%g", &e); err != nil || math.Abs(e) > 12 {
		return 0, fmt.Errorf("bad exponent %q", s)
	}
	return e, nil
}

// lookupUnit resolves one symbol: the exact spelling, a word (any case, plural), or an SI
// prefix with a prefixable symbol.
func lookupUnit(s string) (unitDef, error) {
	if d, ok := unitTable[s]; ok {
		return d, nil
	}
	if utf8.RuneCountInString(s) >= 3 {
		w := strings.ToLower(s)
		if d, ok := unitTable[w]; ok {
			return d, nil
		}
		for _, suf := range unitPlurals {
			if d, ok := unitTable[strings.TrimSuffix(w, suf)]; ok && strings.HasSuffix(w, suf) {
				return d, nil
			}
		}
	}
	for _, pf := range unitPrefixes {
		if rest, ok := strings.CutPrefix(s, pf.p); ok && rest != "" {
			if d, ok := unitTable[rest]; ok && d.prefixable {
				d.factor *= pf.f
				return d, nil
			}
		}
	}
	return unitDef{}, fmt.Errorf("unknown unit %q", s)
}
