// Package engine defines the interface the trainer, the evaluator and the server use to sample from
// and train a policy. Implementations: engine/local (GoMLX on this machine, CPU or XLA) and
// engine/openai (rollouts from OpenAI-compatible servers such as vLLM and SGLang).
//
// Token in, token out: prompts and responses are token ids; samplers return their own per-token
// log-probs, and the trainer recomputes "old" log-probs with LogProbs.
package engine

import (
	"context"

	"github.com/ascent-rl/ascent/algo"
)

// SamplingParams control generation.
type SamplingParams struct {
	Temperature float64  // softmax temperature; 0 means greedy
	TopP        float64  // nucleus mass in (0, 1]; 0 or 1 disables
	TopK        int      // keep the k most likely tokens; 0 disables
	MaxTokens   int      // maximum response length in tokens (required, > 0)
	StopTokens  []int    // token ids that end a response (included in it, as EOS is)
	Stop        []string // stop strings (engines that detokenise); the response is cut before them
	Seed        uint64   // RNG seed; the same seed, prompts and weights give the same samples
	IgnoreEOS   bool     // keep sampling past the model's end-of-sequence tokens (benchmarks; vLLM ignore_eos)
}

// Sequence is one sampled response.
type Sequence struct {
	PromptIndex  int       // index into the prompts passed to Sample
	Prompt       []int     // prompt token ids
	Tokens       []int     // response token ids
	LogProbs     []float32 // [len(Tokens)] log-prob of each sampled token under the sampling distribution
	FinishReason string    // "stop" (stop token or string) or "length"
}

// Row is one training row: a prompt and a response with per-token training signals.
// All per-token slices have len(Response) entries.
type Row struct {
	Prompt      []int     // prompt token ids (not trained on)
	Response    []int     // response token ids (trained on)
	Advantages  []float32 // advantage per response token
	OldLogProbs []float32 // log π_θold per response token (nil when the loss does not read it)
	RefLogProbs []float32 // log π_ref per response token (nil unless the loss requires Ref)
	OldValues   []float32 // critic values at rollout time (PPO)
	Returns     []float32 // value targets (PPO)
	Demo        bool      // a demonstration (off-policy / SFT) row rather than a rollout
}

// LogProbResult holds per-token statistics of a batch of rows under the current parameters.
type LogProbResult struct {
	LogProbs  [][]float32 // [B][len(Response)] log π_θ of each response token (tempered)
	Entropies [][]float32 // [B][len(Response)] entropy of π_θ at each response position
	Values    [][]float32 // [B][len(Response)] critic values, when the engine has a value head
}

// UpdateOptions control one optimizer step.
type UpdateOptions struct {
	Temperature    float64 // logits are divided by it in the training forward pass (verl semantics)
	MicroBatchRows int     // rows per micro-batch for gradient accumulation (0: the engine's default)
	Seed           uint64  // seed for loss-side randomness (Clip-Cov token selection)
	// SkipAboveGradNorm skips the optimizer step when the pre-clip gradient norm exceeds it (HPT: 80);
	// 0 disables.
	SkipAboveGradNorm float64
	// Totals, when set, are the whole mini-batch's counts and rows is a subset of it: the caller left
	// out rows that contribute nothing to the loss (all-zero advantages under a loss without
	// entropy, KL, value or batch-statistics terms), and the loss's normalisers must stay those of
	// the whole mini-batch. Nil: rows is the whole mini-batch.
	Totals *UpdateTotals
}

// UpdateTotals are a mini-batch's normalisers: response tokens, non-empty rows, demonstration
// tokens and rows.
type UpdateTotals struct {
	Tokens, Seqs, DemoTokens, Rows int
}

// TotalsOf counts rows' normalisers.
func TotalsOf(rows []Row) UpdateTotals {
	var t UpdateTotals
	for _, r := range rows {
		t.Tokens += len(r.Response)
		if r.Demo {
			t.DemoTokens += len(r.Response)
		}
		if len(r.Response) > 0 {
			t.Seqs++
		}
	}
	t.Rows = len(rows)
	return t
}

// Engine samples from a policy and trains it.
type Engine interface {
	// Sample draws n responses for each prompt; the result has len(prompts)·n sequences, prompt-major
	// (all n responses of prompt 0 first).
	Sample(ctx context.Context, prompts [][]int, n int, p SamplingParams) ([]Sequence, error)
	// LogProbs computes per-token log-probs and entropies of rows under the current parameters.
	LogProbs(ctx context.Context, rows []Row, temperature float64) (*LogProbResult, error)
	// Update takes one optimizer step on a mini-batch with the given loss: forward, backward with
	// micro-batch accumulation, gradient clipping, AdamW. It returns metrics under verl's names
	// (actor/pg_loss, actor/grad_norm, actor/lr, ...).
	Update(ctx context.Context, rows []Row, loss algo.Loss, opt UpdateOptions) (map[string]float64, error)
	// Save writes weights (HF safetensors + config.json) and optimizer state to dir atomically.
	Save(dir string) error
	// Load restores what Save wrote.
	Load(dir string) error
}
