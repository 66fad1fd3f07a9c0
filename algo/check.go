package algo

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/core/graph"
)

// checkMatrix reports whether x is a rectangular [b, t] matrix of finite numbers. b or t < 0 means
// "take it from x". It returns the dimensions. An empty matrix is an error: every caller needs rows.
func checkMatrix(name string, x [][]float64, b, t int) (int, int, error) {
	if len(x) == 0 {
		return 0, 0, fmt.Errorf("%s: empty, want a [B, T] matrix with B ≥ 1", name)
	}
	if b >= 0 && len(x) != b {
		return 0, 0, fmt.Errorf("%s: %d rows, want %d (B of the other inputs)", name, len(x), b)
	}
	if t < 0 {
		t = len(x[0])
	}
	for i, row := range x {
		if len(row) != t {
			return 0, 0, fmt.Errorf("%s: row %d has %d columns, want %d (T)", name, i, len(row), t)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, 0, fmt.Errorf("%s[%d][%d] = %v: want a finite number", name, i, j, v)
			}
		}
	}
	return len(x), t, nil
}

// checkMask is checkMatrix for a 0/1 mask with at least one valid token.
func checkMask(name string, m [][]float64, b, t int) error {
	if _, _, err := checkMatrix(name, m, b, t); err != nil {
		return err
	}
	n := 0.0
	for i, row := range m {
		for j, v := range row {
			if v != 0 && v != 1 {
				return fmt.Errorf("%s[%d][%d] = %v: a mask holds 0 or 1", name, i, j, v)
			}
			n += v
		}
	}
	if n == 0 {
		return fmt.Errorf("%s: no valid token (all zeros); nothing to train on", name)
	}
	return nil
}

// checkVector reports whether x has n finite entries (n < 0: any non-zero length).
func checkVector(name string, x []float64, n int) error {
	if len(x) == 0 {
		return fmt.Errorf("%s: empty", name)
	}
	if n >= 0 && len(x) != n {
		return fmt.Errorf("%s: %d entries, want %d (B of the other inputs)", name, len(x), n)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s[%d] = %v: want a finite number", name, i, v)
		}
	}
	return nil
}

// CheckInputs reports, as an error naming the field, why in cannot be given to a loss with
// requirements req: LogProb or Mask missing, a required optional node missing (RefLogProb for
// req.Ref, ...), a [B, T] node whose shape differs from LogProb's, a [B] node (LogZ, Demo) of the
// wrong length, a count that is not a scalar, or dtypes that differ. It never panics.
func CheckInputs(in LossInputs, req Requirements) error {
	if in.LogProb == nil {
		return fmt.Errorf("loss inputs: LogProb is nil; every loss needs [B, T] log-probs")
	}
	if in.LogProb.Rank() != 2 {
		return fmt.Errorf("loss inputs: LogProb has shape %s, want rank 2 [B, T]", in.LogProb.Shape())
	}
	if !in.LogProb.DType().IsFloat() {
		return fmt.Errorf("loss inputs: LogProb has dtype %s, want a float dtype", in.LogProb.DType())
	}
	bt := in.LogProb.Shape()
	b := bt.Dimensions[0]
	type field struct {
		name     string
		node     *graph.Node
		required bool
		rank     int
	}
	fields := []field{
		{"Mask", in.Mask, true, 2},
		{"OldLogProb", in.OldLogProb, false, 2},
		{"Advantages", in.Advantages, false, 2},
		{"RefLogProb", in.RefLogProb, req.Ref, 2},
		{"Entropy", in.Entropy, req.Entropy, 2},
		{"LogZ", in.LogZ, req.LogZ, 1},
		{"Values", in.Values, req.Values, 2},
		{"OldValues", in.OldValues, req.Values, 2},
		{"Returns", in.Returns, req.Values, 2},
		{"Demo", in.Demo, req.Demo, 1},
		{"Noise", in.Noise, false, 2},
		{"TokenCount", in.TokenCount, false, 0},
		{"SeqCount", in.SeqCount, false, 0},
		{"MicroFraction", in.MicroFraction, false, 0},
		{"DemoTokenCount", in.DemoTokenCount, false, 0},
	}
	for _, f := range fields {
		if f.node == nil {
			if f.required {
				return fmt.Errorf("loss inputs: %s is nil but the loss requires it", f.name)
			}
			continue
		}
		if f.node.DType() != in.LogProb.DType() {
			return fmt.Errorf("loss inputs: %s has dtype %s, want %s (LogProb's)", f.name, f.node.DType(), in.LogProb.DType())
		}
		switch f.rank {
		case 2:
			if !f.node.Shape().Equal(bt) {
				return fmt.Errorf("loss inputs: %s has shape %s, want %s (LogProb's [B, T])", f.name, f.node.Shape(), bt)
			}
		case 1:
			if f.node.Rank() != 1 || f.node.Shape().Dimensions[0] != b {
				return fmt.Errorf("loss inputs: %s has shape %s, want [%d] (one per row)", f.name, f.node.Shape(), b)
			}
		case 0:
			if !f.node.IsScalar() {
				return fmt.Errorf("loss inputs: %s has shape %s, want a scalar", f.name, f.node.Shape())
			}
		}
	}
	return nil
}

// mustCheck panics with the CheckInputs error; Build methods call it first (see the Build contract
// in loss.go).
func mustCheck(in LossInputs, req Requirements, need ...string) {
	if err := CheckInputs(in, req); err != nil {
		panic(err)
	}
	for _, n := range need {
		var node *graph.Node
		switch n {
		case "OldLogProb":
			node = in.OldLogProb
		case "Advantages":
			node = in.Advantages
		}
		if node == nil {
			panic(fmt.Errorf("loss inputs: %s is nil but the loss needs it", n))
		}
	}
}
