package tool

import (
	"context"

	"github.com/ascent-rl/ascent/data"
)

// Calc is the calculator: an expression of non-negative integers with + - * / and parentheses,
// evaluated exactly (data.EvalExpr) and answered as an integer or a reduced fraction ("7/2").
type Calc struct{}

func init() { Register("calc", func(Options) (Tool, error) { return Calc{}, nil }) }

// Name returns "calc".
func (Calc) Name() string { return "calc" }

// Description is the OpenAI tools line.
func (Calc) Description() string {
	return "Exact calculator: evaluates an expression of non-negative integers with + - * / and parentheses; answers an integer or a reduced fraction."
}

// Param returns "expression".
func (Calc) Param() string { return "expression" }

// Call evaluates input.
func (Calc) Call(_ context.Context, input string) (string, error) {
	v, err := data.EvalExpr(input)
	if err != nil {
		return "", err
	}
	return v.RatString(), nil
}
