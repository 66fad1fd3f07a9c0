package answer

import (
	"math/big"
	"strings"
)

// baseNum reads 204_5 as a number in base 5 when the digits fit, else keeps it symbolic.
func baseNum(n, sub *node) *node {
	if isInt(n) && isInt(sub) {
		b := sub.val.Num().Int64()
		if b >= 2 && b <= 36 {
			if v, ok := new(big.Int).SetString(n.val.Num().String(), int(b)); ok {
				return num(new(big.Rat).SetInt(v))
			}
		}
	}
	return fn("base", n, sub)
}

// arg reads a LaTeX argument: a brace group, one digit of a number (\frac12), or one operand.
func (p *parser) arg() *node {
	k := p.peek()
	if k.is("{") {
		p.advance()
		if p.peek().t == tRel { // \kappa^{<\kappa}: keep as an opaque symbol
			var b strings.Builder
			for !p.is(tOp, "}") && p.peek().t != tEOF {
				b.WriteString(p.advance().s)
			}
			p.expect(tOp, "}")
			return p.mk(sym("{" + b.String() + "}"))
		}
		n := p.commaList(false)
		p.expect(tOp, "}")
		return n
	}
	if k.t == tNum && len(k.s) > 1 && isDigit(k.s[0]) {
		p.toks[p.i].s = k.s[1:]
		return p.mk(numLit(k.s[:1]))
	}
	return p.postfixless()
}

// postfixless reads one operand without postfix operators.
func (p *parser) postfixless() *node {
	if p.is(tOp, "-") {
		p.advance()
		return p.mk(mk(kNeg, p.primary()))
	}
	if k := p.peek(); k.t == tIdent {
		// x_p^2 is (x_p)^2: the subscript does not take the power
		p.advance()
		return p.mk(sym(k.s))
	}
	return p.primary()
}

func numLit(s string) *node {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil
	}
	n := num(r)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		e := strings.IndexAny(s, "eE")
		if e < 0 {
			e = len(s)
		}
		n.dec = e - i - 1
	}
	return n
}

func (p *parser) primary() *node {
	p.enter()
	defer p.leave()
	k := p.advance()
	switch k.t {
	case tNum:
		if len(k.s) > 1000 || strings.ContainsAny(k.s, "eE") && len(k.s) > 0 && expTooBig(k.s) {
			p.fail("number %q too large", k.s[:min(len(k.s), 20)])
		}
		n := numLit(k.s)
		if n == nil {
			p.fail("bad number %q", k.s)
		}
		return p.mk(n)
	case tIdent:
		s := p.postfix(p.mk(sym(k.s)))
		if inv := inverseName(s); inv != "" && p.is(tOp, "(") {
			s = p.mk(sym(inv)) // f^{-1}(x): the inverse function is a function of its own
		}
		if s.k == kSym && p.is(tOp, "(") && (funcLetters[s.name] || funcLetters[strings.TrimSuffix(s.name, "^-1")] || p.constantArgs()) {
			// f(x), I(0): application of an unknown function, not a product
			p.advance()
			a := p.commaList(false)
			p.expect(tOp, ")")
			args := []*node{a}
			if a.k == kList {
				args = a.kids
			}
			return p.mk(fn("fn:"+s.name, args...))
		}
		return s
	case tText, tWord:
		t := k.s
		for p.peek().t == tText || p.peek().t == tWord {
			t += " " + p.advance().s
		}
		return p.mk(&node{k: kText, name: t})
	case tFunc:
		return p.function(k.s)
	case tCmd:
		return p.command(k.s)
	case tOp:
		switch k.s {
		case "*":
			return p.mk(sym("*")) // T^*, adjoint
		case "(", "[":
			return p.bracket(k.s[0])
		case "{":
			n := p.commaList(false)
			for p.is(tOp, ";") {
				p.advance()
				n = p.mk(flat(kList, n, p.commaList(false)))
			}
			p.expect(tOp, "}")
			return n
		case `\{`:
			var items []*node
			for !p.is(tOp, `\}`) {
				if p.peek().t == tEOF {
					p.fail("unclosed \\{")
				}
				if p.is(tOp, ",") || p.is(tOp, ";") || p.peek().t == tSep {
					p.advance()
					continue
				}
				items = append(items, p.relation())
				if !(p.is(tOp, ",") || p.is(tOp, ";") || p.peek().t == tSep || p.is(tOp, `\}`)) {
					p.fail("expected , or \\} in set")
				}
			}
			p.advance()
			return p.mk(&node{k: kSet, kids: items})
		case "|", "|lfloor", "|lceil":
			closer, name := "|", "abs"
			if k.s != "|" {
				closer, name = "|r"+k.s[2:], k.s[2:]
			}
			p.abs++
			e := p.expr(0)
			p.abs--
			p.expect(tOp, closer)
			return p.mk(fn(name, e))
		}
	}
	p.fail("unexpected %q", k.s)
	return nil
}

func expTooBig(s string) bool {
	i := strings.IndexAny(s, "eE")
	e := strings.TrimLeft(s[i+1:], "+-")
	return len(e) > 4
}

// inverseName is "f^-1" for f^{-1} with a function letter f, else "".
func inverseName(n *node) string {
	if n.k != kPow || n.kids[0].k != kSym || !funcLetters[n.kids[0].name] {
		return ""
	}
	if e := n.kids[1]; e.k == kNeg && isInt(e.kids[0]) && e.kids[0].val.Cmp(big.NewRat(1, 1)) == 0 {
		return n.kids[0].name + "^-1"
	}
	return ""
}

// funcLetters are the names that denote functions when followed by parentheses.
var funcLetters = map[string]bool{"f": true, "g": true, "h": true, "F": true, "G": true, "H": true,
	"P": true, "Q": true, "W": true}

// constantArgs reports whether the parenthesized group at the cursor holds only numbers
// (I(0), T(1)): then the symbol before it is a function, not a factor.
func (p *parser) constantArgs() bool {
	depth := 0
	for j := p.i; j < len(p.toks); j++ {
		t := p.toks[j]
		switch {
		case t.is("("):
			depth++
		case t.is(")"):
			depth--
			if depth == 0 {
				return j > p.i+1
			}
		case t.t == tNum || t.is(",") || t.is("-") || t.is("+"):
		default:
			return false
		}
	}
	return false
}

// bracket parses (a, b), [a, b), (x) and the like after the opening bracket.
func (p *parser) bracket(open byte) *node {
	p.paren++
	defer func() { p.paren-- }()
	var items []*node
	for {
		for p.is(tOp, ",") || p.is(tOp, ";") || p.peek().t == tSep {
			p.advance()
		}
		if p.is(tOp, ")") || p.is(tOp, "]") || p.peek().t == tEOF {
			break
		}
		items = append(items, p.relation())
		if !(p.is(tOp, ",") || p.is(tOp, ";") || p.peek().t == tSep) {
			break
		}
	}
	c := p.advance()
	if !(c.is(")") || c.is("]")) {
		p.fail("unclosed %c", open)
	}
	if len(items) == 0 {
		p.fail("empty brackets")
	}
	if len(items) == 1 && (open == '(' && c.s == ")" || open == '[' && c.s == "]") {
		return items[0]
	}
	return p.mk(&node{k: kBracket, open: open, close: c.s[0], kids: items})
}

// function parses \sin x, \sin^2(x), \log_2 8, \sqrt ... after the name.
func (p *parser) function(name string) *node {
	var pow, base *node
	for p.is(tOp, "^") || p.is(tOp, "_") {
		if p.advance().s == "^" {
			if p.is(tOp, "-") {
				p.advance()
				pow = p.mk(mk(kNeg, p.arg()))
			} else {
				pow = p.arg()
			}
		} else {
			base = p.arg()
		}
	}
	var a *node
	if p.is(tOp, "{") || p.is(tOp, "|") {
		a = p.postfix(p.primary())
	} else if !p.startsPrimary() && !p.is(tOp, "-") {
		// a bare function name: m_{\max}, "ln"
		return p.mk(sym(name))
	}
	if a == nil && p.is(tOp, "(") {
		p.advance()
		a = p.commaList(false)
		p.expect(tOp, ")")
	} else if a == nil {
		a = p.expr(precMul)
		// \cos 2x is cos(2x): juxtaposed numbers and letters stay in the argument
		for k := p.peek(); k.t == tIdent && a.k != kText; k = p.peek() {
			a = p.mk(flat(kMul, a, p.expr(precMul)))
		}
	}
	args := []*node{a}
	if a.k == kList {
		args = a.kids
	}
	if base != nil {
		args = append(args, base)
	}
	f := p.mk(fn(name, args...))
	if pow != nil {
		if pow.k == kNeg && isInt(pow.kids[0]) && pow.kids[0].val.Cmp(big.NewRat(1, 1)) == 0 {
			f.name = "arc" + name
			return f
		}
		return p.mk(mk(kPow, f, pow))
	}
	return f
}

func (p *parser) command(name string) *node {
	switch name {
	case "frac":
		a := p.arg()
		b := p.arg()
		d := p.mk(mk(kDiv, a, b))
		d.name = "frac"
		return d
	case "binom":
		a := p.arg()
		b := p.arg()
		return p.mk(fn("binom", a, b))
	case "sqrt":
		if p.is(tOp, "[") {
			p.advance()
			idx := p.expr(0)
			p.expect(tOp, "]")
			x := p.arg()
			return p.mk(mk(kPow, x, p.mk(mk(kDiv, p.mk(num(big.NewRat(1, 1))), idx))))
		}
		return p.mk(fn("sqrt", p.arg()))
	case "sum", "prod":
		var lo, hi *node = sym("?"), sym("?")
		for p.is(tOp, "_") || p.is(tOp, "^") {
			if p.advance().s == "_" {
				lo = p.arg()
			} else {
				hi = p.arg()
			}
		}
		body := p.expr(precAdd)
		return p.mk(fn(name, lo, hi, body))
	case "begmat":
		return p.matrix()
	}
	p.fail("unexpected \\%s", name)
	return nil
}

// matrix parses rows separated by \\ and cells by & up to \end{...matrix}.
func (p *parser) matrix() *node {
	var rows [][]*node
	row := []*node{}
	for {
		k := p.peek()
		switch {
		case k.t == tEOF:
			p.fail("unclosed matrix")
		case k.t == tCmd && k.s == "endmat":
			p.advance()
			if len(row) > 0 {
				rows = append(rows, row)
			}
			if len(rows) == 0 {
				p.fail("empty matrix")
			}
			cols := len(rows[0])
			m := &node{k: kMatrix, cols: cols}
			for _, r := range rows {
				if len(r) != cols {
					p.fail("ragged matrix")
				}
				m.kids = append(m.kids, r...)
			}
			return p.mk(m)
		case k.t == tRowSep:
			p.advance()
			if len(row) > 0 {
				rows = append(rows, row)
			}
			row = []*node{}
		case k.is("&"):
			p.advance()
		default:
			row = append(row, p.relation())
			if !(p.peek().is("&") || p.peek().t == tRowSep || p.is(tCmd, "endmat")) {
				p.fail("expected & or \\\\ in matrix")
			}
		}
	}
}
