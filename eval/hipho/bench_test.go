package hipho

import (
	"context"
	"testing"
	"time"
)

// BenchmarkScoreExamAnswerLevel scores a whole exam answer-level (responses that box the gold
// answers with units after the boxes); the target is under a second an exam.
//
//	go test ./eval/hipho/ -run '^$' -bench ScoreExam -benchtime 5x
func BenchmarkScoreExamAnswerLevel(b *testing.B) {
	bm := bench(b, Options{Grading: GradingAnswer})
	for _, name := range []string{"IPhO_2025", "CPhO_2025", "PanPhO_2025"} {
		e, err := bm.Exam(name)
		if err != nil {
			b.Fatal(err)
		}
		resps := goldResponses(e, "bench", true)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := bm.ScoreResponses(context.Background(), resps); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadAndScoreEveryExam loads the 14 exams (New) and scores each answer-level.
func BenchmarkLoadAndScoreEveryExam(b *testing.B) {
	dir := dataDir(b)
	for b.Loop() {
		bm, err := New(Options{Dir: dir, Grading: GradingAnswer})
		if err != nil {
			b.Fatal(err)
		}
		for _, name := range bm.Names() {
			e, _ := bm.Exam(name)
			if _, err := bm.ScoreResponses(context.Background(), goldResponses(e, "bench", true)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestScoringAWholeExamTakesUnderASecond(t *testing.T) {
	bm := bench(t, Options{Grading: GradingAnswer})
	e, _ := bm.Exam("IPhO_2025")
	resps := goldResponses(e, "timed", true)
	start := time.Now()
	if _, err := bm.ScoreResponses(context.Background(), resps); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("scoring IPhO 2025 answer-level took %v, want under 1 s", d)
	}
}
