package local

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/engine"
	"github.com/gomlx/gomlx/core/tensors"
)

// Update takes one AdamW step on rows with loss: it splits rows into micro-batches of
// opt.MicroBatchRows (Config.MicroBatchRows when 0), sums loss, metrics and gradients over them
// (losses scale themselves by the whole-mini-batch TokenCount/SeqCount/MicroFraction, so the sum is
// the mini-batch loss), clips the global gradient norm, and applies AdamW unless the norm exceeds
// opt.SkipAboveGradNorm or is not finite. Value and log Z heads are created on first use.
func (e *Engine) Update(ctx context.Context, rows []engine.Row, loss algo.Loss, opt engine.UpdateOptions) (map[string]float64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	start := time.Now()
	sg, err := e.gradients(ctx, rows, loss, opt)
	if err != nil {
		return nil, err
	}
	params, grads, slots, decay, metrics := sg.params, sg.grads, sg.slots, sg.decay, sg.metrics
	norm := clipGrads(grads, e.cfg.GradClip)
	metrics["actor/grad_norm"] = norm
	skip := math.IsNaN(norm) || math.IsInf(norm, 0) || (opt.SkipAboveGradNorm > 0 && norm > opt.SkipAboveGradNorm)
	metrics["actor/lr"] = e.opt.lr(e.opt.step)
	if skip {
		metrics["actor/update_skipped"] = 1
	} else {
		metrics["actor/update_skipped"] = 0
		e.opt.applySlots(params, grads, decay, slots)
		e.invalidate()
	}
	metrics["perf/compile_count"] = float64(e.compiles.Load())
	metrics["perf/update_tokens"] = float64(sg.processed)
	el := time.Since(start).Seconds()
	metrics["timing_s/update_actor"] = el
	metrics["perf/update_tokens_per_s"] = float64(sg.processed) / el
	return metrics, nil
}

// stepGrads are one Update's gradients summed over its micro-batches, before clipping.
type stepGrads struct {
	params, grads [][]float32 // trained tensors in optimizer order (the model's, then the heads') and their gradients
	slots         []int       // optimizer slot of each tensor
	decay         []bool      // whether weight decay applies to each tensor
	metrics       map[string]float64
	processed     int // tokens in the rows
}

// gradients validates rows and computes the loss, its metrics and the summed gradients of one
// Update, through the GoMLX train graph or the fast path (Config.TrainPath).
func (e *Engine) gradients(ctx context.Context, rows []engine.Row, loss algo.Loss, opt engine.UpdateOptions) (*stepGrads, error) {
	cfg := e.params.Config
	if loss == nil {
		return nil, fmt.Errorf("update: nil loss")
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("update: empty mini-batch")
	}
	if opt.Temperature < 0 || opt.MicroBatchRows < 0 || opt.SkipAboveGradNorm < 0 {
		return nil, fmt.Errorf("update: options %+v: temperature, micro_batch_rows and skip_above_grad_norm must be ≥ 0", opt)
	}
	temp := opt.Temperature
	if temp == 0 {
		temp = 1
	}
	if err := validateRows(rows, cfg.VocabSize, cfg.MaxPositionEmbeddings, true); err != nil {
		return nil, fmt.Errorf("update: %w", err)
	}
	req := loss.Requirements()
	for i, r := range rows {
		switch {
		case req.Ref && r.RefLogProbs == nil && len(r.Response) > 0:
			return nil, fmt.Errorf("update: row %d: loss %q needs ref_log_probs", i, loss.Name())
		case req.Values && (r.OldValues == nil || r.Returns == nil) && len(r.Response) > 0:
			return nil, fmt.Errorf("update: row %d: loss %q needs old_values and returns", i, loss.Name())
		}
	}
	fast := e.cfg.TrainPath == "fast"
	var tx *trainExec
	var lx *lossExec
	var err error
	if fast {
		lx, err = e.lossExecFor(loss)
	} else {
		tx, err = e.trainExecFor(loss)
	}
	if err != nil {
		return nil, fmt.Errorf("update: build graph for loss %q: %w", loss.Name(), err)
	}
	var heads []*head
	if req.Values {
		heads = append(heads, e.getHead("value_head"))
	}
	if req.LogZ {
		heads = append(heads, e.getHead("logz_head"))
	}

	// Trained tensors in optimizer order for this loss: the model, then its heads.
	params := make([][]float32, 0, len(e.refs)+2*len(heads))
	slots := make([]int, 0, cap(params))
	decay := make([]bool, 0, cap(params))
	for i, r := range e.refs {
		params, slots, decay = append(params, r.get().Data), append(slots, i), append(decay, len(r.get().Shape) >= 2)
	}
	for _, h := range heads {
		k := e.headIndex(h)
		params, slots, decay = append(params, h.w.Data, h.b.Data), append(slots, k, k+1), append(decay, true, false)
	}
	grads := make([][]float32, len(params))
	if fast { // the backward pass accumulates into the fast path's own buffers
		copy(grads, e.fastGrads())
	}
	for i, p := range params {
		if grads[i] == nil {
			grads[i] = make([]float32, len(p))
		}
	}

	tot := engine.TotalsOf(rows)
	processed := tot.Tokens
	if opt.Totals != nil { // rows is a subset; normalise by the whole mini-batch
		if o := *opt.Totals; o.Tokens < tot.Tokens || o.Seqs < tot.Seqs || o.DemoTokens < tot.DemoTokens || o.Rows < tot.Rows {
			return nil, fmt.Errorf("update: totals %+v are smaller than the rows' own %+v", o, tot)
		}
		tot = *opt.Totals
	}
	tokenCount, seqCount, demoTokens := tot.Tokens, tot.Seqs, tot.DemoTokens
	metrics := map[string]float64{}
	mb := e.microRows(opt.MicroBatchRows)
	for lo := 0; lo < len(rows); lo += mb {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		chunk := rows[lo:min(lo+mb, len(rows))]
		p := pack(chunk, bucketRows(len(chunk), mb))
		if fast {
			data := trainData(p, chunk, lo, temp, opt.Seed, [3]int{tokenCount, seqCount, demoTokens}, tot.Rows)
			if err := e.fastMicroBatch(lx, p, data, heads, temp, grads, metrics); err != nil {
				return nil, fmt.Errorf("update: micro-batch of rows %d..%d: %w", lo, lo+len(chunk)-1, err)
			}
			continue
		}
		args := e.trainArgs(p, chunk, lo, heads, temp, opt.Seed, [3]int{tokenCount, seqCount, demoTokens}, tot.Rows)
		outs, err := tx.exec.Call(args...)
		if err != nil {
			return nil, fmt.Errorf("update: micro-batch of rows %d..%d: %w", lo, lo+len(chunk)-1, err)
		}
		tx.mu.Lock()
		names := tx.metricNames
		tx.mu.Unlock()
		if len(outs) != 1+len(names)+len(params) {
			finalize(outs)
			return nil, fmt.Errorf("update: graph returned %d outputs, expected %d", len(outs), 1+len(names)+len(params))
		}
		if !slices.Contains(names, algo.MetricTotalLoss) { // the actor loss reports it itself
			metrics[algo.MetricTotalLoss] += float64(scalar(outs[0]))
		}
		for i, n := range names {
			metrics[n] += float64(scalar(outs[1+i]))
		}
		for i := range params {
			err := tensors.ConstFlatData(outs[1+len(names)+i], func(g []float32) {
				acc := grads[i]
				for j, x := range g {
					acc[j] += x
				}
			})
			if err != nil {
				finalize(outs)
				return nil, fmt.Errorf("update: read gradient %d: %w", i, err)
			}
		}
		finalize(outs)
	}

	return &stepGrads{params: params, grads: grads, slots: slots, decay: decay, metrics: metrics, processed: processed}, nil
}

// trainArgs builds the inputs of the train graph for one micro-batch; counts are the mini-batch's
// token, non-empty-row and demonstration-token totals.
func (e *Engine) trainArgs(p *packed, chunk []engine.Row, firstRow int, heads []*head, temp float64, seed uint64, counts [3]int, totalRows int) []any {
	args := make([]any, 0, len(e.refs)+4+numDataInputs)
	for _, t := range e.weightTensors() {
		args = append(args, t)
	}
	for _, h := range heads {
		args = append(args, tensorOf(h.w.Data, h.w.Shape...), tensorOf(h.b.Data, 1))
	}
	return append(args, trainData(p, chunk, firstRow, temp, seed, counts, totalRows)...)
}

// trainData builds the data inputs (numDataInputs of them, in the in* order) of the train and
// loss graphs for one micro-batch.
func trainData(p *packed, chunk []engine.Row, firstRow int, temp float64, seed uint64, counts [3]int, totalRows int) []any {
	bt := func(get func(r int) []float32) *tensors.Tensor {
		return tensorOf(p.spread(get), p.B, p.T)
	}
	demo := make([]float32, p.B)
	for i, r := range chunk {
		if r.Demo {
			demo[i] = 1
		}
	}
	data := make([]any, numDataInputs)
	data[inTokens] = tensors.FromFlatDataAndDimensions(p.tokens, p.B, p.T)
	data[inIdx] = tensors.FromFlatDataAndDimensions(p.idx, p.B, p.T, 3)
	data[inTemp] = tensors.FromScalar(float32(temp))
	data[inMask] = tensorOf(p.mask, p.B, p.T)
	data[inOldLogp] = bt(func(r int) []float32 { return chunk[r].OldLogProbs })
	data[inAdv] = bt(func(r int) []float32 { return chunk[r].Advantages })
	data[inRef] = bt(func(r int) []float32 { return chunk[r].RefLogProbs })
	data[inOldValues] = bt(func(r int) []float32 { return chunk[r].OldValues })
	data[inReturns] = bt(func(r int) []float32 { return chunk[r].Returns })
	data[inNoise] = tensorOf(p.noise(seed, firstRow), p.B, p.T)
	data[inPromptMask] = tensorOf(p.promptMask, p.B, p.T)
	data[inDemo] = tensorOf(demo, p.B)
	data[inTokenCount] = tensors.FromScalar(float32(counts[0]))
	data[inSeqCount] = tensors.FromScalar(float32(counts[1]))
	data[inDemoTokenCount] = tensors.FromScalar(float32(counts[2]))
	data[inMicroFraction] = tensors.FromScalar(float32(len(chunk)) / float32(totalRows))
	return data
}

// scalar reads a float32 scalar tensor.
func scalar(t *tensors.Tensor) float32 {
	var v float32
	_ = tensors.ConstFlatData(t, func(f []float32) { v = f[0] })
	return v
}
