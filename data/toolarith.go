package data

import (
	"fmt"
	"strconv"
	"strings"
)

// ToolArithConfig is the difficulty of the toolarith task: one expression of large operands, such
// as "4821*937=", that a 0.5M-parameter model cannot evaluate in its head but can hand to the
// calculator tool.
type ToolArithConfig struct {
	// Operands is how many numbers the expression has (2..3).
	Operands int `json:"operands"`
	// MinValue is the smallest operand (0..MaxValue).
	MinValue int `json:"min_value"`
	// MaxValue is the largest operand (1..9999).
	MaxValue int `json:"max_value"`
	// Ops is the set of operators to draw from, a non-empty subset of "+-*" without repeats.
	Ops string `json:"ops"`
}

// toolArithLevels are the difficulty presets 1..2; both fit the tiny model's 64-token context with
// the call, the inserted answer and the boxed answer.
var toolArithLevels = []ToolArithConfig{
	{Operands: 2, MinValue: 100, MaxValue: 9999, Ops: "+-*"},
	{Operands: 3, MinValue: 10, MaxValue: 999, Ops: "+-*"},
}

// Validate returns an error naming the first out-of-range field.
func (c ToolArithConfig) Validate() error {
	bad := func(field string, v any, want string) error {
		return fmt.Errorf("data: toolarith config: %s = %v, want %s", field, v, want)
	}
	switch {
	case c.Operands < 2 || c.Operands > 3:
		return bad("operands", c.Operands, "2..3")
	case c.MaxValue < 1 || c.MaxValue > 9999:
		return bad("max_value", c.MaxValue, "1..9999")
	case c.MinValue < 0 || c.MinValue > c.MaxValue:
		return bad("min_value", c.MinValue, fmt.Sprintf("0..max_value (%d)", c.MaxValue))
	case c.Ops == "":
		return bad("ops", `""`, `a non-empty subset of "+-*"`)
	}
	for i, op := range c.Ops {
		if !strings.ContainsRune("+-*", op) || strings.ContainsRune(c.Ops[:i], op) {
			return bad("ops", strconv.Quote(c.Ops), `a subset of "+-*" without repeats`)
		}
	}
	return nil
}

// ToolArith is arithmetic with a calculator. Prompt "4821*937=", demonstration
// `\calc{4821*937}=4517277 \boxed{4517277}` in the tool package's Tiny call syntax, where
// "=4517277" is the calculator's answer (inserted by the rollout, masked out of the loss), ground
// truth "4517277", verified by the arith verifier (ArithDataSource).
type ToolArith struct {
	cfg ToolArithConfig
}

// NewToolArith validates cfg.
func NewToolArith(cfg ToolArithConfig) (*ToolArith, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &ToolArith{cfg: cfg}, nil
}

// Name returns "toolarith".
func (a *ToolArith) Name() string { return "toolarith" }

// DataSource returns ArithDataSource.
func (a *ToolArith) DataSource() string { return ArithDataSource }

// Generate returns the i-th problem of split from seed.
func (a *ToolArith) Generate(seed uint64, split Split, i int) (Example, error) {
	if err := split.validate(); err != nil {
		return Example{}, err
	}
	if i < 0 {
		return Example{}, fmt.Errorf("data: toolarith: negative index %d", i)
	}
	c := a.cfg
	for attempt := 0; attempt < maxSplitAttempts; attempt++ {
		r := newRNG(seed, splitID(split), uint64(i), uint64(attempt), 0x7001)
		var b strings.Builder
		for k := range c.Operands {
			if k > 0 {
				b.WriteByte(c.Ops[r.intn(len(c.Ops))])
			}
			b.WriteString(strconv.Itoa(r.between(c.MinValue, c.MaxValue)))
		}
		expr := b.String()
		if SplitOf("toolarith:"+expr) != split {
			continue
		}
		v, err := EvalExpr(expr)
		if err != nil {
			return Example{}, fmt.Errorf("data: toolarith: %s: %w", expr, err)
		}
		ans := v.RatString()
		return Example{
			ID:            exampleID("toolarith", split, seed, i),
			Prompt:        []Message{{Role: "user", Content: "Calculate " + expr + " with the calculator."}},
			PromptText:    expr + "=",
			GroundTruth:   ans,
			DataSource:    ArithDataSource,
			Demonstration: `\calc{` + expr + `}=` + ans + ` \boxed{` + ans + `}`,
			ExtraInfo:     map[string]any{"split": string(split), "index": i, "seed": seed, "task": "toolarith", "expression": expr},
		}, nil
	}
	return Example{}, fmt.Errorf("data: toolarith: no %s problem for index %d after %d attempts", split, i, maxSplitAttempts)
}

func init() {
	RegisterTask(TaskInfo{
		Name:        "toolarith",
		DataSource:  ArithDataSource,
		Description: `large-operand arithmetic with the calculator tool: "4821*937=" -> "\calc{4821*937}=4517277 \boxed{4517277}"`,
		Levels:      len(toolArithLevels),
		New: func(level int, overrides map[string]any) (Task, error) {
			if level < 1 || level > len(toolArithLevels) {
				return nil, fmt.Errorf("data: toolarith: level %d out of range [1, %d]", level, len(toolArithLevels))
			}
			cfg := toolArithLevels[level-1]
			if err := applyOverrides("toolarith", &cfg, overrides); err != nil {
				return nil, err
			}
			return NewToolArith(cfg)
		},
	})
}
