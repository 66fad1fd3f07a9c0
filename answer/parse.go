package answer

import (
	"errors"
	"fmt"
)

// Binding powers of the Pratt parser, loosest first.
const (
	precRatio = 5
	precSet   = 8
	precAdd   = 10
	precMul   = 20
	precUnary = 30
	precPow   = 40
)

var errParse = errors.New("unparsable")

// parser is a Pratt parser over lexer tokens producing the math AST.
type parser struct {
	toks  []tok
	i     int
	depth int
	nodes int
	abs   int
	paren int // open brackets around the current position
	bud   *budget
}

// parse turns an answer string into an AST, or fails with errParse.
func parse(s string, bud *budget) (n *node, err error) {
	if len(s) > MaxAnswerLen {
		return nil, fmt.Errorf("%w: answer longer than %d bytes", errParse, MaxAnswerLen)
	}
	p := &parser{toks: lex(plainText(s), bud), bud: bud}
	defer func() {
		if r := recover(); r != nil {
			if pe, ok := r.(parseErr); ok {
				n, err = nil, fmt.Errorf("%w: %s", errParse, string(pe))
				return
			}
			panic(r)
		}
	}()
	if len(p.toks) == 0 {
		return nil, fmt.Errorf("%w: empty answer", errParse)
	}
	n = p.top()
	if p.peek().t != tEOF {
		p.fail("unexpected %q", p.peek().s)
	}
	return n, nil
}

type parseErr string

func (p *parser) fail(format string, a ...any) { panic(parseErr(fmt.Sprintf(format, a...))) }

func (p *parser) peek() tok {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return tok{t: tEOF}
}

func (p *parser) advance() tok {
	t := p.peek()
	p.i++
	return t
}

func (p *parser) is(t ttype, s string) bool {
	k := p.peek()
	return k.t == t && k.s == s
}

func (p *parser) expect(t ttype, s string) {
	if !p.is(t, s) {
		p.fail("expected %q, found %q", s, p.peek().s)
	}
	p.i++
}

// mk counts nodes against the AST size limit.
func (p *parser) mk(n *node) *node {
	p.nodes++
	p.bud.step(1)
	if p.nodes > MaxNodes {
		p.fail("expression larger than %d nodes", MaxNodes)
	}
	return n
}

func (p *parser) enter() {
	p.depth++
	if p.depth > MaxDepth {
		p.fail("nesting deeper than %d", MaxDepth)
	}
}

func (p *parser) leave() { p.depth-- }

// top parses a whole answer: a ';'-separated list of ','-separated lists of relations.
func (p *parser) top() *node {
	var groups []*node
	for {
		g := p.commaList(true)
		if g != nil {
			groups = append(groups, g)
		}
		if p.is(tOp, ";") {
			p.advance()
			continue
		}
		break
	}
	switch len(groups) {
	case 0:
		p.fail("empty answer")
	case 1:
		return groups[0]
	}
	return p.mk(mk(kList, groups...))
}

// commaList parses items separated by ',' or a separator word; one item is returned as is.
func (p *parser) commaList(allowEmpty bool) *node {
	var items []*node
	for {
		for p.peek().t == tSep || p.is(tOp, ",") {
			p.advance()
		}
		if p.atListEnd() {
			break
		}
		items = append(items, p.relation())
		if !(p.peek().t == tSep || p.is(tOp, ",")) {
			break
		}
	}
	switch len(items) {
	case 0:
		if allowEmpty {
			return nil
		}
		p.fail("empty list")
	case 1:
		return items[0]
	}
	return p.mk(mk(kList, items...))
}

// atListEnd reports whether the next token closes the current list.
func (p *parser) atListEnd() bool {
	k := p.peek()
	switch k.t {
	case tEOF, tRowSep:
		return true
	case tCmd:
		return k.s == "endmat"
	case tOp:
		switch k.s {
		case ";", ")", "]", "}", `\}`, "&":
			return true
		case "|":
			return p.abs > 0
		}
	}
	return false
}

func (t tok) is(s string) bool { return t.t == tOp && t.s == s }

// relation parses a chain e0 op e1 op e2 ... with =, <, >, <=, >=, !=, ≈, \in.
func (p *parser) relation() *node {
	first := p.expr(0)
	if p.peek().t != tRel {
		return first
	}
	r := &node{k: kRel, kids: []*node{first}}
	for p.peek().t == tRel {
		op := p.advance().s
		if op == "=" && p.is(tRel, "=") { // "==" written as two tokens
			p.advance()
		}
		r.ops = append(r.ops, op)
		r.kids = append(r.kids, p.expr(0))
	}
	return p.mk(r)
}

// startsPrimary reports whether the next token can begin an operand (for implicit products).
func (p *parser) startsPrimary() bool {
	k := p.peek()
	switch k.t {
	case tNum, tIdent, tFunc:
		return true
	case tCmd:
		return k.s == "frac" || k.s == "sqrt" || k.s == "binom" || k.s == "begmat" || k.s == "sum" || k.s == "prod"
	case tOp:
		return k.s == "(" || k.s == "[" || k.s == "{" || k.s == `\{` || k.s == "|" && p.abs == 0 || k.s == "|lfloor" || k.s == "|lceil"
	}
	return false
}

// expr is the Pratt loop: a prefix operand, then infix operators binding tighter than minPrec.
func (p *parser) expr(minPrec int) *node {
	p.enter()
	defer p.leave()
	left := p.unary()
	for {
		p.bud.step(1)
		k := p.peek()
		switch {
		case k.t == tOp && (k.s == "+" || k.s == "-" || k.s == "±") && minPrec < precAdd:
			p.advance()
			right := p.expr(precAdd)
			switch k.s {
			case "+":
				left = p.mk(flat(kAdd, left, right))
			case "-":
				left = p.mk(flat(kAdd, left, p.mk(mk(kNeg, right))))
			default:
				left = p.mk(mk(kPM, left, right))
			}
		case k.t == tOp && (k.s == "*" || k.s == "/") && minPrec < precMul:
			p.advance()
			right := p.expr(precMul)
			if k.s == "*" {
				left = p.mk(flat(kMul, left, right))
			} else {
				left = p.mk(mk(kDiv, left, right))
			}
		case k.t == tOp && (k.s == "U" || k.s == "N") && minPrec < precSet:
			p.advance()
			right := p.expr(precSet)
			if k.s == "U" {
				left = p.mk(flat(kUnion, left, right))
			} else {
				left = p.mk(fn("intersect", left, right))
			}
		case k.t == tOp && k.s == ":" && minPrec < precRatio:
			p.advance()
			left = p.mk(mk(kRatio, left, p.expr(precRatio)))
		case k.t == tPct:
			p.advance()
			left = p.mk(mk(kPercent, left))
		case k.t == tWord || k.t == tText:
			// Words after an expression are units ("125 miles", "15 cm^2"); words after text
			// extend it.
			p.advance()
			if left.k == kText {
				left.name += " " + k.s
			} else if p.is(tOp, "^") {
				p.advance()
				p.arg()
			}
		case k.t == tOp && k.s == "|" && p.abs == 0 && p.paren > 0 && minPrec < precAdd:
			// conditional bar inside brackets: E(Y|X)
			p.advance()
			left = p.mk(fn("given", left, p.expr(precAdd)))
		case minPrec < precMul && p.startsPrimary():
			right := p.expr(precMul)
			if isInt(left) && right.k == kDiv && right.name == "frac" && isInt(right.kids[0]) && isInt(right.kids[1]) && left.val.Sign() >= 0 {
				left = p.mk(flat(kAdd, left, right)) // mixed number 3\frac{1}{2}
			} else {
				left = p.mk(flat(kMul, left, right))
			}
		default:
			return left
		}
	}
}

func isInt(n *node) bool { return n.k == kNum && n.val.IsInt() && n.dec < 0 }

// flat builds an n-ary node, merging children of the same kind.
func flat(k kind, a, b *node) *node {
	n := &node{k: k}
	for _, c := range []*node{a, b} {
		if c.k == k {
			n.kids = append(n.kids, c.kids...)
		} else {
			n.kids = append(n.kids, c)
		}
	}
	return n
}

func (p *parser) unary() *node {
	k := p.peek()
	if k.t == tOp {
		switch k.s {
		case "-":
			p.advance()
			return p.mk(mk(kNeg, p.expr(precUnary)))
		case "+":
			p.advance()
			return p.expr(precUnary)
		case "±":
			p.advance()
			return p.mk(mk(kPM, nil, p.expr(precUnary)))
		}
	}
	return p.postfix(p.primary())
}

// postfix applies ^, _, ! and ' to an operand.
func (p *parser) postfix(n *node) *node {
	for {
		switch {
		case p.is(tOp, "^"):
			p.advance()
			var e *node
			if p.is(tOp, "-") || p.is(tOp, "+") {
				e = p.unary()
			} else {
				e = p.arg()
			}
			n = p.mk(mk(kPow, n, e))
		case p.is(tOp, "_"):
			p.advance()
			sub := p.arg()
			switch n.k {
			case kSym:
				n = p.mk(sym(n.name + "_" + sub.String()))
			case kNum:
				n = p.mk(baseNum(n, sub))
			default:
				// subscript on a compound expression: keep it in the canonical form only
				n = p.mk(fn("sub", n, sub))
			}
		case p.is(tOp, "!"):
			p.advance()
			n = p.mk(fn("fact", n))
		case p.is(tOp, "°"):
			// degrees: a no-op except inside trigonometric functions
			p.advance()
			n = p.mk(fn("deg", n))
		case p.is(tOp, "'"):
			p.advance()
			n = p.mk(fn("prime", n))
		default:
			return n
		}
	}
}
