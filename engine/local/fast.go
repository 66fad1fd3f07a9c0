package local

import (
	"context"
	"fmt"
	"slices"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/model/train"
	"github.com/gomlx/gomlx/core/tensors"
)

// The fast training path (Config.TrainPath "fast"): the hand-written forward and backward pass of
// model/train instead of the GoMLX train graph. Per micro-batch: Forward keeps the activations and
// gives per-token log-probs, entropies and the final hidden states; the heads read those; the loss
// graph (lossgraph.go) gives the loss, its metrics and its gradients with respect to those
// statistics; Backward adds every weight gradient into the accumulators. Everything around it
// (validation, packing, micro-batching, clipping, AdamW, checkpoints) is shared with the graph path.

// fastState is the fast path's cached state.
type fastState struct {
	net        *train.Net    // transposed weight copies; refreshed when the weights change
	netVersion int           // weights version net was built or refreshed at
	pass       *train.Pass   // activations, reused across micro-batches
	grads      *model.Params // gradient accumulators shaped like the weights
	lossExecs  map[string]*lossExec
}

// fastNet returns the training view of the current weights.
func (e *Engine) fastNet() *train.Net {
	f := e.fastState()
	if f.net == nil || f.net.P != e.params {
		f.net, f.netVersion = train.New(e.params), e.version
	} else if f.netVersion != e.version {
		f.net.Refresh()
		f.netVersion = e.version
	}
	return f.net
}

// fastState returns the fast path's state, creating it on first use.
func (e *Engine) fastState() *fastState {
	if e.fast == nil {
		e.fast = &fastState{lossExecs: map[string]*lossExec{}}
	}
	return e.fast
}

// fastGrads returns zeroed gradient accumulators for the model's tensors, in e.refs order.
func (e *Engine) fastGrads() [][]float32 {
	f := e.fastState()
	if f.grads == nil {
		f.grads = train.ZeroGrads(e.params)
	}
	refs := paramRefs(f.grads)
	out := make([][]float32, len(refs))
	for i, r := range refs {
		out[i] = r.get().Data
		clear(out[i])
	}
	return out
}

// fastForward runs the hand-written forward pass on a packed micro-batch.
func (e *Engine) fastForward(p *packed, temperature float64) (*train.Pass, error) {
	f := e.fastState()
	net := e.fastNet()
	f.pass = train.PassFor(f.pass, e.params.Config, p.B, p.T)
	targets := make([]int32, p.B*p.T)
	for i := range targets {
		targets[i] = p.idx[3*i+2]
	}
	if err := net.Forward(f.pass, p.tokens, targets, temperature); err != nil {
		return nil, err
	}
	return f.pass, nil
}

// fastMicroBatch runs one micro-batch of Update on the fast path: it adds the loss and metrics into
// metrics and the gradients into grads (the model's tensors, then each head's weight and bias).
func (e *Engine) fastMicroBatch(lx *lossExec, p *packed, data []any, heads []*head, temp float64, grads [][]float32, metrics map[string]float64) error {
	ps, err := e.fastForward(p, temp)
	if err != nil {
		return err
	}
	B, T, D := p.B, p.T, e.params.Config.HiddenSize
	N := B * T
	hidden := ps.Hidden()
	values, logZ, pooled := make([]float32, N), make([]float32, B), []float32(nil)
	var vh, zh *head
	for _, h := range heads {
		switch h.name {
		case "value_head":
			vh = h
			values = train.ValueHead(hidden, h.w.Data, h.b.Data[0], N, D)
		case "logz_head":
			zh = h
			logZ, pooled = train.LogZHead(hidden, p.promptMask, h.w.Data, h.b.Data[0], B, T, D)
		}
	}
	args := make([]any, 0, numStats+len(data))
	args = append(args, tensorOf(ps.LogProbs(), B, T), tensorOf(ps.Entropies(), B, T), tensorOf(values, B, T), tensorOf(logZ, B))
	outs, err := lx.exec.Call(append(args, data...)...)
	if err != nil {
		return err
	}
	defer finalize(outs)
	lx.mu.Lock()
	names := lx.metricNames
	lx.mu.Unlock()
	nGrad := 1
	for _, on := range []bool{lx.req.Entropy, lx.req.Values, lx.req.LogZ} {
		if on {
			nGrad++
		}
	}
	if len(outs) != 1+len(names)+nGrad {
		return fmt.Errorf("loss graph returned %d outputs, expected %d", len(outs), 1+len(names)+nGrad)
	}
	if !slices.Contains(names, algo.MetricTotalLoss) {
		metrics[algo.MetricTotalLoss] += float64(scalar(outs[0]))
	}
	for i, n := range names {
		metrics[n] += float64(scalar(outs[1+i]))
	}
	g := outs[1+len(names):]
	next := func() []float32 {
		v, _ := tensors.CopyFlatData[float32](g[0])
		g = g[1:]
		return v
	}
	dLogp := next()
	var dEnt, dHidden []float32
	if lx.req.Entropy {
		dEnt = next()
	}
	nModel := len(e.refs)
	slot := func(h *head) int { // index of h's weight gradient in grads
		for i, x := range heads {
			if x == h {
				return nModel + 2*i
			}
		}
		panic("local engine: head " + h.name + " not in this update")
	}
	if lx.req.Values {
		dv := next()
		dHidden = make([]float32, N*D)
		k := slot(vh)
		train.ValueHeadBack(dHidden, grads[k], &grads[k+1][0], dv, hidden, vh.w.Data, N, D)
	}
	if lx.req.LogZ {
		dz := next()
		if dHidden == nil {
			dHidden = make([]float32, N*D)
		}
		k := slot(zh)
		train.LogZHeadBack(dHidden, grads[k], &grads[k+1][0], dz, pooled, p.promptMask, zh.w.Data, B, T, D)
	}
	return e.fastNet().Backward(ps, dLogp, dEnt, dHidden, e.fast.grads)
}

// fastLogProbs is graphLogProbs on the fast forward pass.
func (e *Engine) fastLogProbs(ctx context.Context, rows []engine.Row, temperature float64, vh *head) (*engine.LogProbResult, error) {
	res := &engine.LogProbResult{}
	mb := e.cfg.MicroBatchRows
	D := e.params.Config.HiddenSize
	for lo := 0; lo < len(rows); lo += mb {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		chunk := rows[lo:min(lo+mb, len(rows))]
		p := pack(chunk, bucketRows(len(chunk), mb))
		ps, err := e.fastForward(p, temperature)
		if err != nil {
			return nil, fmt.Errorf("log-probs of rows %d..%d: %w", lo, lo+len(chunk)-1, err)
		}
		res.LogProbs = append(res.LogProbs, p.gather(ps.LogProbs())...)
		res.Entropies = append(res.Entropies, p.gather(ps.Entropies())...)
		if vh != nil {
			res.Values = append(res.Values, p.gather(train.ValueHead(ps.Hidden(), vh.w.Data, vh.b.Data[0], p.B*p.T, D))...)
		}
	}
	return res, nil
}
