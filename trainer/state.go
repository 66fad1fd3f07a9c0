package trainer

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"

	"github.com/ascent-rl/ascent/internal/atomicfile"
)

// State is everything besides the engine's weights and optimizer that a resumed run needs to
// continue exactly as an uninterrupted one would. Random streams are not stored: every draw is
// seeded by streamSeed(run seed, purpose, step, …), so a step's randomness depends only on its
// number.
type State struct {
	Step       int             `json:"step"`        // RL steps completed
	Data       json.RawMessage `json:"data"`        // the prompt sampler's position (data order)
	EvalBefore *float64        `json:"eval_before"` // held-out accuracy before RL, once measured
	// EvalBeforeScore is the held-out mean score before RL (val/score), once measured.
	EvalBeforeScore *float64 `json:"eval_before_score,omitempty"`
	SFTDone         bool     `json:"sft_done"` // the SFT warm-up has finished
	// KLCoef is the adaptive KL-in-reward coefficient after the last step (algo.kl.adaptive); nil
	// before the first step and without the adaptive controller.
	KLCoef *float64 `json:"kl_coef,omitempty"`
	// Async is the asynchronous producer's buffer and position (async.max_staleness > 0); nil otherwise.
	Async *AsyncState `json:"async,omitempty"`
}

// saveState writes state.json into dir atomically.
func saveState(dir string, s State) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	return atomicfile.WriteFile(filepath.Join(dir, stateFile), b, 0o644)
}

// loadState reads dir/state.json.
func loadState(dir string) (State, error) {
	var s State
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return s, fmt.Errorf("read trainer state: %w", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: corrupt trainer state: %w", filepath.Join(dir, stateFile), err)
	}
	return s, nil
}

// streamSeed derives an independent 64-bit seed for one use of randomness (purpose, step, index)
// from the run seed, so that resuming at step k reproduces step k's samples exactly.
func streamSeed(seed uint64, purpose string, ids ...int) uint64 {
	h := fnv.New64a()
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], seed)
	h.Write(buf[:])
	h.Write([]byte(purpose))
	for _, id := range ids {
		binary.LittleEndian.PutUint64(buf[:], uint64(id))
		h.Write(buf[:])
	}
	return splitmix(h.Sum64())
}

// splitmix is SplitMix64's finaliser, spreading FNV's output over all bits.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
