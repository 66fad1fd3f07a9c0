package algo

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph"
)

// EntropyFromLogits returns the entropy of softmax(logits) over the last axis: logits [B, T, V] →
// entropy [B, T], H = logsumexp(z) − Σ softmax(z)·z, written as −Σ p·log p with p from LogSoftmax
// (differentiable). Divide logits by the sampling temperature first (verl does, spec §0.1).
func EntropyFromLogits(logits *Node) *Node {
	lsm := LogSoftmax(logits, -1)
	return Neg(ReduceSum(Mul(Exp(lsm), lsm), -1))
}

// GatherLogProbs returns log softmax(logits)[b, t, tokens[b, t]]: logits [B, T, V] (float), tokens
// [B, T] (any integer dtype) → [B, T]. Gradients flow into logits. Token ids must lie in [0, V):
// an out-of-range Gather index crashes the go backend from a worker goroutine, so validate them
// with CheckTokenIDs before building the graph.
func GatherLogProbs(logits, tokens *Node) *Node {
	dims := logits.Shape().Dimensions
	if logits.Rank() != 3 || tokens.Rank() != 2 || tokens.Shape().Dimensions[0] != dims[0] || tokens.Shape().Dimensions[1] != dims[1] {
		panic(fmt.Errorf("GatherLogProbs: logits %s and tokens %s: want [B, T, V] and [B, T]", logits.Shape(), tokens.Shape()))
	}
	b, t := dims[0], dims[1]
	g := logits.Graph()
	lsm := LogSoftmax(logits, -1)
	idx := tokens
	rows := Iota(g, shapes.Make(idx.DType(), b, t), 0)
	cols := Iota(g, shapes.Make(idx.DType(), b, t), 1)
	triples := Stack([]*Node{rows, cols, idx}, -1) // [B, T, 3]
	return Gather(lsm, triples)
}

// CheckTokenIDs reports the first token id outside [0, vocab), naming its position.
func CheckTokenIDs(tokens [][]int32, vocab int) error {
	if vocab <= 0 {
		return fmt.Errorf("token ids: vocab %d: want > 0", vocab)
	}
	for i, row := range tokens {
		for j, id := range row {
			if id < 0 || int(id) >= vocab {
				return fmt.Errorf("token ids: tokens[%d][%d] = %d outside [0, %d)", i, j, id, vocab)
			}
		}
	}
	return nil
}

// EntropyFromLogitsRef is the plain-Go reference of EntropyFromLogits for one row of logits.
func EntropyFromLogitsRef(z []float64) float64 {
	lse := logSumExp(z)
	h := 0.0
	for _, v := range z {
		lp := v - lse
		h -= math.Exp(lp) * lp
	}
	return h
}

// LogProbRef is the plain-Go reference of GatherLogProbs for one position.
func LogProbRef(z []float64, token int) float64 { return z[token] - logSumExp(z) }

// logSumExp is a stable log Σ exp(z).
func logSumExp(z []float64) float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = math.Max(m, v)
	}
	s := 0.0
	for _, v := range z {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}
