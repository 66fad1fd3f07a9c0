package algo

import (
	"fmt"
	"math"

	. "github.com/gomlx/gomlx/core/graph"
)

// RefPolicy is part 2 of the unified estimator (spec §7.2): the policy π_ref that the likelihood
// gradient ∇π_θ is divided by.
type RefPolicy int

const (
	// RefOld is π_ref = π_θold: the token importance ratio ρ = π_θ/π_θold (PPO, GRPO, DAPO, CISPO).
	RefOld RefPolicy = iota
	// RefCurrent is π_ref = π_θ: the gradient is ∇log π_θ and the surrogate value is −Â·log π_θ
	// (SFT with Â = 1, REINFORCE).
	RefCurrent
	// RefSequence is GSPO's π_ref = π_θ·(π_θold(τ)/π_θ(τ))^{1/|τ|}: every token of a row carries the
	// row's length-normalised sequence ratio s = exp(mean_t(logp − old)) (gradient through log π_θ only).
	RefSequence
	// RefOne is π_ref ≡ 1: the weight is π_θ itself (LUFFY/SRFT demonstration tokens whose behaviour
	// probability is unknown).
	RefOne
)

// Stabiliser is part 1 of the unified estimator: the mask 1_stable that zeroes gradients of tokens
// that would move the policy too far.
type Stabiliser int

const (
	// StabNone keeps every token (SFT, REINFORCE, HPT's unclipped RL term, KL-Cov, LUFFY off-policy).
	StabNone Stabiliser = iota
	// StabClip is PPO's clip: ℓ = max(−Â·w, −Â·clip(w, 1−ε_low, 1+ε_high)), plus the dual clip
	// min(ℓ, −Â·c) for Â < 0 when DualClip > 1 (verl's compute_policy_loss_vanilla).
	StabClip
	// StabCIS is CISPO's clipped importance sampling: ℓ = −sg(clip(ρ, 1−ε_low, 1+ε_high))·Â·log π_θ;
	// no token is dropped, the weight is clipped and treated as a constant. Needs RefOld.
	StabCIS
)

// Kernel is the one token-level policy-gradient estimator of the unified view (spec §7.2):
//
//	∇ℓ_t = −1_stable · (1/π_ref) · Â_t · ∇π_θ
//
// Every policy loss in this package is a preset of it (plus, for a few methods, a selection mask or
// an extra term computed outside: Clip-Cov, KL-Cov, HPT's SFT rows). Â (part 3) is an input; ∇π_θ
// (part 4) comes from autodiff through LogProb.
type Kernel struct {
	// Ref chooses the denominator π_ref (part 2).
	Ref RefPolicy
	// Stab chooses the stabilisation mask (part 1).
	Stab Stabiliser
	// ClipLow is ε_low: the ratio's lower bound is 1 − ε_low (StabClip, StabCIS).
	ClipLow float64
	// ClipHigh is ε_high: the ratio's upper bound is 1 + ε_high (DAPO clip-higher: 0.28).
	ClipHigh float64
	// DualClip is c of the dual clip (verl clip_ratio_c, 3 by default); ≤ 1 disables it.
	DualClip float64
	// LogRatioClamp clamps logp − old to ±LogRatioClamp before exp (verl vanilla: 20); 0 = none.
	LogRatioClamp float64
	// SeqLogRatioMax caps GSPO's log sequence ratio from above (verl: 10); 0 = none.
	SeqLogRatioMax float64
	// Shape is LUFFY's policy-shaping γ: the weight w becomes w/(w+γ); 0 = no shaping.
	Shape float64
}

// Validate reports whether k is a consistent kernel.
func (k Kernel) Validate() error {
	if k.ClipLow < 0 || k.ClipHigh < 0 {
		return fmt.Errorf("kernel: clip_low %v / clip_high %v: want ≥ 0", k.ClipLow, k.ClipHigh)
	}
	if k.Stab == StabCIS && k.Ref != RefOld {
		return fmt.Errorf("kernel: CISPO's clipped IS weight needs the π_old reference (RefOld)")
	}
	if k.Stab != StabNone && k.Ref == RefCurrent {
		return fmt.Errorf("kernel: clipping needs a ratio; π_ref = π_θ has none")
	}
	if k.Shape < 0 || k.LogRatioClamp < 0 || k.SeqLogRatioMax < 0 {
		return fmt.Errorf("kernel: shape %v, log_ratio_clamp %v, seq_log_ratio_max %v: want ≥ 0", k.Shape, k.LogRatioClamp, k.SeqLogRatioMax)
	}
	return nil
}

// KernelTerms are the per-token outputs of Kernel.Build, all [B, T] and unmasked.
type KernelTerms struct {
	Loss        *Node // [B, T] per-token surrogate loss ℓ
	Ratio       *Node // [B, T] importance weight value (1 for RefCurrent)
	Clipped     *Node // [B, T] 1 where the clipped branch is taken (StabClip: L2 > L1; StabCIS: ρ outside the band)
	DualClipped *Node // [B, T] 1 where the dual-clip bound −Â·c caps the loss
	LogRatio    *Node // [B, T] logp − old after the clamp (zeros for RefCurrent/RefOne)
}

// Build adds the kernel to the graph. logp [B, T] carries the gradient; old [B, T] (nil allowed for
// RefCurrent and RefOne), adv [B, T] and mask [B, T] are constants. Panics on an invalid kernel.
func (k Kernel) Build(logp, old, adv, mask *Node) KernelTerms {
	if err := k.Validate(); err != nil {
		panic(err)
	}
	zeros := ZerosLike(logp)
	t := KernelTerms{Clipped: zeros, DualClipped: zeros, LogRatio: zeros}
	var w *Node // the weight whose value multiplies −Â
	switch k.Ref {
	case RefOld, RefSequence:
		if old == nil {
			panic(fmt.Errorf("kernel: OldLogProb is nil but π_ref = π_old needs it"))
		}
		lr := Sub(logp, old)
		if k.LogRatioClamp > 0 {
			lr = ClipScalar(lr, -k.LogRatioClamp, k.LogRatioClamp)
		}
		t.LogRatio = lr
		if k.Ref == RefOld {
			w = Exp(lr)
		} else {
			n := Max(ReduceSum(mask, 1), OnesLike(ReduceSum(mask, 1)))
			seq := StopGradient(Div(ReduceSum(Mul(Sub(logp, old), mask), 1), n)) // [B]
			lw := Add(Sub(logp, StopGradient(logp)), ExpandAxes(seq, 1))
			if k.SeqLogRatioMax > 0 {
				lw = Min(lw, Scalar(logp.Graph(), logp.DType(), k.SeqLogRatioMax))
			}
			w = Exp(lw)
		}
	case RefCurrent:
		w = logp
	case RefOne:
		w = Exp(logp)
	}
	if k.Shape > 0 {
		w = Div(w, AddScalar(w, k.Shape))
	}
	t.Ratio = w
	if k.Ref == RefCurrent {
		t.Ratio = OnesLike(logp)
	}
	negA := Neg(adv)
	switch k.Stab {
	case StabNone:
		t.Loss = Mul(negA, w)
	case StabClip:
		l1 := Mul(negA, w)
		l2 := Mul(negA, ClipScalar(w, 1-k.ClipLow, 1+k.ClipHigh))
		loss := Max(l1, l2)
		t.Clipped = ConvertDType(GreaterThan(l2, l1), logp.DType())
		if k.DualClip > 1 {
			l3 := MulScalar(negA, k.DualClip)
			neg := LessThan(adv, zeros)
			t.DualClipped = ConvertDType(And(GreaterThan(loss, l3), neg), logp.DType())
			loss = Where(neg, Min(loss, l3), loss)
		}
		t.Loss = loss
	case StabCIS:
		lo, hi := 1-k.ClipLow, 1+k.ClipHigh
		cw := StopGradient(ClipScalar(w, lo, hi))
		t.Loss = Mul(Mul(negA, cw), logp)
		outside := Or(LessThan(w, Scalar(logp.Graph(), logp.DType(), lo)), GreaterThan(w, Scalar(logp.Graph(), logp.DType(), hi)))
		t.Clipped = ConvertDType(outside, logp.DType())
	}
	return t
}

// KernelRef holds the plain-Go per-token outputs of the kernel ([B][T], unmasked), mirroring
// KernelTerms.
type KernelRef struct {
	Loss        [][]float64 // [B][T] per-token surrogate loss
	Ratio       [][]float64 // [B][T] importance weight value
	Clipped     [][]float64 // [B][T] 1 where the clipped branch is taken
	DualClipped [][]float64 // [B][T] 1 where the dual clip caps the loss
	LogRatio    [][]float64 // [B][T] logp − old after the clamp
}

// Forward is the plain-Go reference of Build (forward values only). old may be nil for RefCurrent/RefOne.
func (k Kernel) Forward(logp, old, adv, mask [][]float64) (KernelRef, error) {
	if err := k.Validate(); err != nil {
		return KernelRef{}, err
	}
	b, t, err := checkMatrix("log_prob", logp, -1, -1)
	if err != nil {
		return KernelRef{}, err
	}
	if _, _, err := checkMatrix("advantages", adv, b, t); err != nil {
		return KernelRef{}, err
	}
	if _, _, err := checkMatrix("mask", mask, b, t); err != nil {
		return KernelRef{}, err
	}
	needOld := k.Ref == RefOld || k.Ref == RefSequence
	if needOld {
		if _, _, err := checkMatrix("old_log_prob", old, b, t); err != nil {
			return KernelRef{}, err
		}
	}
	r := KernelRef{Loss: newMatrix(b, t), Ratio: newMatrix(b, t), Clipped: newMatrix(b, t), DualClipped: newMatrix(b, t), LogRatio: newMatrix(b, t)}
	for i := 0; i < b; i++ {
		seq := 0.0
		if k.Ref == RefSequence {
			var s, n float64
			for j := 0; j < t; j++ {
				s += (logp[i][j] - old[i][j]) * mask[i][j]
				n += mask[i][j]
			}
			seq = s / max(n, 1)
			if k.SeqLogRatioMax > 0 {
				seq = min(seq, k.SeqLogRatioMax)
			}
		}
		for j := 0; j < t; j++ {
			var w float64
			switch k.Ref {
			case RefOld, RefSequence:
				lr := logp[i][j] - old[i][j]
				if k.LogRatioClamp > 0 {
					lr = clamp(lr, -k.LogRatioClamp, k.LogRatioClamp)
				}
				r.LogRatio[i][j] = lr
				w = math.Exp(lr)
				if k.Ref == RefSequence {
					w = math.Exp(seq)
				}
			case RefCurrent:
				w = logp[i][j]
			case RefOne:
				w = math.Exp(logp[i][j])
			}
			if k.Shape > 0 {
				w = w / (w + k.Shape)
			}
			r.Ratio[i][j] = w
			if k.Ref == RefCurrent {
				r.Ratio[i][j] = 1
			}
			a := adv[i][j]
			switch k.Stab {
			case StabNone:
				r.Loss[i][j] = -a * w
			case StabClip:
				l1, l2 := -a*w, -a*clamp(w, 1-k.ClipLow, 1+k.ClipHigh)
				l := math.Max(l1, l2)
				if l2 > l1 {
					r.Clipped[i][j] = 1
				}
				if k.DualClip > 1 && a < 0 {
					l3 := -a * k.DualClip
					if l > l3 {
						r.DualClipped[i][j] = 1
					}
					l = math.Min(l, l3)
				}
				r.Loss[i][j] = l
			case StabCIS:
				lo, hi := 1-k.ClipLow, 1+k.ClipHigh
				r.Loss[i][j] = -a * clamp(w, lo, hi) * logp[i][j]
				if w < lo || w > hi {
					r.Clipped[i][j] = 1
				}
			}
		}
	}
	return r, nil
}

// newMatrix returns a zero [b][t] matrix.
func newMatrix(b, t int) [][]float64 {
	m := make([][]float64, b)
	for i := range m {
		m[i] = make([]float64, t)
	}
	return m
}

// clamp limits x to [lo, hi].
func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }
