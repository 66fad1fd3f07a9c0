package hipho

import (
	"context"
	"strings"
	"testing"
)

func TestJudgeGradingThroughAScriptedServer(t *testing.T) {
	// The judge awards every marking criterion in full (\boxed{9}, clamped), answers a re-check of
	// F=MA with \boxed{1}, and replies without points to the criteria of IPhO_2025_1_A_3 (they name E_n or E_1).
	s := newScripted(t, 0, func(_ int64, prompt string) (int, string) {
		if c := criterionOf(prompt); strings.Contains(c, "E_n") || strings.Contains(c, "E_1") {
			return 200, "hard to say"
		}
		if strings.Contains(criterionOf(prompt), "official answer") {
			return 200, `equivalent \boxed{1}`
		}
		return 200, `\boxed{9}`
	})
	wrong := `\boxed{v = 1}`
	cases := []struct {
		name     string
		opt      Options
		id, resp string
		score    float64
		level    string
		status   string
		requests int64
		count    func(Counts) bool
	}{
		{"a problem with a marking scheme is graded step-level", Options{}, "IPhO_2025_1_A_1", wrong, 0.2, "step", StatusOK, 2,
			func(c Counts) bool { return c.StepGraded == 1 && c.JudgeCalls == 2 }},
		{"full marks answer-level need no step grading", Options{}, "IPhO_2025_1_A_1", `\boxed{v = \sqrt{\frac{e^2}{4\pi\varepsilon_0 m_e r}}}`, 0.2, "answer", StatusOK, 0,
			func(c Counts) bool { return c.StepGraded == 0 && c.JudgeCalls == 0 }},
		{"--grading answer never calls the judge", Options{Grading: GradingAnswer}, "IPhO_2025_1_A_1", wrong, 0, "answer", StatusOK, 0,
			func(c Counts) bool { return c.StepGraded == 0 && c.JudgeCalls == 0 }},
		{"a response without a box costs no call", Options{}, "IPhO_2025_1_A_1", "v = 1", 0, "answer", StatusNoAnswer, 0,
			func(c Counts) bool { return c.NoAnswer == 1 && c.JudgeCalls == 0 }},
		{"rule misses are not re-checked by default", Options{}, "F=MA_2025_01", `\boxed{E}`, 0, "answer", StatusOK, 0,
			func(c Counts) bool { return c.JudgeCalls == 0 }},
		{"a re-checked rule miss the judge accepts earns its points", Options{RecheckWithJudge: true}, "F=MA_2025_01", `\boxed{E}`, 1, "answer", StatusOK, 1,
			func(c Counts) bool { return c.JudgeAccepted == 1 && c.JudgeCalls == 1 }},
		{"unparsable judge replies are counted and answer-level stands", Options{}, "IPhO_2025_1_A_3", wrong, 0, "answer", StatusJudgeUnparsable, -1,
			func(c Counts) bool { return c.JudgeUnparsable > 0 && c.JudgeUnparsable == c.JudgeCalls }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opt.Judge = s.judge(t, JudgeConfig{})
			b := bench(t, c.opt)
			before := s.requests.Load()
			res, err := b.ScoreResponses(context.Background(), []Response{{ID: c.id, Response: c.resp}})
			if err != nil {
				t.Fatal(err)
			}
			g := res.Grades[c.id]
			n := s.requests.Load() - before
			if !near(g.Score, c.score) || g.Level != c.level || g.Status != c.status || (c.requests >= 0 && n != c.requests) || !c.count(res.Counts) {
				t.Fatalf("score %g level %s status %s requests %d counts %+v; want %g %s %s %d", g.Score, g.Level, g.Status, n, res.Counts, c.score, c.level, c.status, c.requests)
			}
		})
	}
}
