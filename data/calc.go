package data

import "math/big"

// EvalExpr evaluates an arithmetic expression exactly: non-negative integer literals (at most 12
// digits each) with + - * /, parentheses and spaces, at most 512 characters and 32 nested
// parentheses — the same parser and exact rational arithmetic that check Countdown answers and
// generate arith problems. Unary minus, division by zero and anything else are errors that say
// where the expression went wrong.
func EvalExpr(s string) (*big.Rat, error) {
	n, err := parseExpr(s)
	if err != nil {
		return nil, err
	}
	return n.eval()
}
