package data

import (
	"fmt"
	"strconv"
)

// maxSolveNumbers bounds SolveCountdown: the search visits about 5·C(k,2)·... ≈ 2·10^7 states for 6.
const maxSolveNumbers = 6

// countdownItem is a value built so far and the expression that built it.
type countdownItem struct {
	v int64
	e *exprNode
}

// countdownSearch combines items pairwise with + - * / (integer, non-negative intermediate results
// only) until one is left, calling visit on each complete expression; visit returns true to stop.
func countdownSearch(items []countdownItem, visit func(countdownItem) bool) bool {
	if len(items) == 1 {
		return visit(items[0])
	}
	rest := make([]countdownItem, 0, len(items)-1)
	for i := 0; i < len(items); i++ {
		for j := i + 1; j < len(items); j++ {
			a, b := items[i], items[j]
			if a.v < b.v {
				a, b = b, a // a >= b: a-b is the non-negative difference
			}
			cands := [5]countdownItem{
				{a.v + b.v, &exprNode{op: '+', l: a.e, r: b.e}},
				{a.v * b.v, &exprNode{op: '*', l: a.e, r: b.e}},
				{a.v - b.v, &exprNode{op: '-', l: a.e, r: b.e}},
			}
			nc := 3
			if b.v != 0 && a.v%b.v == 0 {
				cands[nc] = countdownItem{a.v / b.v, &exprNode{op: '/', l: a.e, r: b.e}}
				nc++
			}
			if a.v != 0 && b.v != a.v && b.v%a.v == 0 { // b/a only differs from a/b when b != a
				cands[nc] = countdownItem{b.v / a.v, &exprNode{op: '/', l: b.e, r: a.e}}
				nc++
			}
			for _, c := range cands[:nc] {
				rest = rest[:0]
				for k := range items {
					if k != i && k != j {
						rest = append(rest, items[k])
					}
				}
				rest = append(rest, c)
				if countdownSearch(append([]countdownItem(nil), rest...), visit) {
					return true
				}
			}
		}
	}
	return false
}

// countdownItems wraps numbers as search leaves.
func countdownItems(numbers []int) []countdownItem {
	items := make([]countdownItem, len(numbers))
	for k, v := range numbers {
		items[k] = countdownItem{int64(v), &exprNode{num: int64(v)}}
	}
	return items
}

// countdownReachable maps every value reachable from numbers to the first expression found for it.
func countdownReachable(numbers []int) map[int64]*exprNode {
	reach := map[int64]*exprNode{}
	countdownSearch(countdownItems(numbers), func(it countdownItem) bool {
		if _, seen := reach[it.v]; !seen {
			reach[it.v] = it.e
		}
		return false
	})
	return reach
}

// SolveCountdown searches for an expression that uses each of numbers exactly once and equals
// target, with integer non-negative intermediate results (instances that need fractions, such as
// 8/(3-8/3)=24, are reported unsolved). It returns the expression and true, or "" and false.
// At most 6 numbers, each in 0..1000 (so no intermediate result can overflow int64).
func SolveCountdown(numbers []int, target int) (string, bool, error) {
	if len(numbers) == 0 || len(numbers) > maxSolveNumbers {
		return "", false, fmt.Errorf("countdown: %d numbers, want 1..%d", len(numbers), maxSolveNumbers)
	}
	for _, v := range numbers {
		if v < 0 || v > 1000 {
			return "", false, fmt.Errorf("countdown: number %d out of range 0..1000", v)
		}
	}
	var found *exprNode
	countdownSearch(countdownItems(numbers), func(it countdownItem) bool {
		if it.v == int64(target) {
			found = it.e
			return true
		}
		return false
	})
	if found == nil {
		return "", false, nil
	}
	return found.String(), true, nil
}

// countdownSteps appends one "a op b=c" step per operator of n, post-order, left first.
func countdownSteps(n *exprNode, steps *[]string) int64 {
	if n.op == 0 {
		return n.num
	}
	l := countdownSteps(n.l, steps)
	r := countdownSteps(n.r, steps)
	var v int64
	switch n.op {
	case '+':
		v = l + r
	case '-':
		v = l - r
	case '*':
		v = l * r
	default:
		v = l / r
	}
	*steps = append(*steps, strconv.FormatInt(l, 10)+string(n.op)+strconv.FormatInt(r, 10)+"="+strconv.FormatInt(v, 10))
	return v
}
