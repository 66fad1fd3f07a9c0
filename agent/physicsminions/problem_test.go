package physicsminions

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/internal/testutil"
)

func TestReadHiPhOAndScoreAnswerLevel(t *testing.T) {
	dir := testutil.SharedPath(t, "data", "physics", "hipho")
	e, err := ReadHiPhO(dir, "IPhO_2025")
	if err != nil {
		t.Fatal(err)
	}
	text, skipped := e.TextOnly()
	if len(e.Problems) != 39 || len(text) != 8 || skipped != 31 || math.Abs(e.Max-29.4) > 1e-9 {
		t.Fatalf("%d problems, %d text-only, %d skipped, max %g; want 39, 8, 31, 29.4", len(e.Problems), len(text), skipped, e.Max)
	}
	p := text[0]
	if p.ID != "IPhO_2025_1_A_1" || p.NumAnswers != 1 || !strings.Contains(p.Text, "Speed of light in vacuum") || !strings.Contains(p.Text, "circular orbit of radius") {
		t.Errorf("first text-only problem %+v", p)
	}
	s := NewAnswerScorer(e)
	for _, p := range text {
		var gold, wrong strings.Builder
		for _, g := range e.Golds[p.ID] {
			gold.WriteString("So " + g.Answer + " " + g.Unit + "\n")
			wrong.WriteString(`So \boxed{7.77 \times 10^{99}}` + "\n")
		}
		right, err := s.Score(context.Background(), p, gold.String())
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(right.Points-right.Max) > 1e-9 {
			t.Errorf("%s: the gold answers score %g of %g (%v)", p.ID, right.Points, right.Max, right.Correct)
		}
		bad, _ := s.Score(context.Background(), p, wrong.String())
		if bad.Points != 0 {
			t.Errorf("%s: a wrong answer scores %g", p.ID, bad.Points)
		}
	}
	if _, err := s.Score(context.Background(), Problem{ID: "X_1", Exam: "X"}, ""); err == nil || !strings.Contains(err.Error(), "X_1") {
		t.Errorf("scoring an unknown exam: %v", err)
	}
	grades := make([]Grade, len(text))
	grades[0] = Grade{Points: 0.2}
	exams := Tally(s, text, grades, map[string]int{"IPhO_2025": skipped})
	x := exams["IPhO_2025"]
	if x == nil || x.Score != 0.2 || x.Max != e.Max || x.Medal != MedalNone || len(x.Problems) != 8 || x.Skipped != 31 {
		t.Errorf("tally %+v", x)
	}
	if _, err := ReadHiPhO(dir, "IPhO_2099"); err == nil || !strings.Contains(err.Error(), "IPhO_2025") || !strings.Contains(err.Error(), "IPhO_2099") {
		t.Errorf("an unknown exam: %v (want the valid ones listed)", err)
	}
}
