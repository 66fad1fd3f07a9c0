package algo

import (
	"fmt"
	"math"

	"github.com/ascent-rl/ascent/internal/registry"
)

// AdvantageInputs is one RL step's scored batch, in plain Go (advantages are computed once per step,
// outside the graph).
type AdvantageInputs struct {
	// TokenRewards [B][T] is verl's token_level_rewards: the outcome reward at each row's last valid
	// token (optionally minus a KL penalty for PPO), zero elsewhere. Sequence score = row sum.
	TokenRewards [][]float64
	// Mask [B][T] is 1 for real response tokens.
	Mask [][]float64
	// Group [B] is the prompt id of each row (group estimators); rows of a prompt need not be contiguous.
	Group []string
	// Values [B][T] are critic values on response positions (GAE only).
	Values [][]float64
	// Demo [B] marks demonstration rows (HPT): they are left out of the group statistics and get
	// advantage 0 (their loss is SFT). Optional.
	Demo []bool
}

// AdvantageOutput holds the estimator's results.
type AdvantageOutput struct {
	// Advantages [B][T] per token, zero (or whitening garbage for GAE) on padding; consumers mask.
	Advantages [][]float64
	// Returns [B][T]: value targets for GAE (raw GAE + V); equal to Advantages for outcome estimators.
	Returns [][]float64
	// PerSequence [B] is the scalar advantage of each row for outcome estimators; nil for token-level ones.
	PerSequence []float64
	// Raw [B][T] is the advantage before whitening (GAE, REINFORCE++); nil otherwise.
	Raw [][]float64
}

// AdvantageEstimator computes advantages from a scored batch (spec §7.2 part 3, Â).
type AdvantageEstimator interface {
	// Name is the registry name.
	Name() string
	// Compute returns the advantages or an error naming the bad input (shape, NaN, missing group).
	Compute(in AdvantageInputs) (AdvantageOutput, error)
}

// AdvantageConfig selects an estimator by name and carries every estimator's parameters.
type AdvantageConfig struct {
	// Estimator is the registry name (see AdvantageNames).
	Estimator string `json:"estimator" yaml:"estimator"`
	// Epsilon is added to the group std in GRPO's denominator (verl 1e-6).
	Epsilon float64 `json:"epsilon,omitempty" yaml:"epsilon,omitempty"`
	// NormByStd divides GRPO advantages by the group std (verl norm_adv_by_std_in_grpo, true);
	// false is Dr.GRPO. Estimator "drgrpo" forces false.
	NormByStd bool `json:"norm_by_std" yaml:"norm_by_std"`
	// Gamma is the discount (GAE, REINFORCE++; verl 1.0).
	Gamma float64 `json:"gamma,omitempty" yaml:"gamma,omitempty"`
	// Lambda is GAE's λ (verl 1.0).
	Lambda float64 `json:"lambda,omitempty" yaml:"lambda,omitempty"`
}

// AdvantageFactory builds an estimator from its config.
type AdvantageFactory func(cfg AdvantageConfig) (AdvantageEstimator, error)

// advantages is the advantage-estimator registry.
var advantages = registry.New[AdvantageFactory]("algo", "advantage estimator")

// Register adds an advantage estimator under name; it panics on an empty or duplicate name.
func Register(name string, f AdvantageFactory) { advantages.Register(name, f) }

// AdvantageNames lists the registered estimators, sorted.
func AdvantageNames() []string { return advantages.Names() }

// Lookup returns the factory of the estimator name, or an error listing the valid names.
func Lookup(name string) (AdvantageFactory, error) { return advantages.Lookup(name) }

// NewAdvantage builds the estimator cfg.Estimator.
func NewAdvantage(cfg AdvantageConfig) (AdvantageEstimator, error) {
	f, err := Lookup(cfg.Estimator)
	if err != nil {
		return nil, err
	}
	e, err := f(cfg)
	if err != nil {
		return nil, fmt.Errorf("algo: advantage estimator %q: %w", cfg.Estimator, err)
	}
	return e, nil
}

// checkAdvInputs validates rewards and mask (and Group / Values / Demo when asked). Returns B, T.
func checkAdvInputs(in AdvantageInputs, group, values bool) (int, int, error) {
	b, t, err := checkMatrix("token_rewards", in.TokenRewards, -1, -1)
	if err != nil {
		return 0, 0, err
	}
	if err := checkMask("mask", in.Mask, b, t); err != nil {
		return 0, 0, err
	}
	if group && len(in.Group) != b {
		return 0, 0, fmt.Errorf("group: %d entries, want %d (one prompt id per row)", len(in.Group), b)
	}
	if values {
		if _, _, err := checkMatrix("values", in.Values, b, t); err != nil {
			return 0, 0, err
		}
	}
	if in.Demo != nil && len(in.Demo) != b {
		return 0, 0, fmt.Errorf("demo: %d entries, want %d (one per row)", len(in.Demo), b)
	}
	return b, t, nil
}

// sequenceScores returns Σ_t rewards[b, t] per row (verl sums every column, masked or not).
func sequenceScores(r [][]float64) []float64 {
	s := make([]float64, len(r))
	for i, row := range r {
		for _, v := range row {
			s[i] += v
		}
	}
	return s
}

// groupRows returns, per group id in first-seen order, the rows that belong to it (skipping rows
// for which skip returns true).
func groupRows(group []string, skip func(i int) bool) (order []string, rows map[string][]int) {
	rows = map[string][]int{}
	for i, g := range group {
		if skip != nil && skip(i) {
			continue
		}
		if _, ok := rows[g]; !ok {
			order = append(order, g)
		}
		rows[g] = append(rows[g], i)
	}
	return order, rows
}

// broadcastRows returns adv[b]·mask[b, t].
func broadcastRows(adv []float64, mask [][]float64) [][]float64 {
	out := newMatrix(len(mask), len(mask[0]))
	for i := range mask {
		for j := range mask[i] {
			out[i][j] = adv[i] * mask[i][j]
		}
	}
	return out
}

// maskedWhiten is verl's masked_whiten: (x − mean)/sqrt(var_unbiased + 1e-8) over valid tokens.
func maskedWhiten(x, mask [][]float64) ([][]float64, error) {
	var s, n float64
	for i := range x {
		for j := range x[i] {
			s += x[i][j] * mask[i][j]
			n += mask[i][j]
		}
	}
	if n <= 1 {
		return nil, fmt.Errorf("whiten: %v valid tokens; the unbiased variance needs at least 2", n)
	}
	mean := s / (n + maskEps)
	var v float64
	for i := range x {
		for j := range x[i] {
			d := x[i][j] - mean
			v += d * d * mask[i][j]
		}
	}
	v = v / (n + maskEps) * n / (n - 1)
	out := newMatrix(len(x), len(x[0]))
	inv := 1 / math.Sqrt(v+1e-8)
	for i := range x {
		for j := range x[i] {
			out[i][j] = (x[i][j] - mean) * inv
		}
	}
	return out, nil
}
