package data

import (
	"strings"
	"testing"
)

func TestArithAnswersAreCorrectAtEveryLevel(t *testing.T) {
	for level := 1; level <= 5; level++ {
		task, err := NewTask("arith", level, nil)
		if err != nil {
			t.Fatalf("level %d: %v", level, err)
		}
		cfg := task.(*Arith).Config()
		for _, split := range []Split{SplitTrain, SplitTest} {
			for i := 0; i < 300; i++ {
				ex, err := task.Generate(11, split, i)
				if err != nil {
					t.Fatalf("level %d %s %d: %v", level, split, i, err)
				}
				expr := strings.TrimSuffix(ex.PromptText, "=")
				v, nums, err := refEval(expr)
				if err != nil {
					t.Fatalf("%q: %v", expr, err)
				}
				if !v.IsInt() || v.RatString() != ex.GroundTruth {
					t.Fatalf("%q: reference value %s, ground truth %s", expr, v.RatString(), ex.GroundTruth)
				}
				if len(nums) != cfg.Operands {
					t.Fatalf("%q has %d operands, want %d", expr, len(nums), cfg.Operands)
				}
				for _, n := range nums {
					if n < int64(cfg.MinValue) || n > int64(cfg.MaxValue) {
						t.Fatalf("%q: operand %d outside [%d, %d]", expr, n, cfg.MinValue, cfg.MaxValue)
					}
				}
				if b, ok := boxed(ex.Demonstration); !ok || b != ex.GroundTruth {
					t.Fatalf("demonstration %q does not box %s", ex.Demonstration, ex.GroundTruth)
				}
				if err := checkSteps(ex.Demonstration); err != nil {
					t.Fatalf("%q: %v", ex.Demonstration, err)
				}
				if got := strings.Count(ex.Demonstration, "="); got != cfg.Operands-1 {
					t.Fatalf("%q has %d steps, want %d", ex.Demonstration, got, cfg.Operands-1)
				}
				if c, ok := inCharset(ex.PromptText + ex.Demonstration + ex.GroundTruth); !ok {
					t.Fatalf("%q uses %q outside Charset", ex.PromptText+ex.Demonstration, c)
				}
				if ex.DataSource != ArithDataSource || SplitOf(expr) != split {
					t.Fatalf("%+v: wrong data source or split", ex)
				}
			}
		}
	}
}

func TestArithLevelOneFitsATinyContext(t *testing.T) {
	task, _ := NewTask("arith", 1, nil)
	for i := 0; i < 1000; i++ {
		ex, _ := task.Generate(3, SplitTrain, i)
		if n := len(ex.PromptText) + len(ex.Demonstration); n > 30 {
			t.Fatalf("%q + %q is %d characters, want <= 30", ex.PromptText, ex.Demonstration, n)
		}
	}
}

func TestArithIsDeterministicPerIndex(t *testing.T) {
	task, _ := NewTask("arith", 4, nil)
	a, _ := task.Generate(5, SplitTrain, 123)
	for i := 0; i < 50; i++ { // generate others in between: no hidden state
		task.Generate(5, SplitTrain, i)
	}
	b, _ := task.Generate(5, SplitTrain, 123)
	if a.PromptText != b.PromptText || a.Demonstration != b.Demonstration || a.ID != b.ID {
		t.Fatalf("index 123 changed: %+v vs %+v", a, b)
	}
	c, _ := task.Generate(6, SplitTrain, 123)
	d, _ := task.Generate(5, SplitTrain, 124)
	if c.PromptText == a.PromptText && d.PromptText == a.PromptText {
		t.Fatalf("other seeds and indices repeat the same problem %q", a.PromptText)
	}
}

func TestArithPinnedOutputsNeverChange(t *testing.T) {
	// Generated data must be identical across versions: resumed runs and published splits depend on it.
	task, _ := NewTask("arith", 2, nil)
	ex, _ := task.Generate(1, SplitTrain, 1)
	if ex.PromptText != "4+7*8=" || ex.Demonstration != `7*8=56 4+56=60 \boxed{60}` || ex.GroundTruth != "60" {
		t.Fatalf("arith level 2 seed 1 index 1 changed: %q %q %q", ex.PromptText, ex.Demonstration, ex.GroundTruth)
	}
}

func TestArithConfigValidationNamesTheField(t *testing.T) {
	base := arithLevels[2]
	cases := []struct {
		name  string
		edit  func(*ArithConfig)
		field string
	}{
		{"one operand is too few", func(c *ArithConfig) { c.Operands = 1 }, "operands"},
		{"nine operands are too many", func(c *ArithConfig) { c.Operands = 9 }, "operands"},
		{"max value zero", func(c *ArithConfig) { c.MaxValue = 0 }, "max_value"},
		{"min above max", func(c *ArithConfig) { c.MinValue = 50 }, "min_value"},
		{"unknown operator", func(c *ArithConfig) { c.Ops = "+%" }, "ops"},
		{"repeated operator", func(c *ArithConfig) { c.Ops = "++" }, "ops"},
		{"no operators", func(c *ArithConfig) { c.Ops = "" }, "ops"},
		{"parentheses with two operands", func(c *ArithConfig) { c.Operands = 2 }, "parens"},
		{"max result below max value", func(c *ArithConfig) { c.MaxResult = 5 }, "max_result"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.edit(&cfg)
			_, err := NewArith(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("error %v does not name %s", err, tc.field)
			}
		})
	}
}

func TestArithOverridesApplyAndUnknownKeysFail(t *testing.T) {
	task, err := NewTask("arith", 1, map[string]any{"operands": 3, "ops": "*"})
	if err != nil {
		t.Fatal(err)
	}
	ex, _ := task.Generate(1, SplitTrain, 0)
	if strings.Count(ex.PromptText, "*") != 2 {
		t.Fatalf("override ignored: %q", ex.PromptText)
	}
	if _, err := NewTask("arith", 1, map[string]any{"operandz": 3}); err == nil || !strings.Contains(err.Error(), "operandz") {
		t.Fatalf("unknown override key: %v", err)
	}
}

func TestTaskLookupErrorListsNames(t *testing.T) {
	_, err := NewTask("sudoku", 1, nil)
	if err == nil || !strings.Contains(err.Error(), "arith") || !strings.Contains(err.Error(), "countdown") {
		t.Fatalf("error %v does not list the known tasks", err)
	}
	if _, err := NewTask("arith", 9, nil); err == nil || !strings.Contains(err.Error(), "level") {
		t.Fatalf("level 9: %v", err)
	}
}

func TestHeldOutSplitIsDisjointFromTrainingOn10kExamples(t *testing.T) {
	cases := []struct {
		task  string
		level int
		key   func(Example) string
	}{
		{"arith", 3, func(e Example) string { return strings.TrimSuffix(e.PromptText, "=") }},
		{"countdown", 2, func(e Example) string {
			nums, target, err := ParseCountdownGroundTruth(e.GroundTruth)
			if err != nil {
				panic(err)
			}
			return countdownKey(nums, target)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.task+" train and test share no problem", func(t *testing.T) {
			task, _ := NewTask(tc.task, tc.level, nil)
			train := map[string]bool{}
			for i := 0; i < 10000; i++ {
				ex, err := task.Generate(42, SplitTrain, i)
				if err != nil {
					t.Fatal(err)
				}
				train[tc.key(ex)] = true
			}
			for i := 0; i < 10000; i++ {
				ex, err := task.Generate(42, SplitTest, i)
				if err != nil {
					t.Fatal(err)
				}
				if train[tc.key(ex)] {
					t.Fatalf("test example %d %q is also a training problem", i, ex.PromptText)
				}
			}
		})
	}
}

func TestCharsetHasNoRepeatsAndCoversBoxed(t *testing.T) {
	for i, c := range Charset {
		if strings.ContainsRune(Charset[:i], c) {
			t.Fatalf("Charset repeats %q", c)
		}
	}
	if _, ok := inCharset(`\boxed{-12}` + "(3*4)/2+1=\n"); !ok {
		t.Fatal("Charset misses a character of the task formats")
	}
}
