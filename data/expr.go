package data

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Limits on expressions the parser accepts; a verifier must not spend unbounded time on a model's
// output.
const (
	maxExprLen    = 512 // characters
	maxExprDepth  = 32  // nested parentheses
	maxLiteralLen = 12  // digits in one number
)

// exprNode is a binary arithmetic expression tree: a literal (op == 0) or op applied to l and r.
type exprNode struct {
	op   byte  // 0, '+', '-', '*' or '/'
	num  int64 // the literal's value when op == 0
	l, r *exprNode
}

// parseExpr parses an arithmetic expression over non-negative integer literals with + - * /,
// parentheses and spaces. Unary minus is rejected: countdown allows only the four binary operations.
func parseExpr(s string) (*exprNode, error) {
	if len(s) > maxExprLen {
		return nil, fmt.Errorf("expression longer than %d characters", maxExprLen)
	}
	p := &exprParser{s: s}
	p.skipSpace()
	if p.pos == len(s) {
		return nil, fmt.Errorf("empty expression")
	}
	n, err := p.parseSum()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(s) {
		return nil, fmt.Errorf("unexpected %q at offset %d", s[p.pos], p.pos)
	}
	return n, nil
}

// exprParser is a recursive-descent parser state.
type exprParser struct {
	s     string
	pos   int
	depth int
}

func (p *exprParser) skipSpace() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n') {
		p.pos++
	}
}

// parseSum parses term {('+'|'-') term}.
func (p *exprParser) parseSum() (*exprNode, error) {
	l, err := p.parseProduct()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.s) || (p.s[p.pos] != '+' && p.s[p.pos] != '-') {
			return l, nil
		}
		op := p.s[p.pos]
		p.pos++
		r, err := p.parseProduct()
		if err != nil {
			return nil, err
		}
		l = &exprNode{op: op, l: l, r: r}
	}
}

// parseProduct parses factor {('*'|'/') factor}.
func (p *exprParser) parseProduct() (*exprNode, error) {
	l, err := p.parseFactor()
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.s) || (p.s[p.pos] != '*' && p.s[p.pos] != '/') {
			return l, nil
		}
		op := p.s[p.pos]
		p.pos++
		r, err := p.parseFactor()
		if err != nil {
			return nil, err
		}
		l = &exprNode{op: op, l: l, r: r}
	}
}

// parseFactor parses a number or a parenthesised sum.
func (p *exprParser) parseFactor() (*exprNode, error) {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return nil, fmt.Errorf("expression ends where a number was expected")
	}
	c := p.s[p.pos]
	switch {
	case c == '(':
		if p.depth >= maxExprDepth {
			return nil, fmt.Errorf("parentheses nested deeper than %d", maxExprDepth)
		}
		p.depth++
		p.pos++
		n, err := p.parseSum()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != ')' {
			return nil, fmt.Errorf("missing ')' at offset %d", p.pos)
		}
		p.pos++
		p.depth--
		return n, nil
	case c >= '0' && c <= '9':
		start := p.pos
		for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
			p.pos++
		}
		if p.pos-start > maxLiteralLen {
			return nil, fmt.Errorf("number at offset %d has more than %d digits", start, maxLiteralLen)
		}
		v, err := strconv.ParseInt(p.s[start:p.pos], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("number at offset %d: %w", start, err)
		}
		return &exprNode{num: v}, nil
	case c == '-' || c == '+':
		return nil, fmt.Errorf("unary %q at offset %d is not allowed", c, p.pos)
	default:
		return nil, fmt.Errorf("unexpected %q at offset %d", c, p.pos)
	}
}

// eval computes the exact value of n; division by zero is an error.
func (n *exprNode) eval() (*big.Rat, error) {
	if n.op == 0 {
		return new(big.Rat).SetInt64(n.num), nil
	}
	l, err := n.l.eval()
	if err != nil {
		return nil, err
	}
	r, err := n.r.eval()
	if err != nil {
		return nil, err
	}
	switch n.op {
	case '+':
		return l.Add(l, r), nil
	case '-':
		return l.Sub(l, r), nil
	case '*':
		return l.Mul(l, r), nil
	default:
		if r.Sign() == 0 {
			return nil, fmt.Errorf("division by zero")
		}
		return l.Quo(l, r), nil
	}
}

// leaves returns the literals of n from left to right.
func (n *exprNode) leaves(dst []int64) []int64 {
	if n.op == 0 {
		return append(dst, n.num)
	}
	return n.r.leaves(n.l.leaves(dst))
}

// prec is the binding strength of an operator (literals bind tightest).
func prec(op byte) int {
	switch op {
	case '+', '-':
		return 1
	case '*', '/':
		return 2
	}
	return 3
}

// String prints n with the parentheses its tree shape needs: parsing the output gives a tree with
// the same literals in the same order and the same exact value (a+(b+c) prints as a+b+c).
func (n *exprNode) String() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func (n *exprNode) write(b *strings.Builder) {
	if n.op == 0 {
		b.WriteString(strconv.FormatInt(n.num, 10))
		return
	}
	lp := prec(n.l.op) < prec(n.op)
	rp := prec(n.r.op) < prec(n.op) || (prec(n.r.op) == prec(n.op) && !(n.r.op == n.op && (n.op == '+' || n.op == '*')))
	writeChild(b, n.l, lp)
	b.WriteByte(n.op)
	writeChild(b, n.r, rp)
}

func writeChild(b *strings.Builder, c *exprNode, paren bool) {
	if paren {
		b.WriteByte('(')
	}
	c.write(b)
	if paren {
		b.WriteByte(')')
	}
}
