package local

import (
	"math"
	"runtime"
	"sync"
)

// adamW is AdamW with decoupled weight decay, run on the host over float32 slices. Moments are
// float32 like the weights; the step counter drives bias correction and, counted from origin, the
// LR schedule.
type adamW struct {
	cfg    Config
	step   int         // completed optimizer steps
	origin int         // the step this engine's schedule starts at: the handed-over step count, 0 otherwise
	m, v   [][]float32 // first and second moments, one per parameter tensor
}

// newAdamW allocates moments for tensors of the given sizes.
func newAdamW(cfg Config, sizes []int) *adamW {
	o := &adamW{cfg: cfg}
	for _, n := range sizes {
		o.m = append(o.m, make([]float32, n))
		o.v = append(o.v, make([]float32, n))
	}
	return o
}

// addTensor appends moments for a tensor created after the optimizer (a value or log Z head).
func (o *adamW) addTensor(n int) {
	o.m = append(o.m, make([]float32, n))
	o.v = append(o.v, make([]float32, n))
}

// lr returns the learning rate of optimizer step `step` (0-based, counted from the first step
// the moments saw): linear warm-up, then constant or cosine decay to MinLRRatio·LR at TotalSteps,
// both counted from origin. A schedule continued from an SFT warm-up's moments therefore starts
// at its own beginning, not TotalSteps into itself (where cosine is at its floor).
func (o *adamW) lr(step int) float64 {
	c := o.cfg
	step -= o.origin
	if c.WarmupSteps > 0 && step < c.WarmupSteps {
		return c.LR * float64(step+1) / float64(c.WarmupSteps)
	}
	if c.Schedule == "cosine" {
		span := c.TotalSteps - c.WarmupSteps
		progress := 1.0
		if span > 0 {
			progress = math.Min(1, float64(step-c.WarmupSteps)/float64(span))
		}
		minLR := c.MinLRRatio * c.LR
		return minLR + (c.LR-minLR)*0.5*(1+math.Cos(math.Pi*progress))
	}
	return c.LR
}

// applySlots takes one step: params[i] -= lr·(m̂/(√v̂+eps)) + lr·wd·params[i], with decay only
// where decay[i]; params[i] uses moment slot slots[i]. grads are already clipped. It returns the
// learning rate used.
func (o *adamW) applySlots(params, grads [][]float32, decay []bool, slots []int) float64 {
	lr := o.lr(o.step)
	o.step++
	b1, b2 := o.cfg.Beta1, o.cfg.Beta2
	bc1 := 1 - math.Pow(b1, float64(o.step))
	bc2 := 1 - math.Pow(b2, float64(o.step))
	stepSize := float32(lr / bc1)
	invBC2 := float32(1 / math.Sqrt(bc2))
	eps := float32(o.cfg.Eps)
	fb1, fb2 := float32(b1), float32(b2)
	for i, p := range params {
		g, m, v := grads[i], o.m[slots[i]], o.v[slots[i]]
		wd := float32(0)
		if decay[i] {
			wd = float32(lr * o.cfg.WeightDecay)
		}
		u := adamWStep{b1: fb1, b2: fb2, stepSize: stepSize, invBC2: invBC2, eps: eps, wd: wd}
		splitRange(len(p), 1<<16, func(lo, hi int) { // elements are independent: any split gives the same bits
			u.apply(p[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi])
		})
	}
	return lr
}

// splitRange runs f over [0, n) in GOMAXPROCS contiguous parts, one goroutine each, when n ≥ minN.
func splitRange(n, minN int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers < 2 || n < minN {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(n*w/workers, n*(w+1)/workers)
		}()
	}
	f(0, n/workers)
	wg.Wait()
}

// clipGrads scales grads so that their global L2 norm is at most maxNorm (≤ 0: no clipping) and
// returns the norm before clipping.
func clipGrads(grads [][]float32, maxNorm float64) float64 {
	var sq float64
	for _, g := range grads {
		for _, x := range g {
			sq += float64(x) * float64(x)
		}
	}
	norm := math.Sqrt(sq)
	if maxNorm > 0 && norm > maxNorm {
		scale := float32(maxNorm / (norm + 1e-6))
		for _, g := range grads {
			for j := range g {
				g[j] *= scale
			}
		}
	}
	return norm
}
