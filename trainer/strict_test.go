package trainer

import (
	"testing"

	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/reward"
)

// TestStrictBoxKeepsOwnGraders checks which data sources algo.reward.verifier strict_box (the
// justrl preset) grades with JustRL's single-box check: the math ones, arith and unregistered
// sources, but not those with their own grader (a physics row graded by the single-box check
// scored wrong on every problem).
func TestStrictBoxKeepsOwnGraders(t *testing.T) {
	s := &scorer{strict: true}
	for _, c := range []struct{ source, want string }{
		{data.MathDataSource, "justrl"},
		{"openai/gsm8k", "justrl"},
		{"aime_2024", "justrl"},
		{data.ArithDataSource, "justrl"},
		{"my/unregistered", "justrl"},
		{data.CountdownDataSource, data.CountdownDataSource},
		{data.PhysicsDataSource, data.PhysicsDataSource},
		{reward.EventF1DataSource, reward.EventF1DataSource},
		{"code", "code"},
		{"codecontests/x", "codecontests/x"},
		{"format/boxed", "format/boxed"},
	} {
		if got := s.dataSource(data.Example{DataSource: c.source}); got != c.want {
			t.Errorf("strict_box on %q: graded by %q, want %q", c.source, got, c.want)
		}
	}
	if got := (&scorer{}).dataSource(data.Example{DataSource: data.MathDataSource}); got != data.MathDataSource {
		t.Errorf("verifier math on %q: graded by %q", data.MathDataSource, got)
	}
}
