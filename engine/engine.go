// Package engine holds the data that crosses between the loop and its engines: sampling
// parameters, sampled sequences, training rows, log-prob results and update options. It declares
// no engine interface: each consumer declares the methods it needs (trainer.Learner and
// trainer.Sampler, rollout.Sampler, eval's sampler, serve's engineSampler). Implementations:
// engine/local (GoMLX on this machine: samples and trains) and engine/openai (samples from
// OpenAI-compatible servers such as vLLM and SGLang).
//
// Token in, token out: prompts and responses are token ids; samplers return their own per-token
// log-probs, and the trainer recomputes "old" log-probs with a learner.
package engine

import "errors"

// ErrNoState is wrapped by a learner's Load when the directory holds weights but no optimizer
// state (a bare Hugging Face model rather than an engine checkpoint).
var ErrNoState = errors.New("no optimizer state in the checkpoint")

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
	// Versions is the weight version that sampled each token, [len(Tokens)], when generation
	// continued across a weight update (rollout.Segmented); nil: one version sampled them all.
	Versions []int
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
	// LossMask is 1 at the response tokens the loss trains on and 0 at tokens a tool or an
	// environment inserted (multi-turn); nil trains on every response token.
	LossMask []float32
}

// Trained reports whether response token j is trained on (LossMask is nil or 1 there).
func (r Row) Trained(j int) bool { return r.LossMask == nil || r.LossMask[j] != 0 }

// TrainedTokens counts the response tokens the loss trains on.
func (r Row) TrainedTokens() int {
	if r.LossMask == nil {
		return len(r.Response)
	}
	n := 0
	for j := range r.Response {
		if r.Trained(j) {
			n++
		}
	}
	return n
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

// UpdateTotals are a mini-batch's normalisers: trained response tokens, rows with a trained token,
// trained demonstration tokens and rows.
type UpdateTotals struct {
	Tokens, Seqs, DemoTokens, Rows int
}

// TotalsOf counts rows' normalisers.
func TotalsOf(rows []Row) UpdateTotals {
	var t UpdateTotals
	for _, r := range rows {
		n := r.TrainedTokens()
		t.Tokens += n
		if r.Demo {
			t.DemoTokens += n
		}
		if n > 0 {
			t.Seqs++
		}
	}
	t.Rows = len(rows)
	return t
}

// OptimizerState is an optimizer's moments and completed steps, keyed by Hugging Face tensor name:
// what a warm-up hands to the learner that continues it.
type OptimizerState struct {
	Step int                  // completed optimizer steps
	M, V map[string][]float32 // first and second moments per tensor
}

// OptimizerConfig is what a learner's AdamW needs from the trainer: the learning-rate schedule,
// weight decay, gradient clip, micro-batching and the seed of its extra heads.
type OptimizerConfig struct {
	LR             float64 // peak learning rate
	WeightDecay    float64 // decoupled weight decay
	WarmupSteps    int     // linear warm-up steps
	Schedule       string  // "constant" or "cosine" after the warm-up
	MinLRRatio     float64 // the cosine schedule's floor as a fraction of LR
	TotalSteps     int     // optimizer steps the schedule spans
	GradClip       float64 // global gradient-norm clip
	MicroBatchRows int     // rows per micro-batch (0: the engine's default)
	Seed           uint64  // seeds the value and log Z heads' initialisation
}
