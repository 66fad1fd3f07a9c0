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
