package algo

import (
	. "github.com/gomlx/gomlx/core/graph"
)

// LossInputs are the graph nodes of one micro-batch that a policy loss reads. All [B, T] tensors
// share one dtype (float32 in the engine, float64 in the conformance tests). Nodes a loss does not
// declare in its Requirements may be nil.
type LossInputs struct {
	LogProb    *Node // [B, T] log π_θ of the sampled tokens under the current parameters (gradient flows)
	OldLogProb *Node // [B, T] log π_θold, recomputed by the trainer right after rollout (constant)
	RefLogProb *Node // [B, T] log π_ref under the frozen reference model (constant); Requirements.Ref
	Advantages *Node // [B, T] advantage per token (constant)
	Mask       *Node // [B, T] 1 for real response tokens, 0 for padding
	Entropy    *Node // [B, T] entropy of π_θ per position (gradient flows); Requirements.Entropy
	LogZ       *Node // [B] learned log partition per row (gradient flows); Requirements.LogZ (FlowRL)
	Values     *Node // [B, T] critic values (gradient flows); Requirements.Values (PPO value loss)
	OldValues  *Node // [B, T] critic values at rollout time (constant); Requirements.Values
	Returns    *Node // [B, T] value targets (constant); Requirements.Values
	Demo       *Node // [B] 1 for demonstration (off-policy / SFT) rows, 0 for rollouts; Requirements.Demo
	Noise      *Node // [B, T] uniform [0,1) draws for random token selection; Requirements.Noise (Clip-Cov; nil = first candidates)

	// Whole-mini-batch denominators (spec §0.3): when a mini-batch is split into micro-batches the
	// engine passes the mini-batch totals here so that aggregation does not depend on the split.
	// Scalars of LogProb's dtype; nil means "this micro-batch is the whole mini-batch" (the count is
	// then computed from this micro-batch). See LossOutput for how they scale losses and metrics.
	TokenCount *Node // scalar: Σ mask over the whole mini-batch
	SeqCount   *Node // scalar: number of rows with at least one valid token in the whole mini-batch
	// MicroFraction is a scalar: (rows in this micro-batch) / (rows in the mini-batch). The
	// aggregation modes of this package use TokenCount/SeqCount instead (exact even when rows are
	// uneven or empty); MicroFraction is read only by HPT's SFT term when DemoTokenCount is nil.
	MicroFraction *Node

	// DemoTokenCount is a scalar: Σ mask over the demonstration rows (Demo = 1) of the whole
	// mini-batch. Optional, read by the HPT loss only (its SFT term is a token mean over
	// demonstration tokens). When nil the SFT term falls back to upstream HPT behaviour: the token
	// mean over this micro-batch's demonstration tokens, weighted by MicroFraction (which is not
	// exactly invariant to how a mini-batch is split).
	DemoTokenCount *Node
}

// Requirements say which optional LossInputs a loss reads, so the engine computes only those.
type Requirements struct {
	Ref     bool // needs RefLogProb (KL loss, FlowRL)
	Entropy bool // needs Entropy with gradient (entropy bonus, HPT)
	LogZ    bool // needs LogZ from a learned head (FlowRL)
	Values  bool // needs a value head (PPO)
	Demo    bool // rows can be demonstrations (HPT, LUFFY)
	Noise   bool // needs uniform noise for random token selection (Clip-Cov)
}

// LossOutput is what a policy loss builds: the scalar to minimise (already scaled so that summing
// over micro-batches gives the mini-batch loss) and metrics under verl's names (each a scalar node
// that is likewise summed over micro-batches).
//
// Scaling rule (the engine relies on it): every node in Loss and Metrics is this micro-batch's
// additive share of the mini-batch value, so the engine only sums them over micro-batches.
//   - Token statistics (actor/pg_clipfrac, actor/pg_clipfrac_lower, actor/ppo_kl, critic/vf_clipfrac,
//     ...) are Σ_micro x·mask / (TokenCount + 1e-8), i.e. the micro-batch's masked mean weighted by
//     its token share (Σ_micro mask / TokenCount).
//   - Per-sequence statistics (FlowRL's log Z and IS weight) are Σ_micro rows / SeqCount, i.e. the
//     micro-batch's row mean weighted by its share of non-empty rows.
//   - Aggregated losses (actor/pg_loss, actor/entropy, actor/kl_loss, critic/vf_loss) use the
//     whole-mini-batch denominators of their aggregation mode (see Aggregation), so they too sum.
//   - Statistics of a per-micro-batch choice (actor/cov_selected_frac: Clip-Cov and KL-Cov select
//     tokens per micro-batch, as upstream does) are token statistics of that choice; the choice itself,
//     and hence the loss, depends on the split for those two methods only.
//
// With TokenCount/SeqCount/MicroFraction left nil (a single micro-batch), all shares are 1 and the
// nodes are plain mini-batch values.
type LossOutput struct {
	Loss    *Node            // scalar
	Metrics map[string]*Node // e.g. "actor/pg_loss", "actor/pg_clipfrac", "actor/ppo_kl", "actor/entropy"
}

// Loss is a policy objective expressed as a GoMLX graph. Implementations are registered by name.
type Loss interface {
	// Name is the registry name, e.g. "vanilla", "clip_cov", "flowrl".
	Name() string
	// Requirements reports which optional inputs Build reads.
	Requirements() Requirements
	// Build adds the loss to the graph of in.LogProb.
	Build(in LossInputs) LossOutput
}

// Build contract for every Loss in this package: Build first calls CheckInputs(in, Requirements())
// and, if that fails, panics with that error (GoMLX reports graph-construction errors by panicking,
// and graph.Exec.Call returns such a panic as an error). An engine that calls CheckInputs itself
// before Build therefore never sees a panic from a loss for a shape or presence problem.
