package main

import (
	"math"
	"testing"
)

func TestVerdictRule(t *testing.T) {
	cases := []struct {
		pass []bool
		want string
	}{
		{nil, "not run yet (0 seeds)"},
		{[]bool{true}, "inconclusive (1 seed; 1 passed)"},
		{[]bool{true, true}, "inconclusive (2 seeds; 2 passed)"},
		{[]bool{true, true, true}, "holds"},
		{[]bool{false, false, false}, "does not hold at this scale"},
		{[]bool{true, false, true}, "inconclusive (2 of 3 seeds)"},
	}
	for _, c := range cases {
		if got := verdict(c.pass); got != c.want {
			t.Errorf("verdict(%v) = %q, want %q", c.pass, got, c.want)
		}
	}
}

func TestStats(t *testing.T) {
	m, sd := meanSD([]float64{1, 2, 3})
	if m != 2 || math.Abs(sd-1) > 1e-12 {
		t.Errorf("meanSD = %v, %v; want 2, 1", m, sd)
	}
	if r := pearson([]float64{1, 2, 3, 4}, []float64{2, 4, 6, 8}); math.Abs(r-1) > 1e-12 {
		t.Errorf("pearson of a line = %v, want 1", r)
	}
	if r := pearson([]float64{1, 2, 3}, []float64{1, 1, 1}); !math.IsNaN(r) {
		t.Errorf("pearson with a constant = %v, want NaN", r)
	}
}

func TestParseSeedsAndOnly(t *testing.T) {
	setup()
	if s, err := parseSeeds("3"); err != nil || len(s) != 3 || s[2] != 3 {
		t.Errorf("parseSeeds(3) = %v, %v", s, err)
	}
	if s, err := parseSeeds("2,3"); err != nil || len(s) != 2 || s[0] != 2 {
		t.Errorf("parseSeeds(2,3) = %v, %v", s, err)
	}
	for _, bad := range []string{"0", "x", "1,0"} {
		if _, err := parseSeeds(bad); err == nil {
			t.Errorf("parseSeeds(%q) accepted", bad)
		}
	}
	if _, err := parseOnly("9"); err == nil {
		t.Errorf("--only 9 accepted")
	}
	if n, err := parseOnly(""); err != nil || len(n) != 8 {
		t.Errorf("--only \"\" = %v, %v; want all 8", n, err)
	}
}

func TestPassAtKCurveIsSortedByK(t *testing.T) {
	setup()
	b := &bench{results: map[string]*result{}}
	r := &result{Key: runGRPO.key(1), Evals: []evalPoint{{Step: 0, Values: map[string]float64{"val/pass@16": 0.9, "val/pass@1": 0.2, "val/pass@4": 0.5}}}}
	b.results["grpo-s1"] = r
	ss := passAtKSeries(b, []uint64{1}, runGRPO)
	if len(ss) != 1 || len(ss[0].xs) != 3 || ss[0].xs[0] != 0 || ss[0].xs[2] != 4 || ss[0].ys[2] != 0.9 {
		t.Errorf("pass@k series = %+v", ss)
	}
}
