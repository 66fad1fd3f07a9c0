package local

import (
	"fmt"
	"github.com/ascent-rl/ascent/algo"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"

	"github.com/ascent-rl/ascent/model"
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
	. "github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
)

// Engine samples from and trains a policy on this machine (trainer.Learner and trainer.Sampler).
// Its methods are safe for concurrent use; they are serialised.
type Engine struct {
	mu      sync.Mutex
	cfg     Config
	backend compute.Backend
	params  *model.Params // the live weights: AdamW updates them in place; the sampler reads them
	refs    []paramRef
	heads   []*head // value / log Z heads, in creation order
	opt     *adamW

	weights  []*tensors.Tensor // params as tensors for the graph; nil when stale
	fwdExecs map[string]*fwdExec
	trExecs  map[string]*trainExec
	fast     *fastState         // the hand-written training path (fast.go); nil until first used
	compiles atomic.Int64       // graphs built (each one a compilation), metric perf/compile_count
	detok    func([]int) string // turns response tokens into text for stop strings; nil: none

	version         int            // incremented whenever the weights change (Update, Load)
	dec             *model.Decoder // cached sampler decoder
	decVersion      int            // weights version dec was built or refreshed at
	scoreDec        *model.Decoder // cached LogProbs decoder
	scoreDecVersion int            // weights version scoreDec was built or refreshed at

	logitsExec       *Exec // last-position logits, for the reference decoder
	referenceSampler bool  // sample with graphDecoder instead of model.Decoder (tests)
	sampleThreads    int   // goroutines the sampler's decoder splits over (0: GOMAXPROCS)
	logProbThreads   int   // goroutines LogProbs' decoder splits over (0: GOMAXPROCS)
}

// head is an auxiliary trained tensor pair outside the HF checkpoint (value or log Z head).
type head struct {
	name string        // "value_head" or "logz_head"
	w, b *model.Tensor // [1, D], [1]
}

// New creates an engine that trains p in place (the caller must not modify p afterwards).
func New(p *model.Params, cfg Config) (*Engine, error) {
	cfg = cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if p == nil {
		return nil, fmt.Errorf("local engine: nil model parameters")
	}
	if err := p.Check(); err != nil {
		return nil, fmt.Errorf("local engine: %w", err)
	}
	if cfg.Backend == "xla" {
		return nil, fmt.Errorf("local engine: backend \"xla\" needs a PJRT plugin and GoMLX's go-xla bindings (cgo), which are not built into this binary; use backend \"go\"")
	}
	opts := backendOptions
	if v, ok := os.LookupEnv("ASCENT_GO_BACKEND_OPTIONS"); ok {
		opts = v
	}
	be, err := gobackend.New(opts)
	if err != nil {
		return nil, fmt.Errorf("local engine: start the go backend: %w", err)
	}
	e := &Engine{cfg: cfg, backend: be, params: p, refs: paramRefs(p),
		fwdExecs: map[string]*fwdExec{}, trExecs: map[string]*trainExec{}}
	var sizes []int
	for _, r := range e.refs {
		sizes = append(sizes, len(r.get().Data))
	}
	e.opt = newAdamW(cfg, sizes)
	return e, nil
}

// Params returns the live weights (read-only for callers; they change after each Update).
func (e *Engine) Params() *model.Params { return e.params }

// CompileCount returns how many graphs the engine has compiled so far.
func (e *Engine) CompileCount() int64 { return e.compiles.Load() }

// Step returns the number of optimizer steps taken (restored by Load).
func (e *Engine) Step() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.opt.step
}

// NextLR returns the learning rate the next optimizer step will use (the schedule at Step).
func (e *Engine) NextLR() float64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.opt.lr(e.opt.step)
}

// weightTensors returns the parameters as tensors, converting them once per weight version.
func (e *Engine) weightTensors() []*tensors.Tensor {
	if e.weights == nil {
		for _, r := range e.refs {
			t := r.get()
			e.weights = append(e.weights, tensors.FromFlatDataAndDimensions(t.Data, t.Shape...))
		}
	}
	return e.weights
}

// invalidate drops the cached weight tensors after the host copy changed.
func (e *Engine) invalidate() {
	e.version++
	for _, t := range e.weights {
		_ = t.FinalizeAll()
	}
	e.weights = nil
}

// getHead returns the named head, creating it (seeded small normal weights, zero bias) on demand.
func (e *Engine) getHead(name string) *head {
	for _, h := range e.heads {
		if h.name == name {
			return h
		}
	}
	D := e.params.Config.HiddenSize
	rng := rand.New(rand.NewPCG(e.cfg.Seed, uint64(len(e.heads)+1)))
	h := &head{name: name, w: &model.Tensor{Shape: []int{1, D}, Data: make([]float32, D)},
		b: &model.Tensor{Shape: []int{1}, Data: make([]float32, 1)}}
	for i := range h.w.Data {
		h.w.Data[i] = float32(rng.NormFloat64() * 0.02)
	}
	e.heads = append(e.heads, h)
	e.opt.addTensor(D)
	e.opt.addTensor(1)
	return h
}

// headIndex returns the optimizer slot of a head's weight (bias is the next slot).
func (e *Engine) headIndex(h *head) int {
	for i, x := range e.heads {
		if x == h {
			return len(e.refs) + 2*i
		}
	}
	panic("local engine: unknown head " + h.name)
}

// microRows is the micro-batch size to use: the option when set, else the config's.
func (e *Engine) microRows(opt int) int {
	if opt > 0 {
		return opt
	}
	return e.cfg.MicroBatchRows
}

// newDecoder returns the decoder for a sampling chunk: the model package's KV-cache decoder,
// reused across calls of the same shape and refreshed (a cheap copy) when the weights changed
// since it was built; or the graph reference decoder when referenceSampler is set.
func (e *Engine) newDecoder(rows, maxLen int) (decoder, error) {
	if e.referenceSampler {
		return e.newGraphDecoder(rows), nil
	}
	if e.dec == nil || e.dec.Rows() != rows || e.dec.MaxLen() != maxLen {
		e.dec, e.decVersion = model.NewDecoder(e.params, rows, maxLen), e.version
	} else if e.decVersion != e.version {
		e.dec.Refresh()
		e.decVersion = e.version
	}
	e.dec.SetThreads(e.sampleThreads)
	return e.dec, nil
}

// backendOptions configures the go backend (the environment variable ASCENT_GO_BACKEND_OPTIONS
// overrides it, for experiments such as "parallelism=-1"). ops_sequential runs one graph node at a time (each
// node still parallelises internally): with the default inter-node parallelism, several matmul
// nodes that each wait for the worker pool to free a slot deadlock it (observed on a 32×64
// training step; compute v0.1.6 workerspool.Saturate does not release its own slot).
var backendOptions = "ops_sequential"

// EnsureHeads creates the heads a loss needs (the value head for Requirements.Values, the log Z
// head for Requirements.LogZ) before the first Update, so that LogProbs already returns critic
// values for PPO's first advantage estimate. Heads are created in the same order Update would
// create them, so checkpoints do not depend on which call came first.
func (e *Engine) EnsureHeads(req algo.Requirements) {
	if req.Values {
		e.getHead("value_head")
	}
	if req.LogZ {
		e.getHead("logz_head")
	}
}
