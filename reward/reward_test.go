package reward

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/answer"
)

func TestBuiltInsFollowVerlRouting(t *testing.T) {
	cases := []struct {
		name, source, solution, truth string
		score                         float64
		status                        answer.Status
	}{
		{"gsm8k reads the #### answer", "openai/gsm8k", "3 + 4 = 7\n#### 7", "7", 1, answer.StatusOK},
		{"gsm8k strips grouping commas", "openai/gsm8k", "#### 1,200", "1200", 1, answer.StatusOK},
		{"gsm8k without an answer is unparsable and scores 0", "gsm8k", "", "7", 0, answer.StatusUnparsable},
		{"MATH accepts equivalent forms", "lighteval/MATH", `so $\boxed{0.5}$`, `\frac{1}{2}`, 1, answer.StatusOK},
		{"MATH rejects wrong answers with 0", "DigitalLearningGmbH/MATH-lighteval", `$\boxed{3}$`, "4", 0, answer.StatusOK},
		{"math_dapo scores +1", "math_dapo", `\boxed{\dfrac{1}{2}}`, "1/2", 1, answer.StatusOK},
		{"math_dapo scores -1 when wrong", "math", `\boxed{2}`, "3", -1, answer.StatusOK},
		{"math_dapo compares plus-minus with a set", "math_dapo", `the roots are \boxed{1 \pm \sqrt{2}}`, `\{1+\sqrt2, 1-\sqrt2\}`, 1, answer.StatusOK},
		{"math_dapo compares unions of intervals", "math_dapo", `\boxed{(-\infty, 2] \cup (3, \infty)}`, `(-\infty,2]\cup(3,\infty)`, 1, answer.StatusOK},
		{"aime prefixes route to math_dapo", "aime2025", `\boxed{070}`, "70", 1, answer.StatusOK},
		{"numina prefixes route to the 1/0 math check", "numina_olympiads", `\boxed{5}`, "5", 1, answer.StatusOK},
		{"justrl needs the exact string", "justrl", `\boxed{0.5}`, `\frac{1}{2}`, -1, answer.StatusOK},
		{"justrl accepts the exact string", "justrl", `\boxed{\frac{1}{2}}`, `\frac{1}{2}`, 1, answer.StatusOK},
		{"the boxed format reward", "format/boxed", `x \boxed{1}`, "", 1, answer.StatusOK},
		{"the think format reward", "format/think", `<think>hmm</think> so \boxed{1}`, "", 1, answer.StatusOK},
		{"the think format reward needs the closing tag", "format/think", `<think>hmm \boxed{1}`, "", 0, answer.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Score(context.Background(), Request{DataSource: c.source, Solution: c.solution, GroundTruth: c.truth})
			if r.Score != c.score || r.Status != c.status {
				t.Fatalf("Score = %+v, want score %v status %s", r, c.score, c.status)
			}
			if wantCorrect := c.score > 0; r.Correct != wantCorrect {
				t.Fatalf("correct %v with score %v", r.Correct, r.Score)
			}
		})
	}
}

func TestUnknownDataSourceListsKnownOnes(t *testing.T) {
	_, err := Lookup("nope")
	if err == nil || !strings.Contains(err.Error(), "openai/gsm8k") || !strings.Contains(err.Error(), "aime*") {
		t.Fatalf("error %v does not list the known data sources", err)
	}
	r := Score(context.Background(), Request{DataSource: "nope"})
	if r.Status != answer.StatusError {
		t.Fatalf("status %s, want error", r.Status)
	}
}

func TestHangingRewardFunctionsTimeOutAndPanicsAreErrors(t *testing.T) {
	Register("test/hang", func(ctx context.Context, req Request) Result {
		time.Sleep(5 * time.Second) // ignores ctx on purpose: Score must still return
		return Result{Score: 1}
	})
	Register("test/panic", func(ctx context.Context, req Request) Result { panic("boom") })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	reqs := []Request{
		{DataSource: "test/hang"}, {DataSource: "test/panic"},
		{DataSource: "math", Solution: `\boxed{1}`, GroundTruth: "1"},
		{DataSource: "math", Solution: "no answer here", GroundTruth: "1"},
	}
	rs, st := ScoreBatch(ctx, reqs, 2)
	if d := time.Since(start); d > time.Second {
		t.Fatalf("batch took %v", d)
	}
	want := []answer.Status{answer.StatusTimeout, answer.StatusError, answer.StatusOK, answer.StatusUnparsable}
	for i, w := range want {
		if rs[i].Status != w && !(i >= 2 && rs[i].Status == answer.StatusTimeout) {
			t.Errorf("result %d status %s, want %s", i, rs[i].Status, w)
		}
	}
	m := st.Metrics()
	if m[MetricTimeoutRatio] < 0.25 || m[MetricErrorRatio] != 0.25 {
		t.Fatalf("metrics %v", m)
	}
}

func TestScoreBatchUsesAllWorkersAndKeepsOrder(t *testing.T) {
	var inFlight, peak atomic.Int32
	Register("test/slow", func(ctx context.Context, req Request) Result {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
		inFlight.Add(-1)
		return Result{Score: float64(len(req.Solution))}
	})
	var reqs []Request
	for i := 0; i < 16; i++ {
		reqs = append(reqs, Request{DataSource: "test/slow", Solution: strings.Repeat("x", i)})
	}
	rs, st := ScoreBatch(context.Background(), reqs, 4)
	for i, r := range rs {
		if r.Score != float64(i) || r.Status != answer.StatusOK {
			t.Fatalf("result %d = %+v", i, r)
		}
	}
	if peak.Load() != 4 {
		t.Fatalf("peak concurrency %d, want 4", peak.Load())
	}
	if st.N != 16 || st.TimeoutRatio != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestVoteGroupRewardsTheMajorityUnderEquivalence(t *testing.T) {
	responses := []string{
		`\boxed{\frac{1}{2}}`, `\boxed{0.5}`, `\boxed{3}`, "I could not solve this problem", `the answer is 1/2`,
	}
	rs, vote := VoteGroup(context.Background(), responses)
	if !vote.HasLabel || vote.Count != 3 {
		t.Fatalf("vote %+v", vote)
	}
	want := []float64{1, 1, 0, 0, 1}
	for i, w := range want {
		if rs[i].Score != w {
			t.Errorf("response %d score %v, want %v", i, rs[i].Score, w)
		}
	}
	if rs[3].Status != answer.StatusUnparsable {
		t.Errorf("response without answer has status %s", rs[3].Status)
	}
	if vote.Ratio != 0.6 || rs[0].Gold != vote.Label || !rs[1].Correct || rs[2].Correct {
		t.Errorf("majority_ratio %v, verdicts %+v", vote.Ratio, rs)
	}
}

// BenchmarkScoreBatchMath scores math_dapo requests on all cores.
func BenchmarkScoreBatchMath(b *testing.B) {
	base := []Request{
		{DataSource: "math_dapo", Solution: `so $x = \boxed{\frac{3}{4}}$`, GroundTruth: "0.75"},
		{DataSource: "math_dapo", Solution: `the roots are \boxed{1 \pm \sqrt{2}}`, GroundTruth: `\{1+\sqrt2, 1-\sqrt2\}`},
		{DataSource: "openai/gsm8k", Solution: "48 + 24 = 72\n#### 72", GroundTruth: "72"},
		{DataSource: "math_dapo", Solution: `\boxed{(-\infty, 2] \cup (3, \infty)}`, GroundTruth: `(-\infty,2]\cup(3,\infty)`},
	}
	reqs := make([]Request, 1024)
	for i := range reqs {
		reqs[i] = base[i%len(base)]
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ScoreBatch(context.Background(), reqs, 0)
	}
	b.ReportMetric(float64(b.N*len(reqs))/b.Elapsed().Seconds(), "requests/s")
}
