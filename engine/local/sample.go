package local

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/model"
)

// decoder is the batched KV-cache decoder the sampler drives: model.Decoder in production
// (fastDecoder), and a full-recompute GoMLX decoder (graphDecoder) as the slow reference.
type decoder interface {
	// Prefill resets row and runs tokens through it, returning the logits after the last token.
	Prefill(row int, tokens []int) ([]float32, error)
	// Step appends tokens[r] to every active row r and returns each active row's next logits.
	Step(tokens []int, active []bool) ([][]float32, error)
	// CopyRow copies row src's cache into row dst.
	CopyRow(dst, src int)
}

// maxSampleRows bounds the rows decoded together (KV-cache memory); prompts are processed in
// chunks of whole groups.
const maxSampleRows = 64

// SetSampleThreads bounds the goroutines, and so the cores, that Sample's decoder splits each
// step over (0: GOMAXPROCS, the default); samples do not depend on it. An asynchronous trainer
// gives its sampler copy a share of the cores this way (async.local.sampler_threads).
func (e *Engine) SetSampleThreads(n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sampleThreads = max(n, 0)
}

// SetLogProbThreads bounds the goroutines LogProbs' KV-cache decoder splits each step over (0:
// GOMAXPROCS); log-probs do not depend on it. The training pass (Update, model/train) is not
// bounded by it. An asynchronous trainer bounds its learner this way (async.local.learner_threads).
func (e *Engine) SetLogProbThreads(n int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.logProbThreads = max(n, 0)
}

// LogProbThreads is the most goroutines the decoder of the last LogProbs split its steps over (0:
// none scored yet).
func (e *Engine) LogProbThreads() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.scoreDec == nil {
		return 0
	}
	return e.scoreDec.Threads()
}

// SampleThreads is the most goroutines the decoder of the last Sample split its steps over (0:
// none sampled yet).
func (e *Engine) SampleThreads() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.dec == nil {
		return 0
	}
	return e.dec.Threads()
}

// SetDetokenizer installs the function that turns response tokens into text, which Sample needs
// for SamplingParams.Stop strings.
func (e *Engine) SetDetokenizer(f func(tokens []int) string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.detok = f
}

// Sample draws n responses per prompt with the plain-Go KV-cache decoder. Each sequence has its own
// random stream derived from (p.Seed, prompt index, sample index), so results do not depend on
// batching or GOMAXPROCS. Sequence.LogProbs are log-probs under the distribution actually sampled
// from: logits/temperature, top-k then top-p filtered, renormalised. Greedy decoding (temperature
// 0) reports the untempered, unfiltered log-softmax of the chosen token.
func (e *Engine) Sample(ctx context.Context, prompts [][]int, n int, p engine.SamplingParams) ([]engine.Sequence, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	cfg := e.params.Config
	switch {
	case n <= 0:
		return nil, fmt.Errorf("sample: n = %d: expected ≥ 1", n)
	case p.MaxTokens <= 0:
		return nil, fmt.Errorf("sample: max_tokens = %d: expected ≥ 1", p.MaxTokens)
	case p.Temperature < 0 || math.IsNaN(p.Temperature):
		return nil, fmt.Errorf("sample: temperature = %g: expected ≥ 0", p.Temperature)
	case p.TopP < 0 || p.TopP > 1:
		return nil, fmt.Errorf("sample: top_p = %g: expected in [0, 1]", p.TopP)
	case p.TopK < 0:
		return nil, fmt.Errorf("sample: top_k = %d: expected ≥ 0", p.TopK)
	case len(p.Stop) > 0 && e.detok == nil:
		return nil, fmt.Errorf("sample: stop strings %q need a detokenizer (SetDetokenizer); use stop_tokens", p.Stop)
	}
	for i, pr := range prompts {
		if len(pr) == 0 {
			return nil, fmt.Errorf("sample: prompt %d is empty", i)
		}
		if len(pr) >= cfg.MaxPositionEmbeddings {
			return nil, fmt.Errorf("sample: prompt %d has %d tokens; the context is %d, leaving no room for a response", i, len(pr), cfg.MaxPositionEmbeddings)
		}
		for j, t := range pr {
			if t < 0 || t >= cfg.VocabSize {
				return nil, fmt.Errorf("sample: prompt %d token %d is %d, outside the vocabulary [0, %d)", i, j, t, cfg.VocabSize)
			}
		}
	}
	for _, t := range p.StopTokens {
		if t < 0 || t >= cfg.VocabSize {
			return nil, fmt.Errorf("sample: stop token %d outside the vocabulary [0, %d)", t, cfg.VocabSize)
		}
	}
	out := make([]engine.Sequence, 0, len(prompts)*n)
	perChunk := max(1, maxSampleRows/n)
	for lo := 0; lo < len(prompts); lo += perChunk {
		hi := min(lo+perChunk, len(prompts))
		seqs, err := e.sampleChunk(ctx, prompts[lo:hi], lo, n, p)
		if err != nil {
			return nil, err
		}
		out = append(out, seqs...)
	}
	return out, nil
}

// sampleChunk decodes prompts[0..] (global indices from first) × n rows together.
func (e *Engine) sampleChunk(ctx context.Context, prompts [][]int, first, n int, p engine.SamplingParams) ([]engine.Sequence, error) {
	cfg := e.params.Config
	maxPrompt := 0
	for _, pr := range prompts {
		maxPrompt = max(maxPrompt, len(pr))
	}
	maxLen := min(cfg.MaxPositionEmbeddings, maxPrompt+p.MaxTokens)
	rows := len(prompts) * n
	dec, err := e.newDecoder(rows, maxLen)
	if err != nil {
		return nil, fmt.Errorf("sample: %w", err)
	}
	seqs := make([]engine.Sequence, rows)
	logits := make([][]float32, rows)
	rngs := make([]*rand.Rand, rows)
	for i, pr := range prompts {
		row := i * n
		l, err := dec.Prefill(row, pr)
		if err != nil {
			return nil, fmt.Errorf("sample: prefill prompt %d: %w", first+i, err)
		}
		l = slices.Clone(l) // the decoder reuses its output buffer
		for j := range n {
			r := row + j
			if j > 0 {
				dec.CopyRow(r, row)
			}
			logits[r] = l
			seqs[r] = engine.Sequence{PromptIndex: first + i, Prompt: slices.Clone(pr), FinishReason: "length"}
			rngs[r] = rand.New(rand.NewPCG(p.Seed, uint64(first+i)<<20|uint64(j)))
		}
	}
	stops := map[int]bool{}
	if !p.IgnoreEOS {
		stops[cfg.EOSTokenID] = true
		for _, t := range cfg.EOSTokenIDs {
			stops[t] = true
		}
	}
	for _, t := range p.StopTokens {
		stops[t] = true
	}
	active := make([]bool, rows)
	for r := range active {
		active[r] = true
	}
	next := make([]int, rows)
	s := model.NewPicker(cfg.VocabSize)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		running := false
		for r := range rows {
			if !active[r] {
				continue
			}
			sq := &seqs[r]
			tok, lp, _ := s.Pick(logits[r], model.SamplingParams{Temperature: p.Temperature, TopK: p.TopK, TopP: p.TopP}, rngs[r], 0)
			sq.Tokens = append(sq.Tokens, tok)
			sq.LogProbs = append(sq.LogProbs, lp)
			next[r] = tok
			done := false
			switch {
			case stops[tok]:
				sq.FinishReason, done = "stop", true
			case len(p.Stop) > 0 && e.cutStop(sq, p.Stop):
				sq.FinishReason, done = "stop", true
			case len(sq.Tokens) >= p.MaxTokens || len(sq.Prompt)+len(sq.Tokens) >= maxLen:
				done = true
			}
			if done {
				active[r] = false
			} else {
				running = true
			}
		}
		if !running {
			break
		}
		ls, err := dec.Step(next, active)
		if err != nil {
			return nil, fmt.Errorf("sample: decode step: %w", err)
		}
		for r := range rows {
			if active[r] {
				logits[r] = ls[r]
			}
		}
	}
	return seqs, nil
}

// cutStop reports whether the decoded response contains a stop string and, if so, drops the
// trailing tokens so that the response ends before it.
func (e *Engine) cutStop(sq *engine.Sequence, stop []string) bool {
	has := func(toks []int) bool {
		text := e.detok(toks)
		for _, s := range stop {
			if s != "" && strings.Contains(text, s) {
				return true
			}
		}
		return false
	}
	if !has(sq.Tokens) {
		return false
	}
	k := len(sq.Tokens)
	for k > 0 && has(sq.Tokens[:k]) {
		k--
	}
	sq.Tokens, sq.LogProbs = sq.Tokens[:k], sq.LogProbs[:k]
	return true
}
