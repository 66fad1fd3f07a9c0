package answer

import (
	"math/big"
	"sort"
	"strings"
)

// kind is the type of an AST node.
type kind int

const (
	kNum     kind = iota // exact rational literal: val
	kSym                 // variable or constant: name ("pi", "e", "i", "inf" are constants)
	kAdd                 // n-ary sum: kids
	kMul                 // n-ary product: kids
	kNeg                 // unary minus: kids[0]
	kDiv                 // kids[0] / kids[1]
	kPow                 // kids[0] ^ kids[1]
	kFunc                // named function application: name(kids...)
	kRel                 // relation chain: kids[0] ops[0] kids[1] ops[1] kids[2] ...
	kList                // bare comma/semicolon separated list (order-free against sets and lists)
	kSet                 // \{ ... \}: order-free
	kBracket             // bracketed tuple or interval: open, close, kids
	kMatrix              // matrix: rows of kids; cols columns
	kUnion               // set union of kids (order-free)
	kPM                  // kids[0] ± kids[1]; kids[0] is nil for a leading ±
	kPercent             // kids[0] %
	kText                // free text answer: name
	kRatio               // kids[0] : kids[1]
)

// node is one vertex of the math AST built by the parser.
type node struct {
	k     kind
	val   *big.Rat // kNum
	dec   int      // kNum: digits after the decimal point in the literal (-1 if not a decimal literal)
	name  string   // kSym, kFunc, kText
	ops   []string // kRel: one operator between each pair of kids
	kids  []*node
	open  byte // kBracket
	close byte // kBracket
	cols  int  // kMatrix
}

func num(r *big.Rat) *node                { return &node{k: kNum, val: r, dec: -1} }
func sym(name string) *node               { return &node{k: kSym, name: name} }
func mk(k kind, kids ...*node) *node      { return &node{k: k, kids: kids} }
func fn(name string, kids ...*node) *node { return &node{k: kFunc, name: name, kids: kids} }

// size counts the nodes of the tree rooted at n.
func (n *node) size() int {
	if n == nil {
		return 0
	}
	s := 1
	for _, c := range n.kids {
		s += c.size()
	}
	return s
}

// String renders n canonically: commutative operands sorted, so equal trees up to reordering of
// sums and products print the same. It is the structural fallback of the comparator and the
// basis of Normalize.
func (n *node) String() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func (n *node) write(b *strings.Builder) {
	if n == nil {
		b.WriteString("?")
		return
	}
	switch n.k {
	case kNum:
		if n.val.IsInt() {
			b.WriteString(n.val.Num().String())
		} else {
			b.WriteString(n.val.RatString())
		}
	case kSym:
		b.WriteString(n.name)
	case kText:
		b.WriteString("\"" + n.name + "\"")
	case kAdd, kMul, kUnion, kSet, kList:
		parts := make([]string, len(n.kids))
		for i, c := range n.kids {
			parts[i] = c.String()
		}
		sort.Strings(parts)
		sep := map[kind]string{kAdd: "+", kMul: "*", kUnion: " U ", kSet: ",", kList: ","}[n.k]
		switch n.k {
		case kSet:
			b.WriteString("{" + strings.Join(parts, sep) + "}")
		case kList:
			b.WriteString(strings.Join(parts, sep))
		default:
			b.WriteString("(" + strings.Join(parts, sep) + ")")
		}
	case kNeg:
		b.WriteString("-(")
		n.kids[0].write(b)
		b.WriteString(")")
	case kDiv, kPow, kRatio:
		op := map[kind]string{kDiv: "/", kPow: "^", kRatio: ":"}[n.k]
		b.WriteString("(")
		n.kids[0].write(b)
		b.WriteString(op)
		n.kids[1].write(b)
		b.WriteString(")")
	case kPM:
		b.WriteString("(")
		if n.kids[0] != nil {
			n.kids[0].write(b)
		}
		b.WriteString("±")
		n.kids[1].write(b)
		b.WriteString(")")
	case kPercent:
		n.kids[0].write(b)
		b.WriteString("%")
	case kFunc:
		b.WriteString(n.name + "(")
		for i, c := range n.kids {
			if i > 0 {
				b.WriteString(",")
			}
			c.write(b)
		}
		b.WriteString(")")
	case kRel:
		for i, c := range n.kids {
			if i > 0 {
				b.WriteString(n.ops[i-1])
			}
			c.write(b)
		}
	case kBracket:
		b.WriteByte(n.open)
		for i, c := range n.kids {
			if i > 0 {
				b.WriteString(",")
			}
			c.write(b)
		}
		b.WriteByte(n.close)
	case kMatrix:
		b.WriteString("[")
		for i, c := range n.kids {
			if i > 0 {
				if i%n.cols == 0 {
					b.WriteString(";")
				} else {
					b.WriteString(",")
				}
			}
			c.write(b)
		}
		b.WriteString("]")
	}
}
