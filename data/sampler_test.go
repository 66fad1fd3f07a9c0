package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// numbered is a Source of n examples whose IDs are their indices.
func numbered(n int) *Dataset {
	d := &Dataset{Name: "numbered"}
	for i := 0; i < n; i++ {
		d.Examples = append(d.Examples, Example{ID: fmt.Sprint(i)})
	}
	return d
}

func ids(exs []Example) []string {
	out := make([]string, len(exs))
	for k, e := range exs {
		out[k] = e.ID
	}
	return out
}

func TestSamplerVisitsEveryExampleOncePerEpoch(t *testing.T) {
	for _, shuffle := range []bool{true, false} {
		t.Run(fmt.Sprintf("shuffle=%v", shuffle), func(t *testing.T) {
			s, err := NewSampler(numbered(10), 3, shuffle)
			if err != nil {
				t.Fatal(err)
			}
			var seen []string
			for len(seen) < 30 {
				b, err := s.Next(3)
				if err != nil {
					t.Fatal(err)
				}
				seen = append(seen, ids(b)...)
			}
			var orders [][]string
			for e := 0; e < 3; e++ {
				epoch := slices.Clone(seen[10*e : 10*e+10])
				orders = append(orders, slices.Clone(epoch))
				slices.Sort(epoch)
				if !slices.Equal(epoch, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}) {
					t.Fatalf("epoch %d is not a permutation: %v", e, epoch)
				}
			}
			if shuffle && slices.Equal(orders[0], orders[1]) {
				t.Fatalf("two shuffled epochs have the same order %v", orders[0])
			}
			if !shuffle && !slices.Equal(orders[0], []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}) {
				t.Fatalf("unshuffled order %v", orders[0])
			}
			if s.Epoch() != 3 || s.State().Position != 0 {
				t.Fatalf("state after 30 of 10: %+v", s.State())
			}
		})
	}
}

func TestSamplerOrderDependsOnlyOnTheSeed(t *testing.T) {
	a, _ := NewSampler(numbered(50), 1, true)
	b, _ := NewSampler(numbered(50), 1, true)
	c, _ := NewSampler(numbered(50), 2, true)
	var fromA, fromB, fromC []string
	for i := 0; i < 20; i++ { // batches of 7 vs one batch of 140
		x, _ := a.Next(7)
		fromA = append(fromA, ids(x)...)
	}
	y, _ := b.Next(140)
	fromB = ids(y)
	z, _ := c.Next(140)
	fromC = ids(z)
	if !slices.Equal(fromA, fromB) {
		t.Fatal("batching changed the order")
	}
	if slices.Equal(fromA, fromC) {
		t.Fatal("a different seed gave the same order")
	}
}

func TestResumedSamplerContinuesTheExactOrder(t *testing.T) {
	src := NewTaskSource(mustTask(t, "arith", 2), 5, SplitTrain, 37)
	full, _ := NewSampler(src, 9, true)
	var want []string
	for i := 0; i < 12; i++ {
		b, err := full.Next(8)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, ids(b)...)
	}
	// Run 5 steps, save the state through JSON (as state.json does), resume in a new sampler.
	first, _ := NewSampler(src, 9, true)
	var got []string
	for i := 0; i < 5; i++ {
		b, _ := first.Next(8)
		got = append(got, ids(b)...)
	}
	raw, err := json.Marshal(first.State())
	if err != nil {
		t.Fatal(err)
	}
	var st DataState
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	resumed, _ := NewSampler(src, 12345, false) // seed and shuffle come from the state
	if err := resumed.Restore(st); err != nil {
		t.Fatal(err)
	}
	for i := 5; i < 12; i++ {
		b, _ := resumed.Next(8)
		got = append(got, ids(b)...)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("resumed order differs:\n got %v\nwant %v", got, want)
	}
}

func mustTask(t *testing.T, name string, level int) Task {
	t.Helper()
	task, err := NewTask(name, level, nil)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func TestSamplerRestoreRejectsMismatchedState(t *testing.T) {
	s, _ := NewSampler(numbered(10), 1, true)
	cases := []struct {
		name string
		st   DataState
		want string
	}{
		{"a state from a different dataset size", DataState{Seed: 1, Size: 11}, "11"},
		{"a state from different data of the same size", DataState{Seed: 1, Size: 10, Fingerprint: "0123456789abcdef"}, "fingerprint"},
		{"a negative epoch", DataState{Seed: 1, Size: 10, Epoch: -1}, "epoch"},
		{"a position past the end", DataState{Seed: 1, Size: 10, Position: 11}, "position"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Restore(tc.st); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v does not mention %q", err, tc.want)
			}
		})
	}
	if _, err := NewSampler(numbered(0), 1, true); err == nil {
		t.Fatal("empty source accepted")
	}
	if _, err := s.Next(0); err == nil {
		t.Fatal("batch size 0 accepted")
	}
}

// failing is a Source whose example 3 cannot be produced.
type failing struct{ n int }

func (f failing) Len() int { return f.n }
func (f failing) At(i int) (Example, error) {
	if i == 3 {
		return Example{}, errors.New("boom")
	}
	return Example{ID: fmt.Sprint(i)}, nil
}

func TestSamplerDoesNotAdvanceWhenAnExampleFails(t *testing.T) {
	s, _ := NewSampler(failing{5}, 1, false)
	if _, err := s.Next(2); err != nil {
		t.Fatal(err)
	}
	before := s.State()
	if _, err := s.Next(2); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("error %v", err)
	}
	if s.State() != before {
		t.Fatalf("state moved from %+v to %+v", before, s.State())
	}
}

func TestTaskSourceMatchesGenerateAndMaterializes(t *testing.T) {
	task := mustTask(t, "countdown", 1)
	src := NewTaskSource(task, 4, SplitTest, 20)
	d, err := Materialize("cd", src)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		ex, _ := task.Generate(4, SplitTest, i)
		if d.Examples[i].ID != ex.ID || d.Examples[i].PromptText != ex.PromptText {
			t.Fatalf("index %d differs", i)
		}
	}
	if _, err := src.At(20); err == nil {
		t.Fatal("index past the end accepted")
	}
}
