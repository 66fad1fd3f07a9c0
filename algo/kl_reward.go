package algo

import (
	"fmt"
	"math"
)

// KL in the reward (classic PPO-RLHF, verl use_kl_in_reward, spec §1.4): the per-token KL of the
// rollout policy to the reference is subtracted from the token rewards before the advantage.

// KLInReward returns r[b,t] = scores[b,t] − β·kl(old, ref)[b,t]·mask[b,t] and the batch mean of the
// per-sequence masked-mean KL (what the adaptive controller tracks). old is π_θold (no gradient).
func KLInReward(scores, old, ref, mask [][]float64, beta float64, kind KLType) ([][]float64, float64, error) {
	b, t, err := checkMatrix("token_scores", scores, -1, -1)
	if err != nil {
		return nil, 0, fmt.Errorf("kl in reward: %w", err)
	}
	if err := checkMask("mask", mask, b, t); err != nil {
		return nil, 0, fmt.Errorf("kl in reward: %w", err)
	}
	if _, _, err := checkMatrix("old_log_prob", old, b, t); err != nil {
		return nil, 0, fmt.Errorf("kl in reward: %w", err)
	}
	if beta < 0 || math.IsNaN(beta) {
		return nil, 0, fmt.Errorf("kl in reward: beta %v: want ≥ 0", beta)
	}
	kl, err := KLPenaltyRef(kind, old, ref)
	if err != nil {
		return nil, 0, fmt.Errorf("kl in reward: %w", err)
	}
	out := newMatrix(b, t)
	mean := 0.0
	for i := range out {
		var s, n float64
		for j := range out[i] {
			out[i][j] = scores[i][j] - beta*kl[i][j]*mask[i][j]
			s += kl[i][j] * mask[i][j]
			n += mask[i][j]
		}
		mean += s / (n + maskEps)
	}
	return out, mean / float64(b), nil
}

// AdaptiveKL is verl's adaptive KL coefficient controller: after each step with current KL and n
// rows, β ← β·(1 + clip(current/target − 1, −0.2, 0.2)·n/horizon).
type AdaptiveKL struct {
	// Beta is the current coefficient.
	Beta float64
	// Target is the KL the controller steers towards (verl 0.1).
	Target float64
	// Horizon sets the adaptation speed in rows (verl 10000).
	Horizon int
}

// Update adapts Beta to the measured KL of a step of n rows and returns the new value.
func (c *AdaptiveKL) Update(current float64, n int) (float64, error) {
	if c.Target <= 0 || c.Horizon <= 0 || n <= 0 || math.IsNaN(current) {
		return c.Beta, fmt.Errorf("adaptive kl: target %v, horizon %d, rows %d, kl %v: want positive target/horizon/rows and a number",
			c.Target, c.Horizon, n, current)
	}
	err := clamp(current/c.Target-1, -0.2, 0.2)
	c.Beta *= 1 + err*float64(n)/float64(c.Horizon)
	return c.Beta, nil
}
