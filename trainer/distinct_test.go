package trainer

import (
	"errors"
	"testing"

	"github.com/ascent-rl/ascent/data"
)

// TestDistinctProblems counts repeated prompts once, tells chat prompts apart by every turn, and
// reports 0 (unknown) rather than a partial count when a row cannot be read.
func TestDistinctProblems(t *testing.T) {
	user := func(s string) []data.Message { return []data.Message{{Role: "user", Content: s}} }
	cases := []struct {
		name string
		rows []data.Example
		bad  int // index that fails to read, -1 for none
		want int
	}{
		{"all distinct", []data.Example{{PromptText: "1+1="}, {PromptText: "2+2="}}, -1, 2},
		{"repeats", []data.Example{{PromptText: "1+1="}, {PromptText: "1+1="}, {PromptText: "2+2="}}, -1, 2},
		{"chat turns differ", []data.Example{{Prompt: user("a")}, {Prompt: user("b")}, {Prompt: user("a")}}, -1, 2},
		{"same text, other role", []data.Example{{Prompt: user("a")}, {Prompt: []data.Message{{Role: "system", Content: "a"}}}}, -1, 2},
		{"unreadable row", []data.Example{{PromptText: "1"}, {PromptText: "2"}}, 1, 0},
		{"empty", nil, -1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := distinctProblems(len(c.rows), func(i int) (data.Example, error) {
				if i == c.bad {
					return data.Example{}, errors.New("corrupt row")
				}
				return c.rows[i], nil
			})
			if got != c.want {
				t.Errorf("distinctProblems = %d, want %d", got, c.want)
			}
		})
	}
}

// TestDistinctNote shows the count only when some problems repeat.
func TestDistinctNote(t *testing.T) {
	cases := []struct {
		k, n int
		want string
	}{
		{80, 500, " (80 distinct)"},
		{500, 500, ""},
		{0, 500, ""}, // not counted
	}
	for _, c := range cases {
		if got := distinctNote(c.k, c.n); got != c.want {
			t.Errorf("distinctNote(%d, %d) = %q, want %q", c.k, c.n, got, c.want)
		}
	}
}
