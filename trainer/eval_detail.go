package trainer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/track"
)

// evalKindScores is the held-out mean score per problem kind (a built-in task's
// extra_info.kind: kinematics, circuit, …), as metric.ValScoreKind + kind. A task without kinds
// gives none. One kind that collapses while the others improve is invisible in val/score alone.
func evalKindScores(items []evalItem) metrics {
	sum, n := map[string]float64{}, map[string]int{}
	for _, it := range items {
		k, _ := it.kind.(string)
		if k == "" {
			continue
		}
		sum[k] += it.score
		n[k]++
	}
	if len(n) == 0 {
		return nil
	}
	m := metrics{}
	for k, c := range n {
		m[metric.ValScoreKind+k] = sum[k] / float64(c)
	}
	return m
}

// evalItem is one greedy held-out response with its grade.
type evalItem struct {
	kind   any // extra_info.kind of the example (nil when the task has no kinds)
	sample track.Sample
	score  float64
}

// evalSamples is the greedy evaluation as samples (samples/eval_step_N.jsonl), in held-out order.
func evalSamples(items []evalItem) []track.Sample {
	out := make([]track.Sample, len(items))
	for i, it := range items {
		out[i] = it.sample
	}
	return out
}

// verdictName is a verdict as the samples files write it: correct, wrong, or the status that
// stopped grading (no_answer, timeout, …).
func verdictName(correct bool, status answer.Status) string {
	switch {
	case correct:
		return "correct"
	case status != answer.StatusOK:
		return string(status)
	}
	return "wrong"
}

// kindNote is the per-kind scores for the eval log line: " (circuit 0.120, energy 0.600)".
func kindNote(m metrics) string {
	if len(m) == 0 {
		return ""
	}
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, strings.TrimPrefix(k, metric.ValScoreKind))
	}
	sort.Strings(ks)
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = fmt.Sprintf("%s %.3f", k, m[metric.ValScoreKind+k])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
