package algo

import (
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

var (
	backendOnce sync.Once
	backendVal  compute.Backend
	backendErr  error
)

// testBackend is the pure-Go GoMLX backend shared by the tests.
func testBackend(t testing.TB) compute.Backend {
	t.Helper()
	backendOnce.Do(func() { backendVal, backendErr = gobackend.New("") })
	if backendErr != nil {
		t.Fatalf("gobackend.New: %v", backendErr)
	}
	return backendVal
}

// flat is an evaluated graph output: row-major data and its dimensions.
type flat struct {
	dims []int
	data []float64
}

// scalar returns the single value of a scalar output.
func (f flat) scalar() float64 { return f.data[0] }

// matrix returns a rank-2 output as [][]float64 (a rank-1 output becomes one row per entry).
func (f flat) matrix() [][]float64 {
	if len(f.dims) == 1 {
		out := make([][]float64, f.dims[0])
		for i := range out {
			out[i] = []float64{f.data[i]}
		}
		return out
	}
	b, t := f.dims[0], f.dims[1]
	out := newMatrix(b, t)
	for i := 0; i < b; i++ {
		copy(out[i], f.data[i*t:(i+1)*t])
	}
	return out
}

// runGraph evaluates fn in float64 on the named inputs ([][]float64, []float64 or float64 values).
// fn returns named outputs; each output is converted to float64. Graph-construction panics come back
// as errors (graph.Exec.Call recovers them).
func runGraph(t testing.TB, in map[string]any, fn func(g *Graph, x map[string]*Node) map[string]*Node) (map[string]flat, error) {
	t.Helper()
	names := make([]string, 0, len(in))
	for n := range in {
		names = append(names, n)
	}
	sort.Strings(names)
	args := make([]any, len(names))
	for i, n := range names {
		switch v := in[n].(type) {
		case float64:
			args[i] = tensors.FromScalar(v)
		case float32:
			args[i] = tensors.FromScalar(v)
		default:
			tt, err := tensors.FromAnyValue(v)
			if err != nil {
				return nil, fmt.Errorf("input %s: %w", n, err)
			}
			args[i] = tt
		}
	}
	var outNames []string
	exec, err := NewExec(testBackend(t), func(g *Graph, xs []*Node) []*Node {
		m := make(map[string]*Node, len(xs))
		for i, n := range names {
			m[n] = xs[i]
		}
		outs := fn(g, m)
		outNames = outNames[:0]
		for n := range outs {
			outNames = append(outNames, n)
		}
		sort.Strings(outNames)
		nodes := make([]*Node, len(outNames))
		for i, n := range outNames {
			nodes[i] = ConvertDType(outs[n], dtypes.Float64)
		}
		return nodes
	})
	if err != nil {
		return nil, err
	}
	res, err := exec.Call(args...)
	if err != nil {
		return nil, err
	}
	out := make(map[string]flat, len(res))
	for i, r := range res {
		data, err := tensors.CopyFlatData[float64](r)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", outNames[i], err)
		}
		out[outNames[i]] = flat{dims: r.Shape().Dimensions, data: data}
	}
	return out, nil
}

// lossGraph evaluates loss.Build on a BatchRef in float64 and returns the loss, its gradients with
// respect to LogProb (and LogZ when present) and every metric, keyed "loss", "grad_log_prob",
// "grad_log_z", and the metric names.
func lossGraph(t testing.TB, loss Loss, b BatchRef) (map[string]flat, error) {
	return lossGraphGrad(t, loss, b, true)
}

// lossGraphGrad is lossGraph with the gradients optional (a value loss does not read LogProb).
func lossGraphGrad(t testing.TB, loss Loss, b BatchRef, withGrad bool) (map[string]flat, error) {
	return lossGraphMicro(t, loss, b, withGrad, nil)
}

// miniCounts are whole-mini-batch denominators handed to one micro-batch.
type miniCounts struct {
	Tokens, Seqs, Fraction, DemoTokens float64
}

// lossGraphMicro is lossGraphGrad for a micro-batch of a larger mini-batch (counts != nil).
func lossGraphMicro(t testing.TB, loss Loss, b BatchRef, withGrad bool, counts *miniCounts) (map[string]flat, error) {
	return lossGraphDType(t, loss, b, withGrad, counts, false)
}

// lossGraphDType is lossGraphMicro with the option of float32 inputs (what the engine uses).
func lossGraphDType(t testing.TB, loss Loss, b BatchRef, withGrad bool, counts *miniCounts, f32 bool) (map[string]flat, error) {
	t.Helper()
	in := map[string]any{"log_prob": b.LogProb, "mask": b.Mask}
	opt := map[string][][]float64{"old_log_prob": b.OldLogProb, "ref_log_prob": b.RefLogProb, "advantages": b.Advantages,
		"entropy": b.Entropy, "values": b.Values, "old_values": b.OldValues, "returns": b.Returns, "noise": b.Noise}
	for k, v := range opt {
		if v != nil {
			in[k] = v
		}
	}
	if b.LogZ != nil {
		in["log_z"] = b.LogZ
	}
	if b.Demo != nil {
		in["demo"] = b.Demo
	}
	if counts != nil {
		in["n_tokens"], in["n_seqs"], in["fraction"], in["n_demo"] = counts.Tokens, counts.Seqs, counts.Fraction, counts.DemoTokens
	}
	if f32 {
		for k, v := range in {
			in[k] = toFloat32(v)
		}
	}
	return runGraph(t, in, func(g *Graph, x map[string]*Node) map[string]*Node {
		li := LossInputs{LogProb: x["log_prob"], Mask: x["mask"], OldLogProb: x["old_log_prob"], RefLogProb: x["ref_log_prob"],
			Advantages: x["advantages"], Entropy: x["entropy"], Values: x["values"], OldValues: x["old_values"],
			Returns: x["returns"], Noise: x["noise"], LogZ: x["log_z"], Demo: x["demo"],
			TokenCount: x["n_tokens"], SeqCount: x["n_seqs"], MicroFraction: x["fraction"], DemoTokenCount: x["n_demo"]}
		o := loss.Build(li)
		outs := map[string]*Node{"loss": o.Loss}
		for k, v := range o.Metrics {
			outs[k] = v
		}
		if !withGrad {
			return outs
		}
		wrt := []*Node{li.LogProb}
		if li.LogZ != nil {
			wrt = append(wrt, li.LogZ)
		}
		grads := Gradient(o.Loss, wrt...)
		outs["grad_log_prob"] = grads[0]
		if li.LogZ != nil {
			outs["grad_log_z"] = grads[1]
		}
		return outs
	})
}

// toFloat32 converts float64 scalars, vectors and matrices to float32.
func toFloat32(v any) any {
	switch x := v.(type) {
	case float64:
		return float32(x)
	case []float64:
		out := make([]float32, len(x))
		for i, e := range x {
			out[i] = float32(e)
		}
		return out
	case [][]float64:
		out := make([][]float32, len(x))
		for i, row := range x {
			out[i] = toFloat32(row).([]float32)
		}
		return out
	}
	return v
}
