package data

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// CountdownDataSource is the data_source of countdown examples: the verifier extracts the last
// \boxed{} expression and calls CheckCountdown with the numbers and target of the ground truth.
const CountdownDataSource = "ascent/countdown"

// CountdownConfig is the difficulty of the countdown task: combine all given numbers with
// + - * / and parentheses, each exactly once, to reach a target.
type CountdownConfig struct {
	// Numbers is how many numbers are given (2..5).
	Numbers int `json:"numbers"`
	// MinValue is the smallest given number (1..MaxValue).
	MinValue int `json:"min_value"`
	// MaxValue is the largest given number (1..1000).
	MaxValue int `json:"max_value"`
	// TargetMax bounds the target, drawn from the reachable values in [1, TargetMax]
	// (MaxValue..100000; at least MaxValue guarantees every draw of numbers has a solution).
	TargetMax int `json:"target_max"`
}

// countdownLevels are the difficulty presets 1..5. Level 1 fits in ~40 characters end to end.
var countdownLevels = []CountdownConfig{
	{Numbers: 3, MinValue: 1, MaxValue: 9, TargetMax: 30},
	{Numbers: 3, MinValue: 1, MaxValue: 20, TargetMax: 100},
	{Numbers: 4, MinValue: 1, MaxValue: 20, TargetMax: 100},
	{Numbers: 4, MinValue: 1, MaxValue: 50, TargetMax: 200},
	{Numbers: 5, MinValue: 1, MaxValue: 100, TargetMax: 1000},
}

// CountdownLevel returns the preset config for difficulty level 1..5.
func CountdownLevel(level int) (CountdownConfig, error) {
	if level < 1 || level > len(countdownLevels) {
		return CountdownConfig{}, fmt.Errorf("data: countdown: level %d out of range [1, %d]", level, len(countdownLevels))
	}
	return countdownLevels[level-1], nil
}

// Validate returns an error naming the first out-of-range field.
func (c CountdownConfig) Validate() error {
	bad := func(field string, v int, want string) error {
		return fmt.Errorf("data: countdown config: %s = %d, want %s", field, v, want)
	}
	switch {
	case c.Numbers < 2 || c.Numbers > 5:
		return bad("numbers", c.Numbers, "2..5")
	case c.MaxValue < 1 || c.MaxValue > 1000:
		return bad("max_value", c.MaxValue, "1..1000")
	case c.MinValue < 1 || c.MinValue > c.MaxValue:
		return bad("min_value", c.MinValue, fmt.Sprintf("1..max_value (%d)", c.MaxValue))
	case c.TargetMax < c.MaxValue || c.TargetMax > 100000:
		return bad("target_max", c.TargetMax, fmt.Sprintf("max_value (%d)..100000", c.MaxValue))
	}
	return nil
}

// Countdown is the countdown task. Prompt "3 5 7=22\n" (numbers, then the target), demonstration
// "3*5=15 15+7=22 \boxed{3*5+7}", ground truth {"numbers":[3,5,7],"target":22}.
type Countdown struct {
	cfg CountdownConfig
}

// NewCountdown validates cfg and checks that it can produce problems of both splits (a tiny
// config such as two numbers in 1..1 may have no held-out problem at all).
func NewCountdown(cfg CountdownConfig) (*Countdown, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Countdown{cfg: cfg}
	for _, sp := range []Split{SplitTrain, SplitTest} {
		for i := 0; i < 4; i++ {
			if _, err := c.Generate(0, sp, i); err != nil {
				return nil, fmt.Errorf("data: countdown config %+v cannot produce problems: %w", cfg, err)
			}
		}
	}
	return c, nil
}

// Config returns the task's difficulty config.
func (c *Countdown) Config() CountdownConfig { return c.cfg }

// Name returns "countdown".
func (c *Countdown) Name() string { return "countdown" }

// DataSource returns CountdownDataSource.
func (c *Countdown) DataSource() string { return CountdownDataSource }

// countdownKey is the canonical problem identity used for the train/test split: the sorted numbers
// and the target, so that a reordering of the same numbers lands in the same split.
func countdownKey(numbers []int, target int) string {
	s := slices.Clone(numbers)
	slices.Sort(s)
	parts := make([]string, len(s))
	for k, v := range s {
		parts[k] = strconv.Itoa(v)
	}
	return strings.Join(parts, " ") + "=" + strconv.Itoa(target)
}

// Generate returns the i-th countdown problem of split from seed. It draws numbers, finds every
// target reachable with integer intermediate results by exhaustive search, and picks one in
// [1, TargetMax] uniformly, so every emitted instance has the demonstrated solution.
func (c *Countdown) Generate(seed uint64, split Split, i int) (Example, error) {
	if err := split.validate(); err != nil {
		return Example{}, err
	}
	if i < 0 {
		return Example{}, fmt.Errorf("data: countdown: negative index %d", i)
	}
	for attempt := 0; attempt < maxSplitAttempts; attempt++ {
		r := newRNG(seed, splitID(split), uint64(i), uint64(attempt))
		nums := make([]int, c.cfg.Numbers)
		for k := range nums {
			nums[k] = r.between(c.cfg.MinValue, c.cfg.MaxValue)
		}
		reach := countdownReachable(nums)
		var targets []int
		for v := range reach {
			if v >= 1 && v <= int64(c.cfg.TargetMax) && SplitOf(countdownKey(nums, int(v))) == split {
				targets = append(targets, int(v))
			}
		}
		if len(targets) == 0 {
			continue
		}
		slices.Sort(targets)
		target := targets[r.intn(len(targets))]
		sol := reach[int64(target)]
		var steps []string
		countdownSteps(sol, &steps)
		expr := sol.String()
		numStrs := make([]string, len(nums))
		for k, v := range nums {
			numStrs[k] = strconv.Itoa(v)
		}
		list := strings.Join(numStrs, " ")
		return Example{
			ID: exampleID("countdown", split, seed, i),
			Prompt: []Message{{Role: "user", Content: fmt.Sprintf(
				"Using the numbers %s, each exactly once, and the operations + - * / with parentheses, "+
					"write an expression equal to %d. Put the expression in \\boxed{}.", strings.Join(numStrs, ", "), target)}},
			PromptText:    list + "=" + strconv.Itoa(target) + "\n",
			GroundTruth:   CountdownGroundTruth(nums, target),
			DataSource:    CountdownDataSource,
			Demonstration: strings.Join(append(steps, `\boxed{`+expr+`}`), " "),
			ExtraInfo: map[string]any{
				"split": string(split), "index": i, "seed": seed, "task": "countdown",
				"numbers": slices.Clone(nums), "target": target,
			},
		}, nil
	}
	return Example{}, fmt.Errorf("data: countdown: no solvable %s problem for index %d after %d attempts", split, i, maxSplitAttempts)
}

// countdownGT is the JSON shape of a countdown ground truth (TinyZero's {"target", "numbers"}).
type countdownGT struct {
	Numbers []int `json:"numbers"`
	Target  *int  `json:"target"`
}

// CountdownGroundTruth encodes numbers and target as the ground-truth string
// {"numbers":[3,5,7],"target":22}.
func CountdownGroundTruth(numbers []int, target int) string {
	b, _ := json.Marshal(countdownGT{Numbers: numbers, Target: &target}) // ints cannot fail to marshal
	return string(b)
}

// ParseCountdownGroundTruth decodes a ground truth written by CountdownGroundTruth (or TinyZero's
// {"target": t, "numbers": [...]}).
func ParseCountdownGroundTruth(gt string) (numbers []int, target int, err error) {
	var v countdownGT
	if err := json.Unmarshal([]byte(gt), &v); err != nil {
		return nil, 0, fmt.Errorf("countdown ground truth %q: %w", gt, err)
	}
	if len(v.Numbers) == 0 {
		return nil, 0, fmt.Errorf("countdown ground truth %q: missing field \"numbers\"", gt)
	}
	if v.Target == nil {
		return nil, 0, fmt.Errorf("countdown ground truth %q: missing field \"target\"", gt)
	}
	return v.Numbers, *v.Target, nil
}

// CheckCountdown reports whether expr uses each of numbers exactly once (as a multiset), only the
// binary operations + - * / and parentheses, and evaluates exactly (rational arithmetic) to target.
// A trailing "=N" is allowed when N equals target. It returns an error, and false, when expr cannot
// be evaluated (unparsable, unary minus, division by zero, too long); a well-formed expression with
// the wrong numbers or value gives false and a nil error.
func CheckCountdown(numbers []int, target int, expr string) (bool, error) {
	expr = strings.TrimSpace(expr)
	if lhs, rhs, found := strings.Cut(expr, "="); found {
		claimed, err := strconv.Atoi(strings.TrimSpace(rhs))
		if err != nil {
			return false, fmt.Errorf("countdown: right of '=' is %q, want the target", strings.TrimSpace(rhs))
		}
		if claimed != target {
			return false, nil
		}
		expr = lhs
	}
	tree, err := parseExpr(expr)
	if err != nil {
		return false, fmt.Errorf("countdown: %w", err)
	}
	used := tree.leaves(nil)
	want := make([]int64, len(numbers))
	for k, v := range numbers {
		want[k] = int64(v)
	}
	slices.Sort(used)
	slices.Sort(want)
	if !slices.Equal(used, want) {
		return false, nil
	}
	v, err := tree.eval()
	if err != nil {
		return false, fmt.Errorf("countdown: %w", err)
	}
	return v.IsInt() && v.Num().IsInt64() && v.Num().Int64() == int64(target), nil
}

func init() {
	RegisterTask(TaskInfo{
		Name:        "countdown",
		DataSource:  CountdownDataSource,
		Description: `reach a target from given numbers: "3 5 7=22" -> "3*5=15 15+7=22 \boxed{3*5+7}"`,
		Levels:      len(countdownLevels),
		New: func(level int, overrides map[string]any) (Task, error) {
			cfg, err := CountdownLevel(level)
			if err != nil {
				return nil, err
			}
			if err := applyOverrides("countdown", &cfg, overrides); err != nil {
				return nil, err
			}
			return NewCountdown(cfg)
		},
	})
}
