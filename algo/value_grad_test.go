package algo

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/core/graph"
)

// The critic is trained through the value loss's gradient with respect to Values; the conformance
// vectors only check d/d log_prob, so this test checks d/d values against finite differences of
// the plain-Go reference.
func TestValueLossGradientMatchesFiniteDifferences(t *testing.T) {
	vl, err := NewValueLoss(0.5, Aggregation{Mode: TokenMean})
	if err != nil {
		t.Fatal(err)
	}
	values := [][]float64{{0.1, 0.9, -0.3}, {1.4, 0.2, 0.0}}
	old := [][]float64{{0.0, 0.2, -0.2}, {0.5, 0.3, 0.0}}
	returns := [][]float64{{1.0, 1.0, 1.0}, {-1.0, 0.5, 0.0}}
	mask := [][]float64{{1, 1, 1}, {1, 1, 0}}
	ref := func(v [][]float64) float64 {
		r, err := vl.Reference(BatchRef{LogProb: v, Values: v, OldValues: old, Returns: returns, Mask: mask})
		if err != nil {
			t.Fatal(err)
		}
		return r.Loss
	}
	e := MustNewExec(testBackend(t), func(v, o, r, m *Node) (*Node, *Node) {
		g := v.Graph()
		out := vl.Build(LossInputs{LogProb: v, Values: v, OldValues: o, Returns: r, Mask: m,
			TokenCount: Const(g, 5.0), SeqCount: Const(g, 2.0), MicroFraction: Const(g, 1.0)})
		return out.Loss, Gradient(out.Loss, v)[0]
	})
	res := e.MustCall(values, old, returns, mask)
	if got, want := res[0].Value().(float64), ref(values); math.Abs(got-want) > 1e-9 {
		t.Fatalf("loss %v, reference %v", got, want)
	}
	grad := res[1].Value().([][]float64)
	const h = 1e-6
	for i := range values {
		for j := range values[i] {
			up, down := clone2(values), clone2(values)
			up[i][j] += h
			down[i][j] -= h
			num := (ref(up) - ref(down)) / (2 * h)
			if math.Abs(grad[i][j]-num) > 1e-6 {
				t.Errorf("d loss / d values[%d][%d] = %v, finite difference %v", i, j, grad[i][j], num)
			}
		}
	}
}

func clone2(x [][]float64) [][]float64 {
	out := make([][]float64, len(x))
	for i := range x {
		out[i] = append([]float64(nil), x[i]...)
	}
	return out
}
