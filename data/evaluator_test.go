package data

import (
	"fmt"
	"math/big"
	"strings"
)

// refEval is an independent evaluator for the tests: a shunting-yard conversion to RPN over exact
// rationals. It shares no code with parseExpr/exprNode.
func refEval(s string) (*big.Rat, []int64, error) {
	type tok struct {
		num *big.Rat
		op  byte
	}
	var toks []tok
	var nums []int64
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			r, ok := new(big.Rat).SetString(s[i:j])
			if !ok {
				return nil, nil, fmt.Errorf("bad number %q", s[i:j])
			}
			toks = append(toks, tok{num: r})
			nums = append(nums, r.Num().Int64())
			i = j
		case strings.IndexByte("+-*/()", c) >= 0:
			toks = append(toks, tok{op: c})
			i++
		default:
			return nil, nil, fmt.Errorf("bad char %q", c)
		}
	}
	precOf := map[byte]int{'+': 1, '-': 1, '*': 2, '/': 2}
	var out []tok
	var stack []byte
	for _, t := range toks {
		switch {
		case t.num != nil:
			out = append(out, t)
		case t.op == '(':
			stack = append(stack, '(')
		case t.op == ')':
			for len(stack) > 0 && stack[len(stack)-1] != '(' {
				out = append(out, tok{op: stack[len(stack)-1]})
				stack = stack[:len(stack)-1]
			}
			if len(stack) == 0 {
				return nil, nil, fmt.Errorf("unbalanced")
			}
			stack = stack[:len(stack)-1]
		default:
			for len(stack) > 0 && stack[len(stack)-1] != '(' && precOf[stack[len(stack)-1]] >= precOf[t.op] {
				out = append(out, tok{op: stack[len(stack)-1]})
				stack = stack[:len(stack)-1]
			}
			stack = append(stack, t.op)
		}
	}
	for len(stack) > 0 {
		if stack[len(stack)-1] == '(' {
			return nil, nil, fmt.Errorf("unbalanced")
		}
		out = append(out, tok{op: stack[len(stack)-1]})
		stack = stack[:len(stack)-1]
	}
	var vals []*big.Rat
	for _, t := range out {
		if t.num != nil {
			vals = append(vals, t.num)
			continue
		}
		if len(vals) < 2 {
			return nil, nil, fmt.Errorf("malformed")
		}
		a, b := vals[len(vals)-2], vals[len(vals)-1]
		vals = vals[:len(vals)-2]
		r := new(big.Rat)
		switch t.op {
		case '+':
			r.Add(a, b)
		case '-':
			r.Sub(a, b)
		case '*':
			r.Mul(a, b)
		case '/':
			if b.Sign() == 0 {
				return nil, nil, fmt.Errorf("division by zero")
			}
			r.Quo(a, b)
		}
		vals = append(vals, r)
	}
	if len(vals) != 1 {
		return nil, nil, fmt.Errorf("malformed")
	}
	return vals[0], nums, nil
}

// boxed returns the content of the last \boxed{...} in s (no nested braces in built-in tasks).
func boxed(s string) (string, bool) {
	i := strings.LastIndex(s, `\boxed{`)
	if i < 0 {
		return "", false
	}
	rest := s[i+len(`\boxed{`):]
	j := strings.IndexByte(rest, '}')
	if j < 0 {
		return "", false
	}
	return rest[:j], true
}

// checkSteps verifies every "a op b=c" step of a worked solution with refEval.
func checkSteps(demo string) error {
	fields := strings.Fields(demo)
	for _, f := range fields[:len(fields)-1] {
		lhs, rhs, ok := strings.Cut(f, "=")
		if !ok {
			return fmt.Errorf("step %q has no '='", f)
		}
		l, _, err := refEval(strings.NewReplacer("(-", "(0-").Replace(lhs))
		if err != nil {
			return fmt.Errorf("step %q: %v", f, err)
		}
		want, ok := new(big.Rat).SetString(rhs)
		if !ok || l.Cmp(want) != 0 {
			return fmt.Errorf("step %q: left side is %s", f, l.RatString())
		}
	}
	return nil
}
