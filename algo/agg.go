package algo

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph"
)

// AggMode names how a per-token loss matrix ℓ[b,t] becomes a scalar (verl's agg_loss, spec §0.3).
type AggMode string

// The four aggregation modes of verl.
const (
	// TokenMean is Σ_{b,t} ℓ·m / Σ_{b,t} m: every token weighs the same, so long responses weigh
	// more (DAPO's "token-level loss"; verl's default; JustRL, Entropy-Mechanism, TTRL).
	TokenMean AggMode = "token-mean"
	// SeqMeanTokenMean is the mean over non-empty rows of each row's token mean (original GRPO paper, GSPO).
	SeqMeanTokenMean AggMode = "seq-mean-token-mean"
	// SeqMeanTokenSum is the mean over non-empty rows of each row's token sum.
	SeqMeanTokenSum AggMode = "seq-mean-token-sum"
	// SeqMeanTokenSumNorm is Σ_{b,t} ℓ·m / C with a constant C (ScaleFactor, default T): Dr.GRPO's
	// constant normaliser; HPT's loss_remove_token_mean. It does not divide by the number of rows.
	SeqMeanTokenSumNorm AggMode = "seq-mean-token-sum-norm"
)

// AggModes lists the valid aggregation modes.
var AggModes = []AggMode{TokenMean, SeqMeanTokenMean, SeqMeanTokenSum, SeqMeanTokenSumNorm}

// maskEps is verl's masked_mean epsilon: Σ x·m / (Σ m + 1e-8). The reference vectors carry it.
const maskEps = 1e-8

// Aggregation is an aggregation mode plus the constant normaliser of SeqMeanTokenSumNorm.
type Aggregation struct {
	// Mode is one of AggModes.
	Mode AggMode `json:"mode" yaml:"mode"`
	// ScaleFactor is C of SeqMeanTokenSumNorm (verl loss_scale_factor); 0 means the padded length T
	// of the micro-batch. Set it explicitly (e.g. to the max response length, as HPT's T_max) when
	// micro-batches may be padded to different lengths. Ignored by the other modes.
	ScaleFactor float64 `json:"scale_factor,omitempty" yaml:"scale_factor,omitempty"`
}

// Validate reports whether a is usable.
func (a Aggregation) Validate() error {
	for _, m := range AggModes {
		if a.Mode == m {
			if a.ScaleFactor < 0 {
				return fmt.Errorf("aggregation: scale_factor %v: want ≥ 0 (0 = T)", a.ScaleFactor)
			}
			return nil
		}
	}
	return fmt.Errorf("aggregation: unknown mode %q; valid: %v", a.Mode, AggModes)
}

// Counts are the whole-mini-batch denominators of spec §0.3 (LossInputs.TokenCount / SeqCount).
// A nil field means "this micro-batch is the whole mini-batch": the count is computed locally.
type Counts struct {
	Tokens *Node // scalar Σ mask over the mini-batch
	Seqs   *Node // scalar number of rows with at least one valid token in the mini-batch
}

// countsOf takes the counts from loss inputs.
func countsOf(in LossInputs) Counts { return Counts{Tokens: in.TokenCount, Seqs: in.SeqCount} }

// tokens returns the token denominator (plus verl's 1e-8).
func (c Counts) tokens(mask *Node) *Node {
	n := c.Tokens
	if n == nil {
		n = ReduceAllSum(mask)
	}
	return AddScalar(n, maskEps)
}

// seqs returns the row denominator, at least 1 so that an all-empty batch gives 0, not NaN.
func (c Counts) seqs(mask *Node) *Node {
	n := c.Seqs
	if n == nil {
		n = ReduceAllSum(rowValid(mask))
	}
	return Max(n, OnesLike(n))
}

// rowValid is 1 for rows with at least one valid token. // [B]
func rowValid(mask *Node) *Node {
	return ConvertDType(GreaterThan(ReduceSum(mask, 1), ZerosLike(ReduceSum(mask, 1))), mask.DType())
}

// Aggregate reduces loss [B, T] under mask [B, T] to this micro-batch's share of the mini-batch
// scalar, using the whole-mini-batch counts c (spec §0.3):
//
//	token-mean               Σ ℓ·m / (N_tokens + 1e-8)
//	seq-mean-token-mean      Σ_rows (Σ_t ℓ·m / (Σ_t m + 1e-8)) / N_seqs
//	seq-mean-token-sum       Σ_rows Σ_t ℓ·m / N_seqs
//	seq-mean-token-sum-norm  Σ ℓ·m / C
//
// Rows never straddle micro-batches, so summing the result over the micro-batches of a mini-batch
// gives exactly the mini-batch value. (Upstream verl/HPT divide seq-mean-token-sum-norm by the
// number of gradient-accumulation steps as well; Ascent keeps it split-invariant, see
// docs/algorithms.md.) Panics if a.Mode is invalid; call a.Validate first.
func Aggregate(loss, mask *Node, a Aggregation, c Counts) *Node {
	masked := Mul(loss, mask)
	switch a.Mode {
	case TokenMean:
		return Div(ReduceAllSum(masked), c.tokens(mask))
	case SeqMeanTokenMean:
		rowMean := Div(ReduceSum(masked, 1), AddScalar(ReduceSum(mask, 1), maskEps))
		return Div(ReduceAllSum(Mul(rowMean, rowValid(mask))), c.seqs(mask))
	case SeqMeanTokenSum:
		return Div(ReduceAllSum(masked), c.seqs(mask))
	case SeqMeanTokenSumNorm:
		scale := a.ScaleFactor
		if scale == 0 {
			scale = float64(loss.Shape().Dimensions[1])
		}
		return MulScalar(ReduceAllSum(masked), 1/scale)
	}
	panic(fmt.Errorf("aggregation: unknown mode %q; valid: %v", a.Mode, AggModes))
}

// tokenMetric is a token statistic Σ x·m / (N_tokens + 1e-8): the micro-batch's masked mean weighted
// by its token share (LossOutput scaling rule).
func tokenMetric(x, mask *Node, c Counts) *Node {
	return Div(ReduceAllSum(Mul(x, mask)), c.tokens(mask))
}

// AggregateRef is the plain-Go reference of Aggregate for a single micro-batch.
func AggregateRef(loss, mask [][]float64, a Aggregation) (float64, error) {
	if err := a.Validate(); err != nil {
		return 0, err
	}
	b, t, err := checkMatrix("loss", loss, -1, -1)
	if err != nil {
		return 0, err
	}
	if _, _, err := checkMatrix("mask", mask, b, t); err != nil {
		return 0, err
	}
	var total, tokens, seqs, rowMeans, rowSums float64
	for i := range loss {
		var s, n float64
		for j := range loss[i] {
			s += loss[i][j] * mask[i][j]
			n += mask[i][j]
		}
		total += s
		tokens += n
		if n > 0 {
			seqs++
			rowMeans += s / (n + maskEps)
			rowSums += s
		}
	}
	switch a.Mode {
	case TokenMean:
		return total / (tokens + maskEps), nil
	case SeqMeanTokenMean:
		return rowMeans / max(seqs, 1), nil
	case SeqMeanTokenSum:
		return rowSums / max(seqs, 1), nil
	default: // SeqMeanTokenSumNorm
		scale := a.ScaleFactor
		if scale == 0 {
			scale = float64(t)
		}
		return total / scale, nil
	}
}
