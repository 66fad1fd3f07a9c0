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
	Noise      *Node // [B, T] uniform [0,1) draws for random token selection; Requirements.Noise (Clip-Cov)

	// Whole-mini-batch denominators (spec §0.3): when a mini-batch is split into micro-batches the
	// engine passes the mini-batch totals here so that aggregation does not depend on the split.
	TokenCount *Node // scalar: Σ mask over the whole mini-batch
	SeqCount   *Node // scalar: number of rows with at least one valid token in the whole mini-batch
	// MicroFraction is a scalar: (rows in this micro-batch) / (rows in the mini-batch). Modes whose
	// denominator is a per-row mean weight each micro-batch by it.
	MicroFraction *Node
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
