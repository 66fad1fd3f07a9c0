package answer

import (
	"testing"
	"time"
)

var fuzzSeeds = []string{
	"", "1", "-5", "7,425,000", `\frac{1}{2}`, `\boxed{\frac{1}{\sqrt{2}}}`, `x \in [-2, 7)`,
	`\{1, 2\} \cup (3, \infty)`, `\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix}`, `1 \pm \sqrt{19}`,
	`28\%`, `x = 5 + 5 = 10`, `\sin^2(x) + \cos^2 x`, `2^{2^{2^{2}}}`, `\text{(C)}`, `204_5`,
	`The answer is $\boxed{3}$. I hope it is correct.`, "#### 72", `\left( 3, \frac{\pi}{2} \right)`,
	`|x| \le 1`, `\sum_{k=0}^{n-1} F_k`, `\sqrt[3]{x}^2`, `((((`, `\frac{`, `}}}}`, `$$$`, `\\\\`,
}

// fuzzCheck asserts the API-boundary contract: a valid status, no panic, within the deadline.
func fuzzCheck(t *testing.T, gold, pred string) {
	opt := DefaultOptions()
	opt.Deadline = 100 * time.Millisecond
	start := time.Now()
	for _, v := range []Verdict{Verify(gold, pred, opt), Equivalent(gold, pred, opt)} {
		switch v.Status {
		case StatusOK, StatusUnparsable, StatusTimeout:
		default:
			t.Fatalf("gold %q pred %q: status %q (%s)", gold, pred, v.Status, v.Detail)
		}
		if v.Correct && v.Status != StatusOK {
			t.Fatalf("correct verdict with status %q", v.Status)
		}
	}
	// Generous bound: the budget stops work at the deadline, but a loaded CI machine can deschedule
	// the goroutine; a hang would take forever, not a second.
	if d := time.Since(start); d > 2*opt.Deadline+2*time.Second {
		t.Fatalf("gold %q pred %q took %v (deadline %v)", gold, pred, d, opt.Deadline)
	}
}

func FuzzEquivalent(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, fuzzSeeds[(i+1)%len(fuzzSeeds)])
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, gold, pred string) {
		fuzzCheck(t, gold, pred)
		if v := Equivalent(pred, pred, DefaultOptions()); v.Status == StatusOK && !v.Correct {
			t.Fatalf("%q is not equivalent to itself: %+v", pred, v)
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		start := time.Now()
		defer func() {
			if d := time.Since(start); d > time.Second {
				t.Fatalf("%q took %v", s, d)
			}
		}()
		bud := newBudget(100 * time.Millisecond)
		func() {
			defer func() {
				if r := recover(); r != nil {
					if _, ok := r.(errBudget); !ok {
						t.Fatalf("parse(%q) panicked: %v", s, r)
					}
				}
			}()
			if n, err := parse(s, bud); err == nil {
				_ = n.String()
			}
		}()
		Normalize(s)
		Extract(s)
		ExtractAll(s)
		StrictExtract(s)
	})
}

var unitSeeds = []string{
	"m", "km/h", `\mathrm{m\,s^{-1}}`, `\text{m}\cdot\text{s}^{-1}`, "m·s⁻¹", `\,\mathrm{J}`, `\text{\AA}`,
	`^{\circ}\mathrm{C}`, `M_{\odot}`, `\frac{GV}{m}`, `W/(m^2 \mathrm{K})`, "g/s^2", `\mu\mathrm{m}`,
	"((((m", "m^{1/2}", "m^{-", "M_{", `\frac{`, "°", "千克", "%", "kg m^2 s^-2", "1/s",
}

// FuzzUnit checks the unit parser and the value/unit splitter: no panic, bounded time, and a
// parsed unit converts to itself as the identity.
func FuzzUnit(f *testing.F) {
	for _, s := range unitSeeds {
		f.Add(s, "5.31")
	}
	f.Add("cm", `5.31\times10^{-9}`)
	f.Add("", "-18")
	f.Fuzz(func(t *testing.T, unit, value string) {
		start := time.Now()
		if u, err := ParseUnit(unit); err == nil {
			if x, err := u.Convert(2.5, u); err != nil || x-2.5 > 1e-9 || 2.5-x > 1e-9 {
				t.Fatalf("%q does not convert to itself: %v %v", unit, x, err)
			}
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					if _, ok := r.(errBudget); !ok {
						t.Fatalf("parseQuantity(%q) panicked: %v", value+" "+unit, r)
					}
				}
			}()
			parseQuantity(value+` \ `+unit, newBudget(100*time.Millisecond))
		}()
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%q %q took %v", unit, value, d)
		}
	})
}

// FuzzPhysics checks multi-box grading: one verdict per gold with a valid status, a score in
// [0, 1], no panic, bounded time.
func FuzzPhysics(f *testing.F) {
	f.Add(`so \boxed{2}\ \mathrm{m} and \boxed{3} s。`, "2", "m", "3")
	f.Add(`\boxed{A, D}`, "A, D", "", "B")
	f.Add(`\boxed{x = 1}\boxed{`, `x = 1`, "", "y > 2")
	f.Add(`\boxed{\boxed{}}}`, "[1, 2]", `$^{\circ}\mathrm{C}$`, "")
	types := []AnswerType{TypeNumerical, TypeExpression, TypeEquation, TypeInequality, TypeChoice}
	f.Fuzz(func(t *testing.T, response, gold1, unit, gold2 string) {
		start := time.Now()
		opt := DefaultOptions()
		opt.Deadline = 100 * time.Millisecond
		golds := []PhysicsGold{
			{Answer: gold1, Unit: unit, Type: types[len(response)%len(types)]},
			{Answer: gold2, Type: types[len(gold2)%len(types)]},
		}
		r := GradePhysics(response, golds, opt)
		if len(r.Verdicts) != 2 || r.Score < 0 || r.Score > 1 {
			t.Fatalf("result %+v", r)
		}
		for _, v := range r.Verdicts {
			switch v.Status {
			case StatusOK, StatusUnparsable, StatusTimeout:
			case StatusError:
				if _, err := goldUnit(unit); err == nil {
					t.Fatalf("error verdict %+v with a known unit", v)
				}
			default:
				t.Fatalf("status %q", v.Status)
			}
			if v.Correct && v.Status != StatusOK {
				t.Fatalf("correct verdict with status %q", v.Status)
			}
		}
		if d := time.Since(start); d > 4*opt.Deadline+2*time.Second {
			t.Fatalf("took %v", d)
		}
	})
}
