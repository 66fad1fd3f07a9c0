package data

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// ArithDataSource is the data_source of arith examples: the verifier compares the last \boxed{}
// answer with GroundTruth as numbers.
const ArithDataSource = "ascent/arith"

// ArithConfig is the difficulty of the arith task: one expression such as "3+4*2" to evaluate.
type ArithConfig struct {
	// Operands is how many numbers the expression has (2..8).
	Operands int `json:"operands"`
	// MinValue is the smallest operand (0..MaxValue).
	MinValue int `json:"min_value"`
	// MaxValue is the largest operand (1..9999).
	MaxValue int `json:"max_value"`
	// Ops is the set of operators to draw from, a non-empty subset of "+-*/" without repeats.
	// Division always divides exactly.
	Ops string `json:"ops"`
	// Parens allows one parenthesised group of two or more operands (needs Operands >= 3).
	Parens bool `json:"parens"`
	// NonNegative rejects problems where any intermediate result is negative.
	NonNegative bool `json:"non_negative"`
	// MaxResult bounds the absolute value of every intermediate result and the answer
	// (MaxValue..10^12); it keeps worked solutions short for small-context models.
	MaxResult int64 `json:"max_result"`
}

// arithLevels are the difficulty presets 1..5. Level 1 fits in ~25 characters end to end.
var arithLevels = []ArithConfig{
	{Operands: 2, MinValue: 0, MaxValue: 9, Ops: "+-", NonNegative: true, MaxResult: 100},
	{Operands: 3, MinValue: 0, MaxValue: 9, Ops: "+-*", NonNegative: true, MaxResult: 100},
	{Operands: 3, MinValue: 0, MaxValue: 20, Ops: "+-*", Parens: true, MaxResult: 1000},
	{Operands: 4, MinValue: 1, MaxValue: 50, Ops: "+-*/", Parens: true, MaxResult: 10000},
	{Operands: 5, MinValue: 1, MaxValue: 99, Ops: "+-*/", Parens: true, MaxResult: 100000},
}

// ArithLevel returns the preset config for difficulty level 1..5.
func ArithLevel(level int) (ArithConfig, error) {
	if level < 1 || level > len(arithLevels) {
		return ArithConfig{}, fmt.Errorf("data: arith: level %d out of range [1, %d]", level, len(arithLevels))
	}
	return arithLevels[level-1], nil
}

// Validate returns an error naming the first out-of-range field.
func (c ArithConfig) Validate() error {
	bad := func(field string, v any, want string) error {
		return fmt.Errorf("data: arith config: %s = %v, want %s", field, v, want)
	}
	switch {
	case c.Operands < 2 || c.Operands > 8:
		return bad("operands", c.Operands, "2..8")
	case c.MaxValue < 1 || c.MaxValue > 9999:
		return bad("max_value", c.MaxValue, "1..9999")
	case c.MinValue < 0 || c.MinValue > c.MaxValue:
		return bad("min_value", c.MinValue, fmt.Sprintf("0..max_value (%d)", c.MaxValue))
	case c.MaxResult < int64(c.MaxValue) || c.MaxResult > 1e12:
		return bad("max_result", c.MaxResult, fmt.Sprintf("max_value (%d)..10^12", c.MaxValue))
	case c.Parens && c.Operands < 3:
		return bad("parens", c.Parens, "false when operands < 3")
	}
	if c.Ops == "" {
		return bad("ops", `""`, `a non-empty subset of "+-*/"`)
	}
	for i, op := range c.Ops {
		if !strings.ContainsRune("+-*/", op) || strings.ContainsRune(c.Ops[:i], op) {
			return bad("ops", strconv.Quote(c.Ops), `a subset of "+-*/" without repeats`)
		}
	}
	return nil
}

// Arith is the multi-step arithmetic task. Prompt "3+4*2=", demonstration
// "4*2=8 3+8=11 \boxed{11}", ground truth "11".
type Arith struct {
	cfg ArithConfig
}

// NewArith validates cfg and checks that it can produce problems of both splits.
func NewArith(cfg ArithConfig) (*Arith, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &Arith{cfg: cfg}
	for _, sp := range []Split{SplitTrain, SplitTest} {
		for i := 0; i < 16; i++ {
			if _, err := a.Generate(0, sp, i); err != nil {
				return nil, fmt.Errorf("data: arith config %+v cannot produce problems: %w", cfg, err)
			}
		}
	}
	return a, nil
}

// Config returns the task's difficulty config.
func (a *Arith) Config() ArithConfig { return a.cfg }

// Name returns "arith".
func (a *Arith) Name() string { return "arith" }

// DataSource returns ArithDataSource.
func (a *Arith) DataSource() string { return ArithDataSource }

// Generate returns the i-th arith problem of split from seed.
func (a *Arith) Generate(seed uint64, split Split, i int) (Example, error) {
	if err := split.validate(); err != nil {
		return Example{}, err
	}
	if i < 0 {
		return Example{}, fmt.Errorf("data: arith: negative index %d", i)
	}
	for attempt := 0; attempt < maxSplitAttempts; attempt++ {
		r := newRNG(seed, splitID(split), uint64(i), uint64(attempt))
		expr := a.candidate(r)
		if SplitOf(expr) != split {
			continue
		}
		steps, answer, ok := a.solve(expr)
		if !ok {
			continue
		}
		demo := strings.Join(append(steps, `\boxed{`+answer+`}`), " ")
		return Example{
			ID:            exampleID("arith", split, seed, i),
			Prompt:        []Message{{Role: "user", Content: "Calculate " + expr + "."}},
			PromptText:    expr + "=",
			GroundTruth:   answer,
			DataSource:    ArithDataSource,
			Demonstration: demo,
			ExtraInfo: map[string]any{
				"split": string(split), "index": i, "seed": seed, "task": "arith", "expression": expr,
			},
		}, nil
	}
	return Example{}, fmt.Errorf("data: arith: no valid %s problem for index %d after %d attempts", split, i, maxSplitAttempts)
}

// candidate draws a random expression string (not yet checked for exact division or bounds).
func (a *Arith) candidate(r *rng) string {
	c := a.cfg
	n := c.Operands
	vals := make([]int, n)
	ops := make([]byte, n-1)
	for k := range vals {
		vals[k] = r.between(c.MinValue, c.MaxValue)
	}
	for k := range ops {
		ops[k] = c.Ops[r.intn(len(c.Ops))]
	}
	// Make divisions likely to be exact: right to left, the divisor is non-zero and the operand
	// before it a multiple of it. Chains and parentheses can still break exactness; solve rejects those.
	for k := n - 2; k >= 0; k-- {
		if ops[k] != '/' {
			continue
		}
		vals[k+1] = r.between(max(1, c.MinValue), c.MaxValue)
		d := vals[k+1]
		lo, hi := (c.MinValue+d-1)/d, c.MaxValue/d
		if lo <= hi {
			vals[k] = d * r.between(lo, hi)
		}
	}
	open, closeAt := -1, -1
	if c.Parens && r.intn(2) == 1 {
		length := r.between(2, n-1) // operands inside, never the whole expression
		open = r.intn(n - length + 1)
		closeAt = open + length - 1
	}
	var b strings.Builder
	for k, v := range vals {
		if k > 0 {
			b.WriteByte(ops[k-1])
		}
		if k == open {
			b.WriteByte('(')
		}
		b.WriteString(strconv.Itoa(v))
		if k == closeAt {
			b.WriteByte(')')
		}
	}
	return b.String()
}

// solve evaluates expr step by step in precedence order. It returns the steps ("4*2=8"), the
// answer, and false when a division is inexact or by zero, or a result breaks NonNegative/MaxResult.
func (a *Arith) solve(expr string) ([]string, string, bool) {
	tree, err := parseExpr(expr)
	if err != nil {
		return nil, "", false
	}
	var steps []string
	v, ok := a.walk(tree, &steps)
	if !ok {
		return nil, "", false
	}
	return steps, strconv.FormatInt(v, 10), true
}

// walk evaluates n post-order, left first, appending one step per operator.
func (a *Arith) walk(n *exprNode, steps *[]string) (int64, bool) {
	if n.op == 0 {
		return n.num, true
	}
	l, ok := a.walk(n.l, steps)
	if !ok {
		return 0, false
	}
	r, ok := a.walk(n.r, steps)
	if !ok {
		return 0, false
	}
	// Operands are bounded by MaxResult <= 10^12, so big.Int keeps products exact before the bound check.
	bl, br := big.NewInt(l), big.NewInt(r)
	var v big.Int
	switch n.op {
	case '+':
		v.Add(bl, br)
	case '-':
		v.Sub(bl, br)
	case '*':
		v.Mul(bl, br)
	case '/':
		if r == 0 {
			return 0, false
		}
		var m big.Int
		v.QuoRem(bl, br, &m)
		if m.Sign() != 0 {
			return 0, false
		}
	}
	if !v.IsInt64() || (a.cfg.NonNegative && v.Sign() < 0) || absInt64(v.Int64()) > a.cfg.MaxResult {
		return 0, false
	}
	res := v.Int64()
	*steps = append(*steps, formatOperand(l)+string(n.op)+formatOperand(r)+"="+strconv.FormatInt(res, 10))
	return res, true
}

// formatOperand writes a negative operand in parentheses so a step reads "2-(-5)=7".
func formatOperand(v int64) string {
	if v < 0 {
		return "(" + strconv.FormatInt(v, 10) + ")"
	}
	return strconv.FormatInt(v, 10)
}

func absInt64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func init() {
	RegisterTask(TaskInfo{
		Name:        "arith",
		DataSource:  ArithDataSource,
		Description: `multi-step integer arithmetic: "3+4*2=" -> "4*2=8 3+8=11 \boxed{11}"`,
		Levels:      len(arithLevels),
		New: func(level int, overrides map[string]any) (Task, error) {
			cfg, err := ArithLevel(level)
			if err != nil {
				return nil, err
			}
			if err := applyOverrides("arith", &cfg, overrides); err != nil {
				return nil, err
			}
			return NewArith(cfg)
		},
	})
}
