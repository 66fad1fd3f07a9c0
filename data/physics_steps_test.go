package data

import (
	"strings"
	"testing"
)

func TestWorkedCalc(t *testing.T) {
	cases := []struct {
		calc, want, err string
	}{
		{"2+4*3", "2+4*3=2+12=14", ""},
		{"(2+14)*3/2", "(2+14)*3/2=16*3/2=48/2=24", ""},
		{"20/(3+2)", "20/(3+2)=20/5=4", ""},
		{"3*10*45", "3*10*45=30*45=1350", ""},
		{"(20*45)**(1/2)", "(20*45)**(1/2)=900**(1/2)=30", ""},
		{"7", "7", ""},
		{"(20*7)**(1/2)", "", "no integer square root"},
		{"7/2", "", "not a non-negative integer"},
		{"2-5", "", "not a non-negative integer"},
		{"4/(2-2)", "", "division by zero"},
		{"2+", "", "calculation \"2+\""},
	}
	for _, c := range cases {
		got, err := workedCalc(c.calc)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("workedCalc(%q) = %q, %v; want an error containing %q", c.calc, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("workedCalc(%q) = %q, %v; want %q", c.calc, got, err, c.want)
		}
	}
}

// Every link of every demonstration's working is equal to the answer it ends in: the chain
// "v=2+4*3=2+12=14" teaches one operation at a time and never a wrong step.
func TestPhysicsDemonstrationLinksAreEqual(t *testing.T) {
	for level := 1; level <= 4; level++ {
		task, err := NewTask("physics", level, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 300 {
			ex, err := task.Generate(11, SplitTrain, i)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(ex.Demonstration, "\n") {
				work, _, ok := strings.Cut(line, ` \boxed{`)
				if !ok {
					t.Fatalf("%s: line %q has no box", ex.ID, line)
				}
				links := strings.Split(work, "=")[1:] // drop the answer's name
				want := links[len(links)-1]
				for _, l := range links {
					expr, sqrt := strings.CutSuffix(l, sqrtSuffix)
					v, err := EvalExpr(expr)
					if err != nil {
						t.Fatalf("%s: link %q of %q: %v", ex.ID, l, line, err)
					}
					got := v.RatString()
					if sqrt {
						got = itoa(isqrt(t, v.Num().Int64()))
					}
					if got != want {
						t.Fatalf("%s: link %q of %q is %s, want %s", ex.ID, l, line, got, want)
					}
				}
				if !strings.HasPrefix(line[len(work):], ` \boxed{`+want+`}`) {
					t.Fatalf("%s: %q boxes something other than %s", ex.ID, line, want)
				}
			}
		}
	}
}

// isqrt is the exact integer square root of n, by search (a slow obvious reference).
func isqrt(t *testing.T, n int64) int {
	for r := int64(0); r*r <= n; r++ {
		if r*r == n {
			return int(r)
		}
	}
	t.Fatalf("%d is not a perfect square", n)
	return 0
}
