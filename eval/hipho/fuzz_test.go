package hipho

import (
	"strings"
	"testing"
)

// FuzzMarkingParsers feeds arbitrary text to the criterion and judge-reply parsers: no panic, and
// what they return is a finite, usable amount.
//
//	go test ./eval/hipho/ -run '^$' -fuzz FuzzMarkingParsers -fuzztime 30s
func FuzzMarkingParsers(f *testing.F) {
	for _, s := range []string{"Award 0.2 pt if x. Otherwise, award 0 pt.", "则得 2 分。否则得 0 分。", `\boxed{0.1}`, "Awarded: 3", "得分：1.5", "", "Award .5 pts", `\boxed{-1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if a, ok := Allocation(s); ok && !(a > 0) {
			t.Fatalf("Allocation(%q) = %g, true", s, a)
		}
		if x, ok := ParseAward(s); ok {
			if c := clamp(x, 1); c < 0 || c > 1 {
				t.Fatalf("clamp(%g) = %g", x, c)
			}
		} else if x != 0 {
			t.Fatalf("ParseAward(%q) = %g, false", s, x)
		}
	})
}

// FuzzReadExam feeds arbitrary lines to the exam reader: an error or problems that pass check.
func FuzzReadExam(f *testing.F) {
	f.Add(`{"id":"X_1","answer":["1"],"answer_type":["Expression"],"unit":[null],"points":[1],"marking":[["Award 1 pt if a."]]}`)
	f.Add(`{"id":"X_1","answer":["1"],"answer_type":["Expression"],"unit":[null],"points":[1],"marking":["Award 1 pt"]}`)
	f.Fuzz(func(t *testing.T, line string) {
		e, err := ReadExam(strings.NewReader(line), "X")
		if err != nil {
			return
		}
		for i := range e.Problems {
			if err := e.Problems[i].check(); err != nil {
				t.Fatal(err)
			}
			_ = e.Problems[i].MaxPoints()
		}
	})
}
