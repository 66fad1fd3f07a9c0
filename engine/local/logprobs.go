package local

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/model"
)

// LogProbs returns per-token log-probs (of logits/temperature) and entropies of rows under the
// current weights, and critic values when the engine has a value head. Without a value head it
// runs the plain-Go KV-cache decoder the sampler uses (decoderLogProbs: each group's prompt is
// prefilled once and its rows decoded together), about four times faster on a CPU than the GoMLX
// graph; with one it runs the graph (graphLogProbs), which exposes the hidden states the head
// reads. The two agree to float32 rounding (TestDecoderLogProbsMatchGraph).
func (e *Engine) LogProbs(ctx context.Context, rows []engine.Row, temperature float64) (*engine.LogProbResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	cfg := e.params.Config
	if temperature < 0 || math.IsNaN(temperature) {
		return nil, fmt.Errorf("log-probs: temperature %g: expected ≥ 0 (0 means 1)", temperature)
	}
	if temperature == 0 {
		temperature = 1
	}
	if err := validateRows(rows, cfg.VocabSize, cfg.MaxPositionEmbeddings, false); err != nil {
		return nil, fmt.Errorf("log-probs: %w", err)
	}
	for _, h := range e.heads {
		if h.name == "value_head" {
			if e.cfg.TrainPath == "fast" {
				return e.fastLogProbs(ctx, rows, temperature, h)
			}
			return e.graphLogProbs(ctx, rows, temperature, h)
		}
	}
	if e.referenceSampler {
		return e.graphLogProbs(ctx, rows, temperature, nil)
	}
	return e.decoderLogProbs(ctx, rows, temperature)
}

// graphLogProbs is LogProbs through the GoMLX forward graph, in micro-batches; vh, when not nil,
// adds the critic values.
func (e *Engine) graphLogProbs(ctx context.Context, rows []engine.Row, temperature float64, vh *head) (*engine.LogProbResult, error) {
	res := &engine.LogProbResult{}
	mb := e.cfg.MicroBatchRows
	for lo := 0; lo < len(rows); lo += mb {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		chunk := rows[lo:min(lo+mb, len(rows))]
		p := pack(chunk, bucketRows(len(chunk), mb))
		lp, ent, val, err := e.forward(p, temperature, vh)
		if err != nil {
			return nil, fmt.Errorf("log-probs of rows %d..%d: %w", lo, lo+len(chunk)-1, err)
		}
		res.LogProbs = append(res.LogProbs, p.gather(lp)...)
		res.Entropies = append(res.Entropies, p.gather(ent)...)
		if val != nil {
			res.Values = append(res.Values, p.gather(val)...)
		}
	}
	return res, nil
}

// decoderLogProbs is LogProbs through model.Decoder, maxSampleRows rows at a time. Rows whose
// prompt equals the previous row's (a GRPO group) copy its prefilled cache instead of recomputing it.
func (e *Engine) decoderLogProbs(ctx context.Context, rows []engine.Row, temperature float64) (*engine.LogProbResult, error) {
	res := &engine.LogProbResult{LogProbs: make([][]float32, len(rows)), Entropies: make([][]float32, len(rows))}
	for lo := 0; lo < len(rows); lo += maxSampleRows {
		chunk := rows[lo:min(lo+maxSampleRows, len(rows))]
		if err := e.decodeChunkStats(ctx, chunk, temperature, res.LogProbs[lo:], res.Entropies[lo:]); err != nil {
			return nil, fmt.Errorf("log-probs of rows %d..%d: %w", lo, lo+len(chunk)-1, err)
		}
	}
	return res, nil
}

// decodeChunkStats teacher-forces each row's response through the decoder and writes the log-prob
// of every response token and the entropy at its position into logp[i] and ent[i].
func (e *Engine) decodeChunkStats(ctx context.Context, rows []engine.Row, temperature float64, logp, ent [][]float32) error {
	need := 0
	for _, r := range rows {
		need = max(need, len(r.Prompt)+len(r.Response))
	}
	// Round the cache length up so that batches of similar lengths share one decoder.
	maxLen := min(e.params.Config.MaxPositionEmbeddings, (need+63)/64*64)
	dec := e.scoringDecoder(maxSampleRows, maxLen)
	logits := make([][]float32, len(rows)) // [rows][V] next-token logits of each row
	for i, r := range rows {
		logp[i], ent[i] = make([]float32, len(r.Response)), make([]float32, len(r.Response))
		if i > 0 && slices.Equal(r.Prompt, rows[i-1].Prompt) {
			dec.CopyRow(i, i-1)
			logits[i] = logits[i-1]
			continue
		}
		l, err := dec.Prefill(i, r.Prompt)
		if err != nil {
			return fmt.Errorf("prefill row %d: %w", i, err)
		}
		logits[i] = l
	}
	tokens := make([]int, dec.Rows())
	active := make([]bool, dec.Rows())
	inv := 1 / temperature
	for j := 0; ; j++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		more := false
		for i, r := range rows {
			active[i] = false
			if j >= len(r.Response) {
				continue
			}
			logp[i][j], ent[i][j] = temperedStats(logits[i], r.Response[j], inv)
			if j+1 < len(r.Response) { // the last token's successor is never needed
				tokens[i], active[i], more = r.Response[j], true, true
			}
		}
		if !more {
			return nil
		}
		ls, err := dec.Step(tokens, active)
		if err != nil {
			return fmt.Errorf("decode position %d: %w", j, err)
		}
		for i := range rows {
			if active[i] {
				logits[i] = ls[i]
			}
		}
	}
}

// temperedStats returns log softmax(logits·inv)[tok] and the entropy of softmax(logits·inv),
// accumulated in float64.
func temperedStats(logits []float32, tok int, inv float64) (logp, entropy float32) {
	mx := math.Inf(-1)
	for _, x := range logits {
		mx = math.Max(mx, float64(x)*inv)
	}
	sum, dot := 0.0, 0.0 // Σ exp(z-mx), Σ exp(z-mx)·(z-mx)
	for _, x := range logits {
		z := float64(x)*inv - mx
		p := math.Exp(z)
		sum += p
		dot += p * z
	}
	lse := math.Log(sum) // log-sum-exp of (z - mx)
	return float32(float64(logits[tok])*inv - mx - lse), float32(lse - dot/sum)
}

// scoringDecoder returns the decoder LogProbs uses: cached separately from the sampler's (their
// shapes differ) and refreshed when the weights changed since it was built.
func (e *Engine) scoringDecoder(rows, maxLen int) *model.Decoder {
	if e.scoreDec == nil || e.scoreDec.Rows() != rows || e.scoreDec.MaxLen() != maxLen {
		e.scoreDec, e.scoreDecVersion = model.NewDecoder(e.params, rows, maxLen), e.version
	} else if e.scoreDecVersion != e.version {
		e.scoreDec.Refresh()
		e.scoreDecVersion = e.version
	}
	e.scoreDec.SetThreads(e.logProbThreads)
	return e.scoreDec
}
