package answer

import "time"

// Hard limits on the work one comparison may do. They bound time and memory independently of the
// deadline, so a hostile input fails fast and deterministically.
const (
	// MaxInputLen is the longest response or answer string read, in bytes; longer inputs are cut
	// to their last MaxInputLen bytes (the final answer is at the end).
	MaxInputLen = 1 << 16
	// MaxAnswerLen is the longest extracted answer parsed, in bytes.
	MaxAnswerLen = 4096
	// MaxNodes is the largest AST the parser builds.
	MaxNodes = 4000
	// MaxDepth is the deepest nesting the parser follows.
	MaxDepth = 200
	// MaxExpBits bounds exact powers: a power whose result would need more bits is evaluated in
	// floating point instead.
	MaxExpBits = 1 << 14
	// MaxSteps is the evaluation step budget of one call (parse + compare).
	MaxSteps = 2_000_000
)

// errBudget is panicked by a budget that ran out and recovered at the API boundary.
type errBudget struct{ timeout bool }

// budget counts steps and watches the deadline of one call.
type budget struct {
	steps    int
	deadline time.Time
}

func newBudget(d time.Duration) *budget {
	if d <= 0 {
		d = DefaultOptions().Deadline
	}
	return &budget{steps: MaxSteps, deadline: time.Now().Add(d)}
}

// step charges n units of work and aborts the call when the budget or the deadline is spent.
func (b *budget) step(n int) {
	if b == nil {
		return
	}
	before := b.steps
	b.steps -= n
	if b.steps < 0 {
		panic(errBudget{timeout: true})
	}
	if before/512 != b.steps/512 && time.Now().After(b.deadline) {
		panic(errBudget{timeout: true})
	}
}
