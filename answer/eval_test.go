package answer

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand"
	"testing"
)

// randExpr builds a random LaTeX expression over small integers with + - × ÷ ^ and \frac.
func randExpr(r *rand.Rand, depth int) string {
	if depth == 0 || r.Intn(3) == 0 {
		return fmt.Sprint(r.Intn(19) - 9)
	}
	a, b := randExpr(r, depth-1), randExpr(r, depth-1)
	switch r.Intn(5) {
	case 0:
		return "(" + a + ")+(" + b + ")"
	case 1:
		return "(" + a + ")-(" + b + ")"
	case 2:
		return "(" + a + ")\\cdot(" + b + ")"
	case 3:
		return "\\frac{" + a + "}{" + b + "}"
	default:
		return "(" + a + ")^{" + fmt.Sprint(r.Intn(4)) + "}"
	}
}

// TestExactArithmeticAgreesWithFloatingPoint is the parity test between the exact rational
// evaluator (the path used for comparisons) and the plain complex floating-point evaluator
// (the obviously-correct reference) on random expressions.
func TestExactArithmeticAgreesWithFloatingPoint(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	checked := 0
	for i := 0; i < 3000; i++ {
		s := randExpr(r, 4)
		n, err := parse(s, newBudget(0))
		if err != nil {
			t.Fatalf("parse(%q): %v", s, err)
		}
		ex, ok := exact(n, newBudget(0))
		fl, fok := numeric(n, env{}, newBudget(0))
		if !ok || !fok || !finite(fl) {
			continue // division by zero
		}
		want, _ := ex.Float64()
		if d := cmplx.Abs(fl - complex(want, 0)); d > 1e-9*math.Max(1, math.Abs(want)) {
			t.Fatalf("%q: exact %s, float %v", s, ex.RatString(), fl)
		}
		checked++
	}
	if checked < 1000 {
		t.Fatalf("only %d expressions had a value", checked)
	}
}
