package trainer

import (
	"context"
	"math"
	"testing"

	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/eval"
	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/reward"
)

func TestSampledMetrics(t *testing.T) {
	groups := []sampledGroup{
		{ // 2 of 4 correct, one answer twice (spacing differs): 1 distinct; the majority (9) is wrong
			texts:   []string{`\boxed{7}`, `\boxed{9}`, `\boxed{9}`, `\boxed{9}`},
			correct: []bool{true, false, false, true},
			preds:   []string{"3+4", "7", "7", "3 + 4"},
		},
		{ // none correct
			texts:   []string{`\boxed{1}`, `\boxed{2}`, `\boxed{2}`, `x`},
			correct: []bool{false, false, false, false},
			preds:   []string{"1", "2", "2", ""},
		},
	}
	m := sampledMetrics(context.Background(), groups, 4)
	want := map[string]float64{
		metric.ValPassAt + "1": (0.5 + 0) / 2, metric.ValPassAt + "2": (eval.PassAtK(4, 2, 2) + 0) / 2,
		metric.ValPassAt + "4": 0.5, metric.ValMajAt + "4": 0, metric.ValDistinctCorrect: 0.5,
	}
	for k, w := range want {
		if math.Abs(m[k]-w) > 1e-12 {
			t.Errorf("%s = %v, want %v", k, m[k], w)
		}
	}
	if _, ok := m[metric.ValPassAt+"3"]; ok {
		t.Errorf("pass@3 reported; want k = 1, 2, 4 only")
	}
}

func TestLenientCountdownAcceptsASubsetOfTheNumbers(t *testing.T) {
	gt := data.CountdownGroundTruth([]int{3, 5, 7}, 8)
	cases := []struct {
		answer          string
		strict, lenient bool
	}{
		{`\boxed{3+5}`, false, true},          // a subset reaches the target
		{`\boxed{(7-5)*3+5-3}`, false, false}, // 5 and 3 twice
		{`\boxed{7+3-5+3}`, false, false},     // 3 twice
		{`\boxed{(7-3)*5/5}`, false, false},   // 5 twice
		{`\boxed{3*7-5*2-3}`, false, false},   // 2 is not given
		{`\boxed{7+5-3}`, false, false},       // 9, not 8
		{`\boxed{(7+5)-3-1}`, false, false},   // 1 is not given
		{`\boxed{(7-5)*3+2}`, false, false},   // 2 is not given
	}
	strictCase := struct{ answer string }{`\boxed{3*5-7}`}
	if r := countdownReward(context.Background(), reward.Request{Solution: strictCase.answer, GroundTruth: gt}); !r.Verdict.Correct {
		t.Fatalf("strict checker rejects %s", strictCase.answer)
	}
	if r := countdownLenientReward(context.Background(), reward.Request{Solution: strictCase.answer, GroundTruth: gt}); !r.Verdict.Correct {
		t.Errorf("lenient checker rejects the strict solution %s", strictCase.answer)
	}
	for _, c := range cases {
		s := countdownReward(context.Background(), reward.Request{Solution: c.answer, GroundTruth: gt}).Verdict.Correct
		l := countdownLenientReward(context.Background(), reward.Request{Solution: c.answer, GroundTruth: gt}).Verdict.Correct
		if s != c.strict || l != c.lenient {
			t.Errorf("%s: strict %v lenient %v, want %v %v", c.answer, s, l, c.strict, c.lenient)
		}
	}
}

func TestLogpAdvCov(t *testing.T) {
	logp := [][]float32{{-0.1, -2}, {-1}}
	adv := [][]float64{{1, 1}, {-1, 0}}
	mask := [][]float64{{1, 1}, {1, 0}}
	// means over the 3 valid tokens: logp −1.0333…, adv 1/3
	ml, ma := (-0.1-2-1)/3.0, 1/3.0
	want := ((-0.1-ml)*(1-ma) + (-2-ml)*(1-ma) + (-1-ml)*(-1-ma)) / 3
	if got := logpAdvCov(logp, adv, mask); math.Abs(got-want) > 1e-6 {
		t.Errorf("cov = %v, want %v", got, want)
	}
}
