// Package vla trains vision-language-action policies by reinforcement learning in a simulator
// (SimpleVLA-RL, arXiv 2509.09674): a small Qwen2-style transformer reads projected image patches,
// a projected proprioception vector and the instruction, and emits an action chunk as K×D tokens
// (OpenVLA's 256 bins per dimension on the last 256 token ids); it is warm-started by SFT on one
// scripted demonstration per task and trained by GRPO on binary episode success, with the env
// workflow of rollout.go driving parallel simulators with one batched policy call per decision.
//
//	go run ./cmd/ascent train --preset simplevla
//	go run ./bench/vla
package vla

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/ascent-rl/ascent/env"
)

// Bins is the number of action bins per dimension (OpenVLA).
const Bins = 256

// Special token ids; word ids follow them, and the last Bins ids are the action bins.
const (
	tokPad = 0 // pads instructions to the suite's longest
	tokImg = 1 // placeholder id of the prefix positions (their embeddings come from the projection)
	tokAct = 2 // separates the instruction from the action tokens
	nSpecial
)

// Vocab is the policy's token vocabulary: specials, the instruction words of every simulator
// suite, and the action bins.
type Vocab struct {
	words map[string]int
	// Size is the vocabulary size V; action bin b is token Size−1−b (reverse order, as OpenVLA).
	Size int
}

// NewVocab builds the vocabulary from every simulator suite's instructions.
func NewVocab() *Vocab {
	set := map[string]bool{}
	for _, s := range env.SimSuites() {
		for _, in := range s.Instructions {
			for _, w := range splitWords(in) {
				set[w] = true
			}
		}
	}
	list := make([]string, 0, len(set))
	for w := range set {
		list = append(list, w)
	}
	sort.Strings(list)
	v := &Vocab{words: map[string]int{}}
	for i, w := range list {
		v.words[w] = nSpecial + i
	}
	v.Size = nSpecial + len(list) + Bins
	return v
}

// splitWords lower-cases an instruction and splits it into words, commas as their own word.
func splitWords(s string) []string {
	return strings.Fields(strings.ReplaceAll(strings.ToLower(s), ",", " ,"))
}

// Encode returns the instruction's token ids padded with tokPad to n (an unknown word or an
// instruction longer than n is an error naming it).
func (v *Vocab) Encode(instruction string, n int) ([]int, error) {
	ws := splitWords(instruction)
	if len(ws) > n {
		return nil, fmt.Errorf("vla: instruction %q has %d words, more than the policy's %d", instruction, len(ws), n)
	}
	out := make([]int, n)
	for i, w := range ws {
		id, ok := v.words[w]
		if !ok {
			return nil, fmt.Errorf("vla: instruction %q: word %q is not in the vocabulary", instruction, w)
		}
		out[i] = id
	}
	return out, nil
}

// MaxWords is the longest instruction of a simulator suite, in words.
func MaxWords(suite string) (int, error) {
	for _, s := range env.SimSuites() {
		if s.Suite == suite {
			n := 0
			for _, in := range s.Instructions {
				n = max(n, len(splitWords(in)))
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("vla: unknown suite %q; known: %s", suite, strings.Join(env.SimSuiteNames(), ", "))
}

// BinToken is the token of action bin b.
func (v *Vocab) BinToken(b int) int { return v.Size - 1 - b }

// TokenBin is the bin of an action token, or an error for a token outside the action range.
func (v *Vocab) TokenBin(tok int) (int, error) {
	b := v.Size - 1 - tok
	if b < 0 || b >= Bins {
		return 0, fmt.Errorf("vla: token %d is not an action token (ids %d..%d)", tok, v.Size-Bins, v.Size-1)
	}
	return b, nil
}

// BinCentre is the normalised value of bin b: the centres of linspace(−1, 1, Bins).
func BinCentre(b int) float32 { return float32(-1 + 2*float64(b)/float64(Bins-1)) }

// ValueBin is the bin whose centre is nearest to the normalised value x (clamped to [−1, 1]).
func ValueBin(x float32) int {
	f := (math.Max(-1, math.Min(1, float64(x))) + 1) / 2 * float64(Bins-1)
	return int(math.Round(f))
}

// Unnormalise maps a chunk of normalised values [K][D] to env actions with the suite's q01/q99
// statistics (dimensions with Mask false are left as they are) and binarises the last dimension,
// the gripper, to ±1 (≥ 0 closes).
func Unnormalise(chunk [][]float32, ns env.NormStats) ([][]float32, error) {
	out := make([][]float32, len(chunk))
	for k, row := range chunk {
		if len(row) != len(ns.Q01) || len(row) != len(ns.Q99) || len(row) != len(ns.Mask) {
			return nil, fmt.Errorf("vla: action row %d has %d dims; norm stats have %d/%d/%d", k, len(row), len(ns.Q01), len(ns.Q99), len(ns.Mask))
		}
		o := make([]float32, len(row))
		for d, x := range row {
			if ns.Mask[d] {
				o[d] = 0.5*(x+1)*(ns.Q99[d]-ns.Q01[d]) + ns.Q01[d]
			} else {
				o[d] = x
			}
		}
		if g := len(o) - 1; o[g] >= 0 {
			o[g] = 1
		} else {
			o[g] = -1
		}
		out[k] = o
	}
	return out, nil
}

// Normalise is Unnormalise's inverse on the masked dimensions (the demonstrations' chunks are
// turned into bins with it); the gripper keeps its ±1.
func Normalise(chunk [][]float32, ns env.NormStats) [][]float32 {
	out := make([][]float32, len(chunk))
	for k, row := range chunk {
		o := make([]float32, len(row))
		for d, x := range row {
			o[d] = x
			if d < len(ns.Mask) && ns.Mask[d] && ns.Q99[d] > ns.Q01[d] {
				o[d] = 2*(x-ns.Q01[d])/(ns.Q99[d]-ns.Q01[d]) - 1
			}
		}
		out[k] = o
	}
	return out
}
