package reward

import (
	"context"

	"github.com/ascent-rl/ascent/algo"
	"github.com/ascent-rl/ascent/answer"
)

// VoteGroup is TTRL's label-free reward for one prompt (Zuo et al., arXiv 2504.16084): extract
// the answer of each response, take the majority answer under the verifier's equivalence as
// the pseudo-label (algo.MajorityVote), and reward 1 for agreeing with it, 0 otherwise.
// Responses without an answer score 0 with StatusUnparsable; a comparison that runs out of
// budget makes that response's status timeout. Each verdict's Pred is the response's answer,
// Correct its agreement with the label and Gold the label; the vote carries the majority ratio.
func VoteGroup(ctx context.Context, responses []string) ([]Result, algo.Vote) {
	opt := options(ctx)
	preds := make([]string, len(responses))
	status := make([]answer.Status, len(responses))
	for i, r := range responses {
		status[i] = answer.StatusOK
		if p, ok := answer.Extract(r); ok {
			preds[i] = p
		} else {
			status[i] = answer.StatusUnparsable
		}
	}
	// Comparisons that fail (timeout/error) count as "not equivalent" for the vote and are
	// recorded on the responses involved.
	idx := make(map[string][]int, len(preds))
	for i, p := range preds {
		idx[p] = append(idx[p], i)
	}
	equiv := func(a, b string) bool {
		if a == b {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		v := answer.Equivalent(a, b, opt)
		if v.Status == answer.StatusTimeout || v.Status == answer.StatusError {
			for _, i := range idx[a] {
				status[i] = v.Status
			}
		}
		return v.Correct
	}
	vote := algo.MajorityVote(preds, equiv)
	out := make([]Result, len(responses))
	for i := range responses {
		st := status[i]
		if ctx.Err() != nil && st == answer.StatusOK {
			st = answer.StatusTimeout
		}
		out[i] = Result{Score: vote.Rewards[i],
			Verdict: answer.Verdict{Correct: vote.Rewards[i] == 1, Status: st, Pred: preds[i], Gold: vote.Label, Detail: "majority vote"}}
	}
	return out, vote
}
