package answer

import (
	"strings"
	"testing"
	"time"
)

func TestEquivalentJudgesAnswerPairs(t *testing.T) {
	cases := []struct {
		name       string
		gold, pred string
		want       bool
	}{
		{"digit grouping is ignored", "7425000", "7,425,000", true},
		{"a trailing .0 is the same integer", "1000", "1000.0", true},
		{"a leading-dot decimal is read", "0.4", ".4", true},
		{"scientific notation is exact", "900000000000", "9e11", true},
		{"different integers differ even when close", "12000023", "12000024", false},
		{"fraction forms agree", `\frac{10}{9}`, "10/9", true},
		{"dfrac and tfrac are frac", `\dfrac{1}{3}`, `\tfrac13`, true},
		{"a mixed number is a sum", `3\frac{1}{2}`, "7/2", true},
		{"a plain-text mixed number is a sum", "7/2", "3 1/2", true},
		{"a power followed by a fraction is not a mixed number", `\frac{x^2}{2}`, "x^2 1/2", true},
		{"an improper fraction after an integer is not a mixed number", "3", "2 3/2", true},
		{"python powers", "x^2+1", "x**2 + 1", true},
		{"sympy pi", `\frac{\pi}{4}`, "pi/4", true},
		{"huge coefficients do not hide a difference", `x = -\frac{10^{14} L}{7 c^2}`, `x = \frac{10^5 L}{0.007 c^2}`, false},
		{"tiny values are not equal because they are small", "2.88e-19", `2.89e-19\ \text{J}`, false},
		{"a unit written after a number is dropped", "2.88e-19", `2.88e-19\ \text{J}`, true},
		{"degrees inside a trig argument are radians", `\cos x`, `\sin(90^\circ - x)`, true},
		{"a named function is its right side", "y = 2x + 3", "f(x) = 2x + 3", true},
		{"a system of solutions is order free", `p = 5, q = 2 \text{ and } p = 7, q = 2`, "p=7,q=2;p=5,q=2", true},
		{"a nested list is a matrix", `\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix}`, "[[1, 2], [3, 4]]", true},
		{"a wrong numerator is rejected", `\frac{13}{18}`, `\frac{14}{18}`, false},
		{"a decimal matches its fraction", `\frac{1}{12}`, "0.0833333333333333", true},
		{"a rounded decimal with three digits matches", `\frac{70}{9}`, "7.78", true},
		{"a badly rounded decimal is rejected", `\frac{70}{9}`, "7.77", false},
		{"stacked minus signs cancel (fuzz: once a crash)", `\frac{70}{9}`, "--7.78", true},
		{"three minus signs negate", `-\frac{70}{9}`, "---7.78", true},
		{"stacked minus signs on a wrong value", "0", "----.1", false},
		{"roots simplify numerically", `\sqrt{117}`, `3\sqrt{13}`, true},
		{"cube roots and fractional powers agree", `\frac{1}{3\sqrt[3]{x}^2}`, `\frac{1}{3x^{2/3}}`, true},
		{"trig identities hold", `\tan^2(y)+1`, `\sec^2(y)`, true},
		{"symbolic sums are order free", `\frac{x+2}{7}`, `\frac{x}{7}+\frac{2}{7}`, true},
		{"different polynomials differ", "x+2n+1", "x+1", false},
		{"pi multiples agree", `\frac{9}{4}\pi`, `\frac94\pi`, true},
		{"degrees are stripped", `90^\circ`, "90", true},
		{"units are stripped", "125", `125\text{ miles}`, true},
		{"a percent matches its number", `28\%`, "28", true},
		{"x = prefix is dropped", "1/3", "k = 1/3", true},
		{"an equation chain reads its last value", "11", "x = 5+5+1 = 7 = 11", true},
		{"an approximation after the value is ignored", "1/3", `x = 1/3 \approx 0.33`, true},
		{"an equation with an expression on the left is not a value", "7 = 11a+c", "11a+c", false},
		{"equations equal up to a scalar", "2x+4y-3=0", `y=-\frac{1}{2}x+\frac{3}{4}`, true},
		{"inequalities flip consistently", "x < 1", "-x > -1", true},
		{"inequalities in the other direction differ", "x < 1", "x > -1", false},
		{"a double inequality is an interval", `-2 \le x \le 7`, `x \in [-2,7]`, true},
		{"intervals compare brackets", "[0,1)", "(0,1)", false},
		{"intervals with infinity", `(1, +\infty)`, `(1, \infty)`, true},
		{"unions are order free", `(-\infty,-3] \cup [2,\infty)`, `[2,\infty) \cup (-\infty,-3]`, true},
		{"sets are order free", `\{1,2,3\}`, `\{3,1,2\}`, true},
		{"sets of different size differ", `\{1,2\}`, `\{1,2,3\}`, false},
		{"tuples are ordered", "(1,2)", "(2,1)", false},
		{"a bare list is order free", "-2,1", "1,-2", true},
		{"plus-minus is a set of two", `\pm 2021`, "{-2021, 2021}", true},
		{"plus-minus is not one value", `\pm 2021`, "2021", false},
		{"plus-minus expressions", `1 \pm \sqrt{19}`, `1 \pm \sqrt{19}`, true},
		{"matrices compare entrywise", `\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix}`, `\left[\begin{array}{cc}1 & 2 \\ 3 & 4\end{array}\right]`, true},
		{"different matrices differ", `\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix}`, `\begin{pmatrix}1 & 2 \\ 3 & 5\end{pmatrix}`, false},
		{"matrix sums are evaluated", `\begin{pmatrix}6 & 8 \\ 10 & 12\end{pmatrix}`, `\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix} + \begin{pmatrix}5 & 6 \\ 7 & 8\end{pmatrix}`, true},
		{"text answers ignore markup", `\text{Evelyn}`, "Evelyn", true},
		{"multiple-choice letters ignore parentheses", `\text{C}`, `\text{(C)}`, true},
		{"different letters differ", "d", `\text{E}`, false},
		{"a choice with its value is its letter", "B", `\textbf{(B)}\ 5`, true},
		{"a wrong choice with its value is wrong", "B", `(C) 5`, false},
		{"degrees inside trigonometric functions", `\frac{\sqrt{3}}{2}`, `\sin 60^\circ`, true},
		{"base subscripts convert", "54", "204_5", true},
		{"a long text gold is compared as text", "The midpoints form a regular hexagon", `\text{The midpoints form a regular hexagon}`, true},
		{"complex numbers", "-2 + 7i", "7i - 2", true},
		{"ratios", "11:21", "V_1:V_2=11:21", true},
		{"a glued or separates answers", `W(n) = 1 \text{ and } W(n) = -1`, "W(x)=1orW(x)=-1", true},
		{"function values differ by argument", "f(2)", "f(3)", false},
		{"a function of zero is not zero", "0", "I(0)", false},
		{"named tuples", "(p,q)=(3,2)", "(3,2)", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := Equivalent(c.gold, c.pred, DefaultOptions())
			if v.Status != StatusOK || v.Correct != c.want {
				t.Fatalf("Equivalent(%q, %q) = %+v, want correct=%v", c.gold, c.pred, v, c.want)
			}
		})
	}
}

func TestPercentAsDecimalIsAnOption(t *testing.T) {
	opt := DefaultOptions()
	if v := Equivalent(`28\%`, "0.28", opt); v.Correct {
		t.Fatalf("0.28 accepted for 28%% without PercentAsDecimal: %+v", v)
	}
	opt.PercentAsDecimal = true
	if v := Equivalent(`28\%`, "0.28", opt); !v.Correct {
		t.Fatalf("0.28 rejected for 28%% with PercentAsDecimal: %+v", v)
	}
}

func TestToleranceIsConfigurable(t *testing.T) {
	opt := DefaultOptions()
	if v := Equivalent(`\sqrt{2}`, "1.41421", opt); v.Correct != true {
		t.Fatalf("a correctly rounded sqrt 2 was rejected: %+v", v)
	}
	opt.RoundingMatch = false
	opt.Tolerance = 1e-9
	if v := Equivalent(`\sqrt{2}`, "1.41421", opt); v.Correct {
		t.Fatalf("1.41421 accepted for sqrt 2 at tolerance 1e-9: %+v", v)
	}
}

func TestExtractFindsTheFinalAnswer(t *testing.T) {
	cases := []struct{ name, response, want string }{
		{"the last box wins", `first \boxed{1} then \boxed{2}`, "2"},
		{"nested braces stay balanced", `so $\boxed{\frac{1}{\sqrt{2}}}$.`, `\frac{1}{\sqrt{2}}`},
		{"fbox counts as a box", `\fbox{7}`, "7"},
		{"boxes joined by and are one answer", `\boxed{1} and \boxed{2}`, "1, 2"},
		{"boxes far apart are not joined", `\boxed{1} no no no no no \boxed{2}`, "2"},
		{"the answer is", "We compute things. The answer is 42.", "42"},
		{"GSM8K hashes", "She has 3 + 4 = 7 apples.\n#### 7", "7"},
		{"final answer is beats earlier boxes", `\boxed{200} ... Final Answer: The final answer is $10,455$. I hope it is correct.`, "10,455"},
		{"a math segment", "Therefore $x \\geq 5$ is the solution.", `x \geq 5`},
		{"the last number of prose", "so the number is 10 which is 1,000.99m", "1,000.99"},
		{"a bare answer is itself", `\frac{1}{2}`, `\frac{1}{2}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := Extract(c.response)
			if !ok || got != c.want {
				t.Fatalf("Extract(%q) = %q, %v; want %q", c.response, got, ok, c.want)
			}
		})
	}
	if _, ok := Extract("   "); ok {
		t.Fatal("Extract found an answer in blank text")
	}
}

func TestExtractAllListsBoxesInOrder(t *testing.T) {
	got := ExtractAll(`a \boxed{1} b \boxed{x^{2}} c \fbox{3}`)
	want := []string{"1", "x^{2}", "3"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("ExtractAll = %q, want %q", got, want)
	}
}

func TestStrictModeIsJustRLsStringCheck(t *testing.T) {
	opt := DefaultOptions()
	opt.Strict = true
	long := strings.Repeat("x", 400)
	cases := []struct {
		name, gold, response string
		correct              bool
		status               Status
	}{
		{"an identical box is correct", "42", long + `\boxed{42}`, true, StatusOK},
		{"equivalent but different text is wrong", "0.5", long + `\boxed{\frac{1}{2}}`, false, StatusOK},
		{"a box before the last 100 characters is not seen", "42", `\boxed{42}` + strings.Repeat(" ", 150), false, StatusUnparsable},
		{"no box is unparsable", "42", "the answer is 42", false, StatusUnparsable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := Verify(c.gold, c.response, opt)
			if v.Correct != c.correct || v.Status != c.status {
				t.Fatalf("Verify = %+v, want correct=%v status=%s", v, c.correct, c.status)
			}
		})
	}
}

func TestNormalizeGivesOneKeyPerValue(t *testing.T) {
	for _, group := range [][]string{
		{`\frac{1}{2}`, "0.5", "1/2", `\boxed{\dfrac12}`},
		{"1000", "1,000", "1000.0"},
	} {
		want := Normalize(group[0])
		for _, s := range group[1:] {
			if got := Normalize(s); got != want {
				t.Errorf("Normalize(%q) = %q, want %q (as for %q)", s, got, want, group[0])
			}
		}
	}
}

func TestHostileInputsEndQuicklyWithAStatus(t *testing.T) {
	cases := []struct{ name, gold, pred string }{
		{"a huge power", "1", "2^{2^{2^{2^{2^{2^{2^{2}}}}}}}"},
		{"a huge factorial", "1", "100000000!"},
		{"deep nesting", "1", strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000)},
		{"a very long sum", "1", strings.Repeat("x+", 20000) + "1"},
		{"a very long response", "1", strings.Repeat("word ", 100000) + `\boxed{1}`},
		{"unbalanced braces", "1", `\boxed{\frac{1}{`},
		{"many boxes", "1", strings.Repeat(`\boxed{1} and `, 5000)},
		{"a huge exponent literal", "1", "1e999999999"},
		{"unmatched math openers", "1", strings.Repeat(`\( $$ \[ $`, 15000)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opt := DefaultOptions()
			opt.Deadline = 200 * time.Millisecond
			start := time.Now()
			v := Verify(c.gold, c.pred, opt)
			if d := time.Since(start); d > 3*time.Second { // deadline 200ms; slack for loaded machines
				t.Fatalf("took %v", d)
			}
			switch v.Status {
			case StatusOK, StatusUnparsable, StatusTimeout:
			default:
				t.Fatalf("status %q: %+v", v.Status, v)
			}
		})
	}
}
