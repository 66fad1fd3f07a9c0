package model

import (
	"math"
	"sort"
)

// TokenLogProb is one token id with its log-probability.
type TokenLogProb struct {
	ID      int     // token id
	LogProb float32 // log-probability
}

// LogSoftmaxStats returns the maximum and log Σ exp(x - max) of logits [V], from which
// log softmax(logits)[i] = logits[i] - max - logSum (float64 accumulation).
func LogSoftmaxStats(logits []float32) (mx, logSum float64) {
	mx = math.Inf(-1)
	for _, x := range logits {
		mx = math.Max(mx, float64(x))
	}
	var sum float64
	for _, x := range logits {
		sum += math.Exp(float64(x) - mx)
	}
	return mx, math.Log(sum)
}

// TopLogProbs returns the k most likely tokens of softmax(logits) [V] with their log-probs, most
// likely first, ties broken by the smaller id (k is clamped to V; k ≤ 0 gives nil).
func TopLogProbs(logits []float32, k int) []TokenLogProb {
	k = min(k, len(logits))
	if k <= 0 {
		return nil
	}
	mx, ls := LogSoftmaxStats(logits)
	top := topIDs(logits, k)
	out := make([]TokenLogProb, len(top))
	for i, id := range top {
		out[i] = TokenLogProb{ID: id, LogProb: float32(float64(logits[id]) - mx - ls)}
	}
	return out
}

// LogProbRank returns log softmax(logits)[id] and id's 1-based rank among the V tokens (1: the
// most likely; tokens with the same logit and a smaller id rank before it).
func LogProbRank(logits []float32, id int) (float32, int) {
	mx, ls := LogSoftmaxStats(logits)
	x, rank := logits[id], 1
	for i, y := range logits {
		if y > x || (y == x && i < id) {
			rank++
		}
	}
	return float32(float64(x) - mx - ls), rank
}

// topIDs returns the ids of the k largest logits, largest first, ties by smaller id: one pass
// keeping a sorted list of k candidates, O(V·k) in the worst case and about O(V) for small k.
func topIDs(logits []float32, k int) []int {
	better := func(a, b int) bool { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b) }
	top := make([]int, 0, k)
	for i := range logits {
		if len(top) == k && !better(i, top[k-1]) {
			continue
		}
		j := sort.Search(len(top), func(j int) bool { return better(i, top[j]) })
		if len(top) < k {
			top = append(top, 0)
		}
		copy(top[j+1:], top[j:len(top)-1])
		top[j] = i
	}
	return top
}
