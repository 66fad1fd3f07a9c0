package local

import (
	"fmt"
	"sync"

	"github.com/ascent-rl/ascent/algo"
	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph"
)

// lossExec is the fast path's loss graph: the algo loss built on the per-token statistics that the
// hand-written forward pass (model/train) computed, taken as inputs. It returns the loss, its
// metrics and the gradients of the loss with respect to those statistics (small [B, T] and [B]
// tensors), which the hand-written backward pass turns into logit gradients analytically and
// back-propagates. Losses therefore stay GoMLX graphs in algo, unchanged.
type lossExec struct {
	exec        *Exec
	req         algo.Requirements
	mu          sync.Mutex
	metricNames []string // sorted; set when the graph is built
}

// Statistics inputs of the loss graph, before the data inputs (numDataInputs, in the in* order).
const (
	statLogp   = iota // [B, T]
	statEnt           // [B, T] (zeros unless Requirements.Entropy)
	statValues        // [B, T] (zeros unless Requirements.Values)
	statLogZ          // [B] (zeros unless Requirements.LogZ)
	numStats
)

// lossExecFor returns (building on first use) the loss graph for a loss, keyed like trainExecFor.
func (e *Engine) lossExecFor(loss algo.Loss) (*lossExec, error) {
	key := fmt.Sprintf("%s|%T|%+v", loss.Name(), loss, loss)
	execs := e.fastState().lossExecs
	if lx, ok := execs[key]; ok {
		return lx, nil
	}
	lx, err := newLossExec(e.backend, loss, func() { e.compiles.Add(1) })
	if err != nil {
		return nil, err
	}
	execs[key] = lx
	return lx, nil
}

// newLossExec builds the loss graph of loss on backend; compiled is called on every compilation.
func newLossExec(backend compute.Backend, loss algo.Loss, compiled func()) (*lossExec, error) {
	lx := &lossExec{req: loss.Requirements()}
	ex, err := NewExec(backend, func(g *Graph, in []*Node) []*Node {
		compiled()
		st, d := in[:numStats], in[numStats:]
		li := algo.LossInputs{
			LogProb: st[statLogp], OldLogProb: d[inOldLogp], Advantages: d[inAdv], Mask: d[inMask],
			TokenCount: d[inTokenCount], SeqCount: d[inSeqCount], MicroFraction: d[inMicroFraction],
			RefLogProb: d[inRef], Demo: d[inDemo], Noise: d[inNoise], DemoTokenCount: d[inDemoTokenCount],
		}
		wrt := []*Node{st[statLogp]}
		if lx.req.Entropy {
			li.Entropy = st[statEnt]
			wrt = append(wrt, st[statEnt])
		}
		if lx.req.Values {
			li.Values, li.OldValues, li.Returns = st[statValues], d[inOldValues], d[inReturns]
			wrt = append(wrt, st[statValues])
		}
		if lx.req.LogZ {
			li.LogZ = st[statLogZ]
			wrt = append(wrt, st[statLogZ])
		}
		lo := loss.Build(li)
		out, names := lossOutputs(loss, lo)
		lx.mu.Lock()
		lx.metricNames = names
		lx.mu.Unlock()
		return append(out, Gradient(lo.Loss, wrt...)...)
	})
	if err != nil {
		return nil, err
	}
	lx.exec = ex.SetMaxCache(-1)
	return lx, nil
}
