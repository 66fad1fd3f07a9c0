package algo

import (
	"fmt"
	"math"
)

// Entropy dynamics of a softmax policy (Cui et al., arXiv 2505.22617, spec §4.1–4.2): the
// covariance identity that motivates Clip-Cov and KL-Cov, for one state. To first order in η,
//
//	ΔH ≈ −η · Cov_{a∼π}(log π(a), Δz(a)/η)
//
// with Δz = η·A for natural policy gradient and Δz = η·π·A for tabular vanilla policy gradient.

// PGUpdate names the logit update of EntropyStep.
type PGUpdate string

// Policy-gradient logit updates.
const (
	// NaturalPG is z ← z + η·A.
	NaturalPG PGUpdate = "natural_pg"
	// VanillaPG is z ← z + η·π·A (tabular softmax).
	VanillaPG PGUpdate = "vanilla_pg"
)

// EntropyStepResult compares the exact entropy change of one update with the covariance prediction.
type EntropyStepResult struct {
	Probs           []float64 // π before the update
	EntropyBefore   float64   // H(π)
	EntropyAfter    float64   // H after the exact update
	DeltaExact      float64   // EntropyAfter − EntropyBefore
	DeltaFirstOrder float64   // −η·Covariance
	Covariance      float64   // Cov_π(log π, A) (natural) or Cov_π(log π, π·A) (vanilla)
}

// EntropyStep applies one update with step eta to logits z given per-action advantages adv.
func EntropyStep(z, adv []float64, eta float64, update PGUpdate) (EntropyStepResult, error) {
	if len(z) < 2 || len(adv) != len(z) {
		return EntropyStepResult{}, fmt.Errorf("entropy step: %d logits and %d advantages: want the same count ≥ 2", len(z), len(adv))
	}
	if err := checkVector("logits", z, -1); err != nil {
		return EntropyStepResult{}, fmt.Errorf("entropy step: %w", err)
	}
	if err := checkVector("advantages", adv, -1); err != nil {
		return EntropyStepResult{}, fmt.Errorf("entropy step: %w", err)
	}
	if update != NaturalPG && update != VanillaPG {
		return EntropyStepResult{}, fmt.Errorf("entropy step: update %q: valid: %s, %s", update, NaturalPG, VanillaPG)
	}
	lse := logSumExp(z)
	p, lp := make([]float64, len(z)), make([]float64, len(z))
	for i, v := range z {
		lp[i] = v - lse
		p[i] = math.Exp(lp[i])
	}
	dir := make([]float64, len(z)) // Δz / η
	for i := range z {
		dir[i] = adv[i]
		if update == VanillaPG {
			dir[i] = p[i] * adv[i]
		}
	}
	var mlp, md float64
	for i := range p {
		mlp += p[i] * lp[i]
		md += p[i] * dir[i]
	}
	cov := 0.0
	for i := range p {
		cov += p[i] * (lp[i] - mlp) * (dir[i] - md)
	}
	next := make([]float64, len(z))
	for i := range z {
		next[i] = z[i] + eta*dir[i]
	}
	r := EntropyStepResult{Probs: p, EntropyBefore: EntropyFromLogitsRef(z), EntropyAfter: EntropyFromLogitsRef(next), Covariance: cov}
	r.DeltaExact = r.EntropyAfter - r.EntropyBefore
	r.DeltaFirstOrder = -eta * cov
	return r, nil
}

// EntropyLaw is the empirical entropy–performance law R = −a·e^H + b (spec §4.1): the performance
// predicted at policy entropy H; R(0) = b − a is the ceiling once entropy is exhausted. (Fitting a and
// b to a run is the dashboard's job.)
func EntropyLaw(h, a, b float64) float64 { return -a*math.Exp(h) + b }
