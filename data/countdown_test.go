package data

import (
	"slices"
	"strings"
	"testing"
)

func TestCountdownInstancesAreSolvedByTheirDemonstration(t *testing.T) {
	for level := 1; level <= 5; level++ {
		task, err := NewTask("countdown", level, nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg := task.(*Countdown).Config()
		n := 200
		if level == 5 {
			n = 20 // 5 numbers: ~3 ms of search per example
		}
		for _, split := range []Split{SplitTrain, SplitTest} {
			for i := 0; i < n; i++ {
				ex, err := task.Generate(9, split, i)
				if err != nil {
					t.Fatalf("level %d %s %d: %v", level, split, i, err)
				}
				nums, target, err := ParseCountdownGroundTruth(ex.GroundTruth)
				if err != nil {
					t.Fatal(err)
				}
				if len(nums) != cfg.Numbers || target < 1 || target > cfg.TargetMax {
					t.Fatalf("%s: %d numbers, target %d; want %d numbers, target in [1, %d]", ex.GroundTruth, len(nums), target, cfg.Numbers, cfg.TargetMax)
				}
				expr, ok := boxed(ex.Demonstration)
				if !ok {
					t.Fatalf("no boxed expression in %q", ex.Demonstration)
				}
				// Independent check: the reference evaluator and the multiset of literals.
				v, used, err := refEval(expr)
				if err != nil || !v.IsInt() || v.Num().Int64() != int64(target) {
					t.Fatalf("%q evaluates to %v (%v), want %d", expr, v, err, target)
				}
				want := make([]int64, len(nums))
				for k, x := range nums {
					want[k] = int64(x)
				}
				slices.Sort(used)
				slices.Sort(want)
				if !slices.Equal(used, want) {
					t.Fatalf("%q uses %v, want %v", expr, used, want)
				}
				if ok, err := CheckCountdown(nums, target, expr); !ok || err != nil {
					t.Fatalf("CheckCountdown rejects the demonstration %q: %v", expr, err)
				}
				if err := checkSteps(ex.Demonstration); err != nil {
					t.Fatalf("%q: %v", ex.Demonstration, err)
				}
				if c, ok := inCharset(ex.PromptText + ex.Demonstration); !ok {
					t.Fatalf("%q uses %q outside Charset", ex.PromptText+ex.Demonstration, c)
				}
				if SplitOf(countdownKey(nums, target)) != split {
					t.Fatalf("%s landed in the wrong split", ex.GroundTruth)
				}
				if level == 1 && len(ex.PromptText)+len(ex.Demonstration) > 45 {
					t.Fatalf("level 1 example %q + %q is longer than 45 characters", ex.PromptText, ex.Demonstration)
				}
			}
		}
	}
}

func TestCountdownPinnedOutputNeverChanges(t *testing.T) {
	task, _ := NewTask("countdown", 1, nil)
	ex, _ := task.Generate(1, SplitTrain, 2)
	if ex.PromptText != "1 3 6=19\n" || ex.Demonstration != `6*3=18 18+1=19 \boxed{6*3+1}` ||
		ex.GroundTruth != `{"numbers":[1,3,6],"target":19}` {
		t.Fatalf("countdown level 1 seed 1 index 2 changed: %q %q %q", ex.PromptText, ex.Demonstration, ex.GroundTruth)
	}
}

func TestCheckCountdown(t *testing.T) {
	nums, target := []int{3, 5, 7}, 22
	cases := []struct {
		name    string
		expr    string
		want    bool
		wantErr bool
		nums    []int // nil: 3 5 7
	}{
		{"a correct expression is accepted", "3*5+7", true, false, nil},
		{"spaces and parentheses are fine", " ( 3 * 5 ) + 7 ", true, false, nil},
		{"another order of the numbers is fine", "7+5*3", true, false, nil},
		{"a trailing equals the target is fine", "3*5+7=22", true, false, nil},
		{"a trailing wrong claim is rejected", "3*5+7=23", false, false, nil},
		{"a reused number is rejected", "3*5+7+3-3", false, false, nil},
		{"a missing number is rejected", "3*7+1", false, false, nil},
		{"a number not given is rejected", "3*5+8-1", false, false, nil},
		{"the wrong value is rejected", "3+5+7", false, false, nil},
		{"fractional intermediates are exact", "7*(5-3/3)-6", false, false, nil},
		{"garbage is an error", "hello", false, true, nil},
		{"an empty expression is an error", "", false, true, nil},
		{"unbalanced parentheses are an error", "(3*5+7", false, true, nil},
		{"unary minus is an error", "-3+5*7-10", false, true, nil},
		{"division by zero is an error", "7/(5-5)+3", false, true, []int{3, 5, 5, 7}},
		{"a huge literal is an error", "3*5+7000000000000000000000", false, true, nil},
		{"two equals signs are an error", "3*5+7=22=22", false, true, nil},
		{"a dangling operator is an error", "3*5+", false, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			use := nums
			if tc.nums != nil {
				use = tc.nums
			}
			got, err := CheckCountdown(use, target, tc.expr)
			if got != tc.want || (err != nil) != tc.wantErr {
				t.Fatalf("CheckCountdown(%q) = %v, %v; want %v, error %v", tc.expr, got, err, tc.want, tc.wantErr)
			}
		})
	}
	// A solution that needs a fraction: 8/(3-8/3) = 24.
	if ok, err := CheckCountdown([]int{8, 3, 8, 3}, 24, "8/(3-8/3)"); !ok || err != nil {
		t.Fatalf("fractional solution rejected: %v %v", ok, err)
	}
}

func TestSolveCountdown(t *testing.T) {
	cases := []struct {
		name   string
		nums   []int
		target int
		want   bool
	}{
		{"a sum is found", []int{1, 2, 3}, 6, true},
		{"a product and a difference are found", []int{3, 5, 7}, 8, true},
		{"a division is found", []int{100, 4, 5}, 5, true},
		{"an unreachable target is reported", []int{1, 1, 1}, 50, false},
		{"a single number must equal the target", []int{7}, 7, true},
		{"fraction-only solutions are not found", []int{8, 3, 8, 3}, 24, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expr, ok, err := SolveCountdown(tc.nums, tc.target)
			if err != nil || ok != tc.want {
				t.Fatalf("SolveCountdown(%v, %d) = %q, %v, %v; want %v", tc.nums, tc.target, expr, ok, err, tc.want)
			}
			if ok {
				if good, err := CheckCountdown(tc.nums, tc.target, expr); !good || err != nil {
					t.Fatalf("solution %q does not check: %v", expr, err)
				}
			}
		})
	}
	if _, _, err := SolveCountdown(make([]int, 7), 1); err == nil {
		t.Fatal("7 numbers should be refused")
	}
	if _, _, err := SolveCountdown([]int{1, 5000}, 1); err == nil {
		t.Fatal("a number above 1000 should be refused")
	}
}

func TestCountdownGroundTruthRoundTripsAndRejectsBadInput(t *testing.T) {
	nums, target, err := ParseCountdownGroundTruth(CountdownGroundTruth([]int{4, 9, 2}, 17))
	if err != nil || !slices.Equal(nums, []int{4, 9, 2}) || target != 17 {
		t.Fatalf("round trip: %v %d %v", nums, target, err)
	}
	if _, tg, err := ParseCountdownGroundTruth(`{"target": 5, "numbers": [1, 4]}`); err != nil || tg != 5 {
		t.Fatalf("TinyZero order: %v", err)
	}
	for _, bad := range []string{"", "22", `{"numbers":[1,2]}`, `{"target":3}`, `{"numbers":"x","target":3}`} {
		if _, _, err := ParseCountdownGroundTruth(bad); err == nil {
			t.Errorf("ParseCountdownGroundTruth(%q) accepted bad input", bad)
		}
	}
}

func TestCountdownConfigValidationNamesTheField(t *testing.T) {
	cases := []struct {
		name  string
		cfg   CountdownConfig
		field string
	}{
		{"one number is too few", CountdownConfig{Numbers: 1, MinValue: 1, MaxValue: 9, TargetMax: 30}, "numbers"},
		{"six numbers are too many", CountdownConfig{Numbers: 6, MinValue: 1, MaxValue: 9, TargetMax: 30}, "numbers"},
		{"zero is not a valid minimum", CountdownConfig{Numbers: 3, MinValue: 0, MaxValue: 9, TargetMax: 30}, "min_value"},
		{"max value too large", CountdownConfig{Numbers: 3, MinValue: 1, MaxValue: 2000, TargetMax: 3000}, "max_value"},
		{"target max below max value", CountdownConfig{Numbers: 3, MinValue: 1, MaxValue: 9, TargetMax: 5}, "target_max"},
		{"a problem space too small for a held-out split", CountdownConfig{Numbers: 2, MinValue: 1, MaxValue: 1, TargetMax: 1}, "cannot produce"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewCountdown(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("error %v does not name %s", err, tc.field)
			}
		})
	}
}

// FuzzCountdownParse checks that the parser never panics, and that whatever it accepts prints to
// an expression with the same literals and the same exact value as the reference evaluator finds.
func FuzzCountdownParse(f *testing.F) {
	for _, s := range []string{"3*5+7", "(1+2)*(3-4)/5", "8/(3-8/3)", "((((1))))", "1/0", "-1", "1 2", "", "9999999999999", "1+(2*(3-(4/5)))"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		CheckCountdown([]int{1, 2, 3}, 6, s) // must not panic
		tree, err := parseExpr(s)
		if err != nil {
			return
		}
		v, evalErr := tree.eval()
		printed := tree.String()
		again, err := parseExpr(printed)
		if err != nil {
			t.Fatalf("printed form %q of %q does not parse: %v", printed, s, err)
		}
		if !slices.Equal(tree.leaves(nil), again.leaves(nil)) {
			t.Fatalf("printed form %q changed the literals of %q", printed, s)
		}
		ref, _, refErr := refEval(s)
		if (evalErr != nil) != (refErr != nil) {
			t.Fatalf("%q: eval error %v, reference error %v", s, evalErr, refErr)
		}
		if evalErr == nil {
			if v.Cmp(ref) != 0 {
				t.Fatalf("%q: eval %s, reference %s", s, v.RatString(), ref.RatString())
			}
			v2, err := again.eval()
			if err != nil || v2.Cmp(v) != 0 {
				t.Fatalf("printed form %q of %q evaluates to %v (%v), want %s", printed, s, v2, err, v.RatString())
			}
		}
	})
}
