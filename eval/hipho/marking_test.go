package hipho

import (
	"strings"
	"testing"
)

func TestEveryCriterionOfEveryExamParses(t *testing.T) {
	criteria := 0
	for _, e := range loadAll(t) {
		if err := e.CheckMarking(); err != nil {
			t.Error(err)
		}
		for i := range e.Problems {
			s, _ := Schemes(&e.Problems[i])
			for _, sc := range s {
				criteria += len(sc)
			}
		}
	}
	if criteria != 1037 {
		t.Fatalf("%d criteria, want 1037", criteria)
	}
}

func TestAllocation(t *testing.T) {
	cases := []struct {
		text string
		want float64
		ok   bool
	}{
		{"Award 0.2 pt if the answer is right. Otherwise, award 0 pt.", 0.2, true},
		{"Award 0.6 pt if correct. Partial points: award 0.3 pt if there is a mistake in areas.", 0.6, true},
		{"Award 3.0 pts if the answer identifies a compressor. Otherwise, award 0.0 pts.", 3, true},
		{"Partial points: aAward 0.1 pt if the negative sign is omitted.", 0.1, true},
		{"如果解答正确写出平衡解，则得 2 分。否则得 0 分。", 2, true},
		{"若推导正确给 1.5 分", 1.5, true},
		{"单位错误扣 0.5 分", 0.5, true},
		{"The answer must be right.", 0, false},
		{"Award 0 pt if wrong.", 0, false},
	}
	for _, c := range cases {
		got, ok := Allocation(c.text)
		if got != c.want || ok != c.ok {
			t.Errorf("Allocation(%q) = %g, %v; want %g, %v", c.text, got, ok, c.want, c.ok)
		}
	}
}

func TestUnparsableCriterionNamesExamProblemAndCriterion(t *testing.T) {
	p := &Problem{ID: "X_1", Exam: "X", Marking: Marking{Present: true, Schemes: [][]string{{"Award 1 pt if a.", "Give credit for b."}}}}
	_, err := Schemes(p)
	for _, want := range []string{"exam X", "problem X_1", "criterion 2", "Give credit for b."} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("error %v lacks %q", err, want)
		}
	}
}

func TestParseAward(t *testing.T) {
	cases := []struct {
		reply string
		want  float64
		ok    bool
	}{
		{`The criterion is met. \boxed{0.2}`, 0.2, true},
		{"<think>maybe \\boxed{1}</think>Awarded: 0.5", 0.5, true},
		{"Score: **0.1**", 0.1, true},
		{"得分：2", 2, true},
		{"0.3 pt", 0.3, true},
		{`\boxed{1} first, then on reflection \boxed{0}`, 0, true},
		{"The student did well.", 0, false},
		{"", 0, false},
	}
	for _, c := range cases {
		got, ok := ParseAward(c.reply)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseAward(%q) = %g, %v; want %g, %v", c.reply, got, ok, c.want, c.ok)
		}
	}
}
