package data

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// sqrtSuffix marks a physics calculation whose result is the square root of the expression
// before it ("(20*45)**(1/2)"), the one non-arithmetic operation the physics kinds need.
const sqrtSuffix = "**(1/2)"

// workedCalc writes calc out one operation at a time, as a chain of equal expressions ending in
// the value: "(2+14)*3/2" gives "(2+14)*3/2=16*3/2=48/2=24", "(20*45)**(1/2)" gives
// "(20*45)**(1/2)=900**(1/2)=30". Each link applies the first operation, in evaluation order,
// whose operands are both numbers, so a reader (or a tiny model) never does more than one
// multiplication in its head. An intermediate result that is not a non-negative integer, or a
// square root that is not exact, is an error: the generators choose givens that avoid both.
func workedCalc(calc string) (string, error) {
	expr, sqrt := strings.CutSuffix(calc, sqrtSuffix)
	n, err := parseExpr(expr)
	if err != nil {
		return "", fmt.Errorf("calculation %q: %w", calc, err)
	}
	// link prints the expression as it stands, in parentheses when the root applies to it.
	link := func() string {
		if !sqrt {
			return n.String()
		}
		if n.op != 0 {
			return "(" + n.String() + ")" + sqrtSuffix
		}
		return n.String() + sqrtSuffix
	}
	links := []string{link()}
	for n.op != 0 {
		if err := reduceFirst(n); err != nil {
			return "", fmt.Errorf("calculation %q: %w", calc, err)
		}
		links = append(links, link())
	}
	if sqrt {
		root := new(big.Int).Sqrt(big.NewInt(n.num))
		if root.Int64()*root.Int64() != n.num {
			return "", fmt.Errorf("calculation %q: %d has no integer square root", calc, n.num)
		}
		links = append(links, strconv.FormatInt(root.Int64(), 10))
	}
	return strings.Join(links, "="), nil
}

// reduceFirst replaces the first operation of n in post-order (left operand first) whose operands
// are both literals by its value.
func reduceFirst(n *exprNode) error {
	if n.l.op != 0 {
		return reduceFirst(n.l)
	}
	if n.r.op != 0 {
		return reduceFirst(n.r)
	}
	v, err := n.eval()
	if err != nil {
		return err
	}
	if !v.IsInt() || v.Sign() < 0 || !v.Num().IsInt64() {
		return fmt.Errorf("%s = %s is not a non-negative integer", n, v.RatString())
	}
	*n = exprNode{num: v.Num().Int64()}
	return nil
}
