package local

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// graphDecoder is the slow, obviously correct decoder: every step re-runs the full GoMLX forward
// pass over each row's whole prefix and reads the last position's logits. The sampler uses it
// when Engine.referenceSampler is set (tests compare it with the fast decoder).
type graphDecoder struct {
	e    *Engine
	hist [][]int // [rows][prefix] token history
}

func (e *Engine) newGraphDecoder(rows int) *graphDecoder {
	return &graphDecoder{e: e, hist: make([][]int, rows)}
}

// Prefill implements decoder.
func (d *graphDecoder) Prefill(row int, tokens []int) ([]float32, error) {
	d.hist[row] = append([]int(nil), tokens...)
	ls, err := d.e.lastLogits([][]int{d.hist[row]})
	if err != nil {
		return nil, err
	}
	return ls[0], nil
}

// Step implements decoder.
func (d *graphDecoder) Step(tokens []int, active []bool) ([][]float32, error) {
	var seqs [][]int
	var which []int
	for r, a := range active {
		if a {
			d.hist[r] = append(d.hist[r], tokens[r])
			seqs, which = append(seqs, d.hist[r]), append(which, r)
		}
	}
	out := make([][]float32, len(active))
	if len(seqs) == 0 {
		return out, nil
	}
	ls, err := d.e.lastLogits(seqs)
	if err != nil {
		return nil, err
	}
	for i, r := range which {
		out[r] = ls[i]
	}
	return out, nil
}

// CopyRow implements decoder.
func (d *graphDecoder) CopyRow(dst, src int) { d.hist[dst] = append([]int(nil), d.hist[src]...) }

// lastLogits runs the GoMLX forward over right-padded sequences and returns each one's logits
// after its last token ([len(seqs)][V], untempered).
func (e *Engine) lastLogits(seqs [][]int) ([][]float32, error) {
	cfg := e.params.Config
	maxLen := 0
	for _, s := range seqs {
		maxLen = max(maxLen, len(s))
	}
	B, T := bucketRows(len(seqs), 1<<30), bucketLen(maxLen)
	tokens := make([]int32, B*T)
	last := make([]int32, B*2) // (b, len-1) pairs
	for b, s := range seqs {
		for t, x := range s {
			tokens[b*T+t] = int32(x)
		}
		last[2*b], last[2*b+1] = int32(b), int32(len(s)-1)
	}
	for b := len(seqs); b < B; b++ {
		last[2*b] = int32(b)
	}
	if e.logitsExec == nil {
		np := len(e.refs)
		ex, err := NewExec(e.backend, func(g *Graph, in []*Node) *Node {
			e.compiles.Add(1)
			w := unpackWeights(cfg, in[:np])
			hidden := forwardHidden(cfg, w, in[np])                      // [B, T, D]
			h := Gather(hidden, in[np+1])                                // [B, D]
			return DotGeneral(h, []int{1}, nil, w.lmHead, []int{1}, nil) // [B, V]
		})
		if err != nil {
			return nil, err
		}
		e.logitsExec = ex.SetMaxCache(-1)
	}
	args := []any{}
	for _, t := range e.weightTensors() {
		args = append(args, t)
	}
	args = append(args, tensors.FromFlatDataAndDimensions(tokens, B, T), tensors.FromFlatDataAndDimensions(last, B, 2))
	outs, err := e.logitsExec.Call(args...)
	if err != nil {
		return nil, fmt.Errorf("reference decoder: %w", err)
	}
	defer finalize(outs)
	if outs[0].DType() != dtypes.Float32 {
		return nil, fmt.Errorf("reference decoder: logits dtype %s", outs[0].DType())
	}
	flat, err := tensors.CopyFlatData[float32](outs[0])
	if err != nil {
		return nil, err
	}
	V := cfg.VocabSize
	res := make([][]float32, len(seqs))
	for b := range res {
		res[b] = flat[b*V : (b+1)*V]
	}
	return res, nil
}
