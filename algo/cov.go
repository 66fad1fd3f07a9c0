package algo

import (
	"math"
	"sort"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
)

// TokenCovariance is the per-token centred cross-product of spec §4.3 that Clip-Cov and KL-Cov rank
// tokens by:
//
//	Cov_i = (logp_i − mean_j logp_j) · (A_i − mean_j A_j)     (means over valid tokens, verl masked_mean)
//
// Inputs and output are [B, T]; the result is detached (selection only) and zero on padding.
func TokenCovariance(logp, adv, mask *Node) *Node {
	lp := StopGradient(logp)
	n := AddScalar(ReduceAllSum(mask), maskEps)
	mlp := Div(ReduceAllSum(Mul(lp, mask)), n)
	ma := Div(ReduceAllSum(Mul(adv, mask)), n)
	return StopGradient(Mul(Mul(Sub(lp, mlp), Sub(adv, ma)), mask))
}

// TokenCovarianceRef is the plain-Go reference of TokenCovariance.
func TokenCovarianceRef(logp, adv, mask [][]float64) [][]float64 {
	var slp, sa, n float64
	for i := range logp {
		for j := range logp[i] {
			slp += logp[i][j] * mask[i][j]
			sa += adv[i][j] * mask[i][j]
			n += mask[i][j]
		}
	}
	mlp, ma := slp/(n+maskEps), sa/(n+maskEps)
	out := newMatrix(len(logp), len(logp[0]))
	for i := range logp {
		for j := range logp[i] {
			out[i][j] = (logp[i][j] - mlp) * (adv[i][j] - ma) * mask[i][j]
		}
	}
	return out
}

// selectCount returns max(1, floor(ratio · Σ mask)) as a float64 scalar node (computed in float64
// so that float32 rounding cannot move the floor).
func selectCount(mask *Node, ratio float64) *Node {
	n := ReduceAllSum(ConvertDType(mask, dtypes.Float64))
	k := Floor(MulScalar(n, ratio))
	return Max(k, OnesLike(k))
}

// selectTop marks exactly min(k, |eligible|) elements of key [B, T]: the k largest among eligible
// ones, ties broken by lower row-major position (torch.topk picks among ties arbitrarily; this makes
// it deterministic). k is a float64 scalar node ≥ 1. Returns a [B, T] Bool node.
//
// No sort: Sort/TopK run a closure comparator per comparison on the go backend (seconds for 16K
// tokens). Instead two unrolled binary searches, each step one O(N) count: 64 steps over the
// order-preserving int64 image of the float64 keys find the k-th largest key exactly, then
// ⌈log2 N⌉+1 steps over positions pick the lowest-position ties.
func selectTop(key, eligible, k *Node) *Node {
	g := key.Graph()
	dims := key.Shape().Dimensions
	n := dims[0] * dims[1]
	// Order-preserving int64 image of the key: flip the magnitude bits of negative floats.
	kf := AddScalar(ConvertDType(key, dtypes.Float64), 0) // −0 → +0
	bits := Bitcast(kf, dtypes.Int64)
	ord := Where(LessThan(bits, ScalarZero(g, dtypes.Int64)), BitwiseXor(bits, Const(g, int64(math.MaxInt64))), bits)
	ord = Reshape(ord, n)
	elig := Reshape(eligible, n)
	count := func(b *Node) *Node { return ReduceAllSum(ConvertDType(And(b, elig), dtypes.Int64)) }
	kk := ConvertDType(k, dtypes.Int64)

	// lo = min, hi = max + 1 over eligible keys; invariant count(ord ≥ lo) ≥ k > count(ord ≥ hi)
	// (when fewer than k are eligible lo stays at the minimum and every eligible key is selected).
	lo := ReduceAllMin(Where(elig, ord, Const(g, int64(math.MaxInt64))))
	hi := AddScalar(ReduceAllMax(Where(elig, ord, Const(g, int64(math.MinInt64+1)))), 1)
	one := Const(g, int64(1))
	for range 64 {
		mid := Add(Add(BitwiseShiftRightArithmeticScalar(lo, 1), BitwiseShiftRightArithmeticScalar(hi, 1)),
			BitwiseAnd(BitwiseAnd(lo, hi), one))
		ok := GreaterOrEqual(count(GreaterOrEqual(ord, mid)), kk)
		lo = Where(ok, mid, lo)
		hi = Where(ok, hi, mid)
	}
	gt := And(GreaterThan(ord, lo), elig)
	eq := And(Equal(ord, lo), elig)
	need := Sub(kk, count(gt)) // ties to take, ≤ count(eq)

	// Smallest position J with count(eq ∧ pos ≤ J) ≥ need; then exactly `need` ties have pos ≤ J.
	pos := Iota(g, shapes.Make(dtypes.Int64, n), 0)
	jlo, jhi := Const(g, int64(-2)), Const(g, int64(n-1))
	for steps := bits64Len(n+2) + 1; steps > 0; steps-- {
		mid := BitwiseShiftRightArithmeticScalar(Add(jlo, jhi), 1)
		ok := GreaterOrEqual(count(And(eq, LessOrEqual(pos, mid))), need)
		jhi = Where(ok, mid, jhi)
		jlo = Where(ok, jlo, mid)
	}
	sel := Or(gt, And(eq, LessOrEqual(pos, jhi)))
	return Reshape(sel, dims...)
}

// bits64Len is the number of bits needed to represent n.
func bits64Len(n int) int {
	b := 0
	for ; n > 0; n >>= 1 {
		b++
	}
	return b
}

// selectTopRef is the plain-Go reference of selectTop.
func selectTopRef(key [][]float64, eligible [][]bool, k int) [][]bool {
	type item struct {
		key float64
		pos int
	}
	t := len(key[0])
	var items []item
	for i := range key {
		for j := range key[i] {
			if eligible[i][j] {
				items = append(items, item{key[i][j], i*t + j})
			}
		}
	}
	sort.SliceStable(items, func(a, b int) bool {
		if items[a].key != items[b].key {
			return items[a].key > items[b].key
		}
		return items[a].pos < items[b].pos
	})
	out := make([][]bool, len(key))
	for i := range out {
		out[i] = make([]bool, t)
	}
	for n, it := range items {
		if n >= k {
			break
		}
		out[it.pos/t][it.pos%t] = true
	}
	return out
}

// boolToFloat converts a Bool node to mask's dtype.
func boolToFloat(b, like *Node) *Node { return ConvertDType(b, like.DType()) }

// validOf is mask > 0 as Bool.
func validOf(mask *Node) *Node { return GreaterThan(mask, ZerosLike(mask)) }

// shapeLike is a rank-1 shape of n elements with x's dtype.
func shapeLike(x *Node, n int) shapes.Shape { return shapes.Make(x.DType(), n) }
