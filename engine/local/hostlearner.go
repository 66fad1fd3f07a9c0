package local

import (
	"fmt"
	"math"
	"os"
	"sync/atomic"

	"github.com/ascent-rl/ascent/algo"
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/gobackend"
	"github.com/gomlx/gomlx/core/tensors"
)

// HostLearner is the engine's host-side update machinery for a trainer that runs its own network —
// the vision-language-action policy (package vla): a model/train pass with an input-embedding
// prefix plus the weights of its patch projection, which Engine.Update's token rows cannot carry.
// It offers the fast path's loss graph (the algo loss on per-token statistics, with its gradient
// with respect to the log-probs) and the engine's step: global gradient-norm clipping and AdamW
// over any list of float32 tensors. Not safe for concurrent use.
type HostLearner struct {
	cfg      Config
	backend  compute.Backend
	opt      *adamW
	decay    []bool
	execs    map[string]*lossExec
	compiles atomic.Int64
}

// NewHostLearner returns a learner for tensors of the given sizes; decay[i] says whether weight decay
// applies to tensor i (matrices, not norms or biases).
func NewHostLearner(cfg Config, sizes []int, decay []bool) (*HostLearner, error) {
	cfg = cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(sizes) != len(decay) {
		return nil, fmt.Errorf("learner: %d tensor sizes but %d decay flags", len(sizes), len(decay))
	}
	opts := backendOptions
	if v, ok := os.LookupEnv("ASCENT_GO_BACKEND_OPTIONS"); ok {
		opts = v
	}
	be, err := gobackend.New(opts)
	if err != nil {
		return nil, fmt.Errorf("learner: start the go backend: %w", err)
	}
	return &HostLearner{cfg: cfg, backend: be, opt: newAdamW(cfg, sizes), decay: decay, execs: map[string]*lossExec{}}, nil
}

// StatBatch is one micro-batch of per-token statistics for LossGrad, every slice [B·T] row-major.
type StatBatch struct {
	B, T                 int
	LogProb, OldLogProb  []float32 // current and rollout-time log-probs of the sampled tokens
	Advantages, Mask     []float32
	TokenCount, SeqCount int     // whole-mini-batch Σ mask and non-empty rows
	MicroFraction        float64 // rows here / rows in the mini-batch
}

// LossGrad evaluates loss on the statistics and returns its value, its metrics (this micro-batch's
// additive shares) and the gradient of the loss with respect to each log-prob, [B·T]. Losses that
// need entropies, values, log Z or reference log-probs are refused.
func (l *HostLearner) LossGrad(loss algo.Loss, b StatBatch) (float64, map[string]float64, []float32, error) {
	req := loss.Requirements()
	if req.Entropy || req.Values || req.LogZ || req.Ref || req.Noise {
		return 0, nil, nil, fmt.Errorf("learner: loss %q needs %+v; the learner supplies log-probs only", loss.Name(), req)
	}
	N := b.B * b.T
	for name, s := range map[string][]float32{"log_prob": b.LogProb, "old_log_prob": b.OldLogProb, "advantages": b.Advantages, "mask": b.Mask} {
		if len(s) != N {
			return 0, nil, nil, fmt.Errorf("learner: %s has %d values, want B·T = %d·%d", name, len(s), b.B, b.T)
		}
	}
	key := fmt.Sprintf("%s|%T|%+v", loss.Name(), loss, loss)
	lx, ok := l.execs[key]
	if !ok {
		var err error
		if lx, err = newLossExec(l.backend, loss, func() { l.compiles.Add(1) }); err != nil {
			return 0, nil, nil, err
		}
		l.execs[key] = lx
	}
	zeros := make([]float32, N)
	data := make([]any, numDataInputs)
	data[inTokens] = tensors.FromFlatDataAndDimensions(make([]int32, N), b.B, b.T)
	data[inIdx] = tensors.FromFlatDataAndDimensions(make([]int32, 3*N), b.B, b.T, 3)
	data[inTemp] = tensors.FromScalar(float32(1))
	data[inMask] = tensorOf(b.Mask, b.B, b.T)
	data[inOldLogp] = tensorOf(b.OldLogProb, b.B, b.T)
	data[inAdv] = tensorOf(b.Advantages, b.B, b.T)
	data[inRef], data[inOldValues], data[inReturns] = tensorOf(zeros, b.B, b.T), tensorOf(zeros, b.B, b.T), tensorOf(zeros, b.B, b.T)
	data[inNoise], data[inPromptMask] = tensorOf(zeros, b.B, b.T), tensorOf(zeros, b.B, b.T)
	data[inDemo] = tensorOf(make([]float32, b.B), b.B)
	data[inTokenCount] = tensors.FromScalar(float32(b.TokenCount))
	data[inSeqCount] = tensors.FromScalar(float32(b.SeqCount))
	data[inDemoTokenCount] = tensors.FromScalar(float32(0))
	data[inMicroFraction] = tensors.FromScalar(float32(b.MicroFraction))
	args := append([]any{tensorOf(b.LogProb, b.B, b.T), tensorOf(zeros, b.B, b.T), tensorOf(zeros, b.B, b.T), tensorOf(make([]float32, b.B), b.B)}, data...)
	outs, err := lx.exec.Call(args...)
	if err != nil {
		return 0, nil, nil, err
	}
	defer finalize(outs)
	lx.mu.Lock()
	names := lx.metricNames
	lx.mu.Unlock()
	if len(outs) != 2+len(names) {
		return 0, nil, nil, fmt.Errorf("learner: loss graph returned %d outputs, expected %d", len(outs), 2+len(names))
	}
	metrics := map[string]float64{}
	for i, n := range names {
		metrics[n] = float64(scalar(outs[1+i]))
	}
	grad := make([]float32, N)
	if err := tensors.ConstFlatData(outs[1+len(names)], func(g []float32) { copy(grad, g) }); err != nil {
		return 0, nil, nil, fmt.Errorf("learner: read the log-prob gradient: %w", err)
	}
	return float64(scalar(outs[0])), metrics, grad, nil
}

// Step clips the global gradient norm to Config.GradClip and applies one AdamW step to params
// (grads[i] is params[i]'s gradient; both in the order of the sizes given to NewHostLearner). A
// non-finite norm skips the update. It returns the norm before clipping and the learning rate.
func (l *HostLearner) Step(params, grads [][]float32) (norm, lr float64, skipped bool, err error) {
	if len(params) != len(l.decay) || len(grads) != len(params) {
		return 0, 0, false, fmt.Errorf("learner: step of %d tensors and %d gradients, want %d", len(params), len(grads), len(l.decay))
	}
	for i := range params {
		if len(params[i]) != len(grads[i]) || len(params[i]) != len(l.opt.m[i]) {
			return 0, 0, false, fmt.Errorf("learner: tensor %d has %d values and %d gradients, want %d", i, len(params[i]), len(grads[i]), len(l.opt.m[i]))
		}
	}
	norm = clipGrads(grads, l.cfg.GradClip)
	lr = l.opt.lr(l.opt.step)
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		return norm, lr, true, nil
	}
	slots := make([]int, len(params))
	for i := range slots {
		slots[i] = i
	}
	l.opt.applySlots(params, grads, l.decay, slots)
	return norm, lr, false, nil
}

// Compiles counts the loss graphs compiled so far.
func (l *HostLearner) Compiles() int64 { return l.compiles.Load() }

// SetLR changes the peak learning rate (from the next Step; moments are kept).
func (l *HostLearner) SetLR(lr float64) { l.cfg.LR, l.opt.cfg.LR = lr, lr }
