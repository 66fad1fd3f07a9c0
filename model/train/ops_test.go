package train

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestElementwiseKernelsMatchGo checks every element-wise kernel this CPU runs (AVX-512, AVX2 or
// plain Go; see Kernels) against its plain-Go form on lengths that leave every kind of tail.
// Kernels that promise the plain-Go rounding (callers split them at arbitrary boundaries) must
// match bit for bit.
func TestElementwiseKernelsMatchGo(t *testing.T) {
	type kernel struct {
		name  string
		exact bool
		// run applies the kernel (fast) or its plain-Go form to copies of the inputs and returns
		// everything it wrote, outputs and returned scalars alike.
		run func(fast bool, in [][]float32, r float32) []float32
	}
	pick := func(fast bool, f, g func()) {
		if fast {
			f()
		} else {
			g()
		}
	}
	out1 := func(fast bool, n int, f, g func(dst []float32)) []float32 {
		dst := make([]float32, n)
		pick(fast, func() { f(dst) }, func() { g(dst) })
		return dst
	}
	kernels := []kernel{
		{"negInto", true, func(fast bool, in [][]float32, _ float32) []float32 {
			return out1(fast, len(in[0]), func(d []float32) { negInto(d, in[0]) }, func(d []float32) { negIntoGo(d, in[0]) })
		}},
		{"swiGLUBack", false, func(fast bool, in [][]float32, _ float32) []float32 {
			n := len(in[0])
			e := make([]float32, n)
			for i, v := range in[2] {
				e[i] = float32(math.Exp(float64(-v)))
			}
			dg, du := make([]float32, n), make([]float32, n)
			pick(fast, func() { swiGLUBack(dg, du, in[0], in[2], in[1], e) }, func() { swiGLUBackGo(dg, du, in[0], in[2], in[1], e) })
			return append(dg, du...)
		}},
		{"sumSquares", false, func(fast bool, in [][]float32, _ float32) []float32 {
			if fast {
				return []float32{sumSquares(in[0])}
			}
			return []float32{sumSquaresGo(in[0])}
		}},
		{"scaleMul", true, func(fast bool, in [][]float32, r float32) []float32 {
			return out1(fast, len(in[0]), func(d []float32) { scaleMul(d, in[0], in[1], r) }, func(d []float32) { scaleMulGo(d, in[0], in[1], r) })
		}},
		{"scaleMax", true, func(fast bool, in [][]float32, r float32) []float32 {
			x := append([]float32(nil), in[0]...)
			var m float32
			pick(fast, func() { m = scaleMax(x, r) }, func() { m = scaleMaxGo(x, r) })
			return append(x, m)
		}},
		{"addScalar", true, func(fast bool, in [][]float32, r float32) []float32 {
			x := append([]float32(nil), in[0]...)
			pick(fast, func() { addScalar(x, r) }, func() { addScalarGo(x, r) })
			return x
		}},
		{"sumOf", false, func(fast bool, in [][]float32, _ float32) []float32 {
			if fast {
				return []float32{sumOf(in[0])}
			}
			return []float32{sumOfGo(in[0])}
		}},
		{"scaleRow", true, func(fast bool, in [][]float32, r float32) []float32 {
			x := append([]float32(nil), in[0]...)
			pick(fast, func() { scaleRow(x, r) }, func() { scaleRowGo(x, r) })
			return x
		}},
		{"dot3", false, func(fast bool, in [][]float32, _ float32) []float32 {
			if fast {
				return []float32{dot3(in[0], in[1], in[2])}
			}
			return []float32{dot3Go(in[0], in[1], in[2])}
		}},
		{"rmsBackRow", true, func(fast bool, in [][]float32, r float32) []float32 {
			dx := append([]float32(nil), in[3]...)
			pick(fast, func() { rmsBackRow(dx, in[0], in[1], in[2], r, 0.3) }, func() { rmsBackRowGo(dx, in[0], in[1], in[2], r, 0.3) })
			return dx
		}},
		{"mulAcc", true, func(fast bool, in [][]float32, r float32) []float32 {
			y := append([]float32(nil), in[3]...)
			pick(fast, func() { mulAcc(y, in[0], in[1], r) }, func() { mulAccGo(y, in[0], in[1], r) })
			return y
		}},
		{"addTo", true, func(fast bool, in [][]float32, _ float32) []float32 {
			y := append([]float32(nil), in[3]...)
			pick(fast, func() { addTo(y, in[0]) }, func() { addToGo(y, in[0]) })
			return y
		}},
		{"softmaxBackRow", false, func(fast bool, in [][]float32, r float32) []float32 {
			d := append([]float32(nil), in[1]...)
			p := in[4]
			pick(fast, func() { softmaxBackRow(p, d, r) }, func() { softmaxBackRowGo(p, d, r) })
			return d
		}},
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for _, n := range []int{0, 1, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 100, 257} {
		in := make([][]float32, 5) // four normal vectors and one of probabilities
		for k := range in {
			in[k] = make([]float32, n)
			for i := range in[k] {
				in[k][i] = float32(rng.NormFloat64())
				if k == 4 {
					in[k][i] = float32(rng.Float64()) / float32(n)
				}
			}
		}
		r := float32(rng.NormFloat64())
		for _, k := range kernels {
			got, want := k.run(true, in, r), k.run(false, in, r)
			if len(got) != len(want) {
				t.Fatalf("%s on %d: %d values, want %d", k.name, n, len(got), len(want))
			}
			for i := range got {
				if k.exact && math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s on %d: value %d = %v, plain Go %v (must be bit-identical)", k.name, n, i, got[i], want[i])
				}
				if d := math.Abs(float64(got[i] - want[i])); d > 1e-5*math.Max(1, math.Abs(float64(want[i]))) {
					t.Fatalf("%s on %d: value %d = %v, plain Go %v", k.name, n, i, got[i], want[i])
				}
			}
		}
	}
}
