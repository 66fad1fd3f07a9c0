package stats

import (
	"strings"
	"testing"
)

func TestParseFormula(t *testing.T) {
	cases := []struct {
		in        string
		resp      string
		terms     string
		intercept bool
		bad       bool
	}{
		{in: "y ~ x", resp: "y", terms: "x", intercept: true},
		{in: "y ~ x1 + x2 + group", resp: "y", terms: "x1,x2,group", intercept: true},
		{in: "y ~ x - 1", resp: "y", terms: "x", intercept: false},
		{in: "y ~ 0 + x", resp: "y", terms: "x", intercept: false},
		{in: "y x", bad: true},
		{in: " ~ x", bad: true},
		{in: "y ~ x - z", bad: true},
	}
	for _, c := range cases {
		resp, terms, icpt, err := ParseFormula(c.in)
		if (err != nil) != c.bad {
			t.Errorf("%q: err %v", c.in, err)
			continue
		}
		if !c.bad && (resp != c.resp || strings.Join(terms, ",") != c.terms || icpt != c.intercept) {
			t.Errorf("%q: %q %v %v", c.in, resp, terms, icpt)
		}
	}
}

func FuzzParseFormula(f *testing.F) {
	f.Add("y ~ a + b - 1")
	f.Fuzz(func(t *testing.T, s string) {
		resp, terms, _, err := ParseFormula(s)
		if err != nil {
			return
		}
		if resp == "" {
			t.Fatal("empty response accepted")
		}
		for _, term := range terms {
			if term == "" || strings.HasPrefix(term, "-") {
				t.Fatalf("bad term %q", term)
			}
		}
	})
}

func TestPAdjustHochbergAndUnknownMethods(t *testing.T) {
	q, err := PAdjust([]float64{0.03, 0.01, 0.05, 0.04, 0.02}, "hochberg")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range q {
		if v != 0.05 {
			t.Fatalf("hochberg %v, want all 0.05", q)
		}
	}
	if _, err := PAdjust([]float64{0.1}, "fdr2"); err == nil || !strings.Contains(err.Error(), "hochberg") {
		t.Fatalf("want an error listing the methods, got %v", err)
	}
}
