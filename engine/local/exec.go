package local

import (
	"fmt"
	"sort"
	"sync"

	"github.com/ascent-rl/ascent/algo"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// fwdExec computes log-probs, entropies and optionally values without gradients.
type fwdExec struct {
	exec *Exec
}

// forward runs the no-grad graph on one packed micro-batch and returns flat [B, T] outputs.
func (e *Engine) forward(p *packed, temperature float64, vh *head) (logp, ent, val []float32, err error) {
	key := "fwd"
	if vh != nil {
		key = "fwd+value"
	}
	fx, ok := e.fwdExecs[key]
	if !ok {
		cfg := e.params.Config
		np := len(e.refs)
		withValue := vh != nil
		ex, err := NewExec(e.backend, func(g *Graph, in []*Node) []*Node {
			e.compiles.Add(1)
			w := unpackWeights(cfg, in[:np])
			rest := in[np:]
			var vw, vb *Node
			if withValue {
				vw, vb, rest = rest[0], rest[1], rest[2:]
			}
			tokens, idx, temp := rest[0], rest[1], rest[2]
			hidden := forwardHidden(cfg, w, tokens)
			lp, en := tokenStats(w, hidden, idx, temp, true)
			out := []*Node{lp, en}
			if withValue {
				out = append(out, valueHead(hidden, vw, vb))
			}
			return out
		})
		if err != nil {
			return nil, nil, nil, err
		}
		fx = &fwdExec{exec: ex.SetMaxCache(-1)}
		e.fwdExecs[key] = fx
	}
	args := []any{}
	for _, t := range e.weightTensors() {
		args = append(args, t)
	}
	if vh != nil {
		args = append(args, tensorOf(vh.w.Data, vh.w.Shape...), tensorOf(vh.b.Data, 1))
	}
	args = append(args,
		tensors.FromFlatDataAndDimensions(p.tokens, p.B, p.T),
		tensors.FromFlatDataAndDimensions(p.idx, p.B, p.T, 3),
		tensors.FromScalar(float32(temperature)))
	outs, err := fx.exec.Call(args...)
	if err != nil {
		return nil, nil, nil, err
	}
	defer finalize(outs)
	logp, err = tensors.CopyFlatData[float32](outs[0])
	if err == nil {
		ent, err = tensors.CopyFlatData[float32](outs[1])
	}
	if err == nil && vh != nil {
		val, err = tensors.CopyFlatData[float32](outs[2])
	}
	return logp, ent, val, err
}

// lossOutputs returns a built loss and its metrics (sorted by name) as float32 graph outputs, and
// the metric names in output order.
func lossOutputs(loss algo.Loss, lo algo.LossOutput) ([]*Node, []string) {
	if lo.Loss == nil {
		panic(fmt.Errorf("loss %q built no loss node", loss.Name()))
	}
	names := make([]string, 0, len(lo.Metrics))
	for n := range lo.Metrics {
		names = append(names, n)
	}
	sort.Strings(names)
	out := []*Node{ConvertDType(lo.Loss, dtypes.Float32)}
	for _, n := range names {
		out = append(out, ConvertDType(lo.Metrics[n], dtypes.Float32))
	}
	return out, names
}

// tensorOf copies a float32 slice into a tensor of the given shape.
func tensorOf(data []float32, dims ...int) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

// finalize frees output tensors once their data has been copied out.
func finalize(ts []*tensors.Tensor) {
	for _, t := range ts {
		_ = t.FinalizeAll()
	}
}

// trainExec computes the loss, its metrics and the gradients for one loss configuration.
type trainExec struct {
	exec        *Exec
	req         algo.Requirements
	mu          sync.Mutex
	metricNames []string // sorted; set when the graph is built
}

// Data inputs of the train graph, after the weights and heads, in this order.
const (
	inTokens = iota
	inIdx
	inTemp
	inMask
	inOldLogp
	inAdv
	inRef
	inOldValues
	inReturns
	inNoise
	inPromptMask
	inDemo
	inTokenCount
	inSeqCount
	inMicroFraction
	inDemoTokenCount
	numDataInputs
)

// trainExecFor returns (building on first use) the train graph for a loss. Losses are keyed by
// their type and printed configuration, so two differently configured losses get two graphs.
func (e *Engine) trainExecFor(loss algo.Loss) (*trainExec, error) {
	key := fmt.Sprintf("%s|%T|%+v", loss.Name(), loss, loss)
	if tx, ok := e.trExecs[key]; ok {
		return tx, nil
	}
	cfg := e.params.Config
	np := len(e.refs)
	tx := &trainExec{req: loss.Requirements()}
	nHeads := 0
	if tx.req.Values {
		nHeads += 2
	}
	if tx.req.LogZ {
		nHeads += 2
	}
	ex, err := NewExec(e.backend, func(g *Graph, in []*Node) []*Node {
		e.compiles.Add(1)
		wts := in[:np+nHeads]
		w := unpackWeights(cfg, in[:np])
		heads := in[np : np+nHeads]
		d := in[np+nHeads:]
		hidden := forwardHidden(cfg, w, d[inTokens])
		lp, ent := tokenStats(w, hidden, d[inIdx], d[inTemp], tx.req.Entropy)
		li := algo.LossInputs{
			LogProb: lp, OldLogProb: d[inOldLogp], Advantages: d[inAdv], Mask: d[inMask],
			TokenCount: d[inTokenCount], SeqCount: d[inSeqCount], MicroFraction: d[inMicroFraction],
			Entropy: ent, RefLogProb: d[inRef], Demo: d[inDemo], Noise: d[inNoise],
			DemoTokenCount: d[inDemoTokenCount],
		}
		if tx.req.Values {
			li.Values = valueHead(hidden, heads[0], heads[1])
			li.OldValues, li.Returns = d[inOldValues], d[inReturns]
			heads = heads[2:]
		}
		if tx.req.LogZ {
			li.LogZ = logZHead(hidden, d[inPromptMask], heads[0], heads[1])
		}
		lo := loss.Build(li)
		out, names := lossOutputs(loss, lo)
		tx.mu.Lock()
		tx.metricNames = names
		tx.mu.Unlock()
		return append(out, Gradient(lo.Loss, wts...)...)
	})
	if err != nil {
		return nil, err
	}
	tx.exec = ex.SetMaxCache(-1)
	e.trExecs[key] = tx
	return tx, nil
}
