package stats

import (
	"math"
	"strings"
	"testing"
)

func TestLookupOfAnUnknownToolListsTheKnownOnes(t *testing.T) {
	_, err := Lookup("t_test")
	if err == nil || !strings.Contains(err.Error(), "welch_t") || !strings.Contains(err.Error(), "cox") {
		t.Fatalf("want an error listing the tools, got %v", err)
	}
}

func TestEveryToolAgreesWithItsRoutine(t *testing.T) {
	x := []float64{5.1, 4.9, 6.2, 5.8, 6.0, 5.5, 7.1, 6.8, 7.4, 6.9, math.NaN(), 7.7}
	y := []float64{1.2, 1.0, 2.1, 1.9, 2.2, 1.4, 3.0, 2.6, 2.9, 3.1, 2.0, 3.3}
	g := []string{"a", "a", "a", "a", "a", "a", "b", "b", "b", "b", "b", "b"}
	g2 := []string{"u", "v", "u", "u", "v", "u", "v", "v", "u", "v", "v", "v"}
	tm := []float64{5, 8, 12, 3, 9, 15, 2, 4, 6, 1, 7, 3}
	st := []int{1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1}
	clean := func(v []float64) []float64 { return append(append([]float64{}, v[:10]...), v[11]) }
	tt, _ := TTest(x[:6], clean(x)[6:], false)
	pr, _ := Pearson(clean(x), clean(y))
	cases := []struct {
		name  string
		args  Args
		wantP float64 // NaN: only check that it runs with a p in [0, 1]
	}{
		{"welch_t", Args{X: x, Group: g, Levels: [2]string{"a", "b"}}, tt.P},
		{"student_t", Args{X: x, Group: g, Levels: [2]string{"a", "b"}}, math.NaN()},
		{"mann_whitney", Args{X: x, Group: g, Levels: [2]string{"a", "b"}}, math.NaN()},
		{"kruskal", Args{X: x, Group: g}, math.NaN()},
		{"pearson", Args{X: x, Y: y}, pr.P},
		{"spearman", Args{X: x, Y: y}, math.NaN()},
		{"chisq", Args{Group: g, Group2: g2}, math.NaN()},
		{"fisher", Args{Group: g, Group2: g2}, math.NaN()},
		{"cox", Args{X: x, Time: tm, Status: st}, math.NaN()},
		{"logrank", Args{Group: g, Time: tm, Status: st, Levels: [2]string{"b", "a"}}, math.NaN()},
		{"ols", Args{X: x, Y: y}, pr.P},
	}
	if len(cases) != len(Names()) {
		t.Fatalf("test covers %d tools, registry has %v", len(cases), Names())
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tool, err := Lookup(c.name)
			if err != nil {
				t.Fatal(err)
			}
			o, err := tool.Run(c.args)
			if err != nil {
				t.Fatal(err)
			}
			if !(o.P >= 0 && o.P <= 1) || o.N == 0 || o.Test != c.name {
				t.Fatalf("bad outcome %+v", o)
			}
			if !math.IsNaN(c.wantP) && math.Abs(o.P-c.wantP) > 1e-12*c.wantP {
				t.Fatalf("p %v, routine says %v", o.P, c.wantP)
			}
		})
	}
}

func TestToolsRejectMissingInputs(t *testing.T) {
	for _, name := range Names() {
		tool, _ := Lookup(name)
		if _, err := tool.Run(Args{}); err == nil {
			t.Errorf("%s ran on empty Args", name)
		}
	}
}

func TestBadSurvivalInputNamesTheObservation(t *testing.T) {
	_, err := CoxPH([]float64{1, -2, 3}, []int{1, 0, 1}, [][]float64{{1, 2, 3}}, []string{"x"}, CoxOptions{})
	if err == nil || !strings.Contains(err.Error(), "observation 2") {
		t.Fatalf("want an error naming observation 2, got %v", err)
	}
}
