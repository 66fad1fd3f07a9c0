package algo

import (
	"fmt"
	"math"
)

// DAPO reward-side tricks (Yu et al., arXiv 2503.14476; verl DAPORewardManager and the
// filter_groups loop of the DAPO recipe, spec §2).

// OverlongPenalty is DAPO's soft overlong punishment for a response of length tokens:
//
//	L_exp = maxLen − buffer;   r_len = min(−(length − L_exp)/buffer · factor, 0)
//
// 0 up to L_exp, falling linearly to −factor at maxLen. It is added to the task score at the last
// valid token. Recipe: maxLen 20480, buffer 4096, factor 1.0.
func OverlongPenalty(length, maxLen, buffer int, factor float64) (float64, error) {
	switch {
	case maxLen <= 0:
		return 0, fmt.Errorf("overlong penalty: max_response_length %d: want > 0", maxLen)
	case buffer <= 0 || buffer > maxLen:
		return 0, fmt.Errorf("overlong penalty: overlong_buffer_len %d: want in (0, %d]", buffer, maxLen)
	case length < 0:
		return 0, fmt.Errorf("overlong penalty: response length %d: want ≥ 0", length)
	case factor < 0 || math.IsNaN(factor):
		return 0, fmt.Errorf("overlong penalty: penalty_factor %v: want ≥ 0", factor)
	}
	exp := float64(maxLen - buffer)
	return math.Min(-(float64(length)-exp)/float64(buffer)*factor, 0), nil
}

// FilterGroups is DAPO's dynamic-sampling filter: it returns, in first-seen order, the prompt groups
// whose metric (e.g. accuracy) is not identical across their rows (std > 0) — groups that carry a
// GRPO learning signal. A group of one row is kept, as upstream verl does. group[i] and metric[i]
// describe row i.
func FilterGroups(group []string, metric []float64) ([]string, error) {
	if len(group) != len(metric) {
		return nil, fmt.Errorf("filter groups: %d group ids but %d metric values", len(group), len(metric))
	}
	if len(group) == 0 {
		return nil, fmt.Errorf("filter groups: no rows")
	}
	for i, v := range metric {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("filter groups: metric[%d] = %v: want a finite number", i, v)
		}
	}
	order, rows := groupRows(group, nil)
	var kept []string
	for _, g := range order {
		idx := rows[g]
		keep := len(idx) == 1
		for _, i := range idx[1:] {
			keep = keep || metric[i] != metric[idx[0]]
		}
		if keep {
			kept = append(kept, g)
		}
	}
	return kept, nil
}
