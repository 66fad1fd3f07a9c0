package algo

import "fmt"

// Route is where HPT sends one prompt's data this step.
type Route string

// HPT routes (mix_trainer.select_on_off_ada_balance, unify_strategy = "switch").
const (
	// RouteSFT drops the rollouts and trains on the prompt's demonstration with SFT.
	RouteSFT Route = "SFT"
	// RouteOff drops the rollouts and adds the demonstration flagged off-policy (dead in the
	// released configs, where switch_gate_off == switch_gate).
	RouteOff Route = "OFF"
	// RouteRL keeps the rollouts for the RL term; no demonstration.
	RouteRL Route = "RL"
)

// HPTRoute is HPT's per-question switch (spec §7.3): with nCorrect of n rollouts verified correct,
//
//	nCorrect ≤ gate     → RouteSFT   (the model mostly fails: imitate the demonstration)
//	nCorrect ≤ gateOff  → RouteOff
//	otherwise           → RouteRL
//
// gate is γ as a count (0 for Qwen2.5-Math-7B, 2 for LLaMA-3.1-8B); the paper writes it on P = nCorrect/n.
func HPTRoute(nCorrect, n, gate, gateOff int) (Route, error) {
	switch {
	case n <= 0:
		return "", fmt.Errorf("hpt route: n_rollouts %d: want > 0", n)
	case nCorrect < 0 || nCorrect > n:
		return "", fmt.Errorf("hpt route: n_correct %d: want in [0, %d]", nCorrect, n)
	case gate < 0 || gateOff < gate:
		return "", fmt.Errorf("hpt route: switch_gate %d / switch_gate_off %d: want 0 ≤ gate ≤ gate_off", gate, gateOff)
	case nCorrect <= gate:
		return RouteSFT, nil
	case nCorrect <= gateOff:
		return RouteOff, nil
	}
	return RouteRL, nil
}
