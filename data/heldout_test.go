package data

import (
	"reflect"
	"testing"
)

// HeldOut never repeats a problem, keeps the source's order from its first example on, and where
// the split is small (level-2 physics) stops at every distinct problem.
func TestHeldOutKeepsEachProblemOnce(t *testing.T) {
	cases := []struct {
		task      string
		level, n  int
		wantFewer bool // the split holds fewer than n distinct problems
	}{
		{"arith", 3, 200, false},
		{"countdown", 1, 300, false},
		{"physics", 1, 500, true},
		{"physics", 2, 500, true},
		{"physics", 2, 20, false},
	}
	for _, c := range cases {
		task, err := NewTask(c.task, c.level, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := HeldOut(task, 7, SplitTest, c.n)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, ex := range got {
			if seen[ex.Key()] {
				t.Fatalf("%s level %d: problem %q twice", c.task, c.level, ex.PromptText)
			}
			seen[ex.Key()] = true
			if ex.ExtraInfo["split"] != string(SplitTest) {
				t.Fatalf("%s: %s is not a held-out problem", c.task, ex.ID)
			}
		}
		if fewer := len(got) < c.n; fewer != c.wantFewer {
			t.Errorf("%s level %d: %d of %d asked, want fewer = %v", c.task, c.level, len(got), c.n, c.wantFewer)
		}
		first, _ := NewTaskSource(task, 7, SplitTest, 1).At(0)
		if !reflect.DeepEqual(got[0], first) {
			t.Errorf("%s: the first held-out problem is not the source's first", c.task)
		}
		for i := 1; i < len(got); i++ {
			if got[i].ExtraInfo["index"].(int) <= got[i-1].ExtraInfo["index"].(int) {
				t.Fatalf("%s: example %d (%s) comes after %s", c.task, i, got[i].ID, got[i-1].ID)
			}
		}
	}
}
