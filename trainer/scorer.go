package trainer

import (
	"context"
	"fmt"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/reward"
)

// The built-in tasks' verifiers live here rather than in reward, which must not depend on data.
func init() {
	reward.Register(data.ArithDataSource, arithReward)
	reward.Register(data.CountdownDataSource, countdownReward)
}

// arithReward scores the built-in arithmetic task: the last \boxed{} must equal the exact answer.
func arithReward(ctx context.Context, req reward.Request) reward.Result {
	opt := answer.DefaultOptions()
	if d, ok := ctx.Deadline(); ok {
		opt.Deadline = max(0, timeUntil(d))
	}
	v := answer.Verify(req.GroundTruth, req.Solution, opt)
	return binaryResult(v.Correct, v.Status, v.Pred)
}

// countdownReward scores Countdown: the boxed expression must use each given number exactly once
// and evaluate to the target.
func countdownReward(ctx context.Context, req reward.Request) reward.Result {
	nums, target, err := data.ParseCountdownGroundTruth(req.GroundTruth)
	if err != nil {
		return reward.Result{Status: answer.StatusError, Extra: map[string]any{"acc": false, "detail": err.Error()}}
	}
	expr, ok := answer.Extract(req.Solution)
	if !ok {
		return binaryResult(false, answer.StatusUnparsable, "")
	}
	good, err := data.CheckCountdown(nums, target, expr)
	if err != nil {
		return binaryResult(false, answer.StatusUnparsable, expr)
	}
	return binaryResult(good, answer.StatusOK, expr)
}

func binaryResult(correct bool, st answer.Status, pred string) reward.Result {
	s := 0.0
	if correct {
		s = 1
	}
	return reward.Result{Score: s, Status: st, Extra: map[string]any{"acc": correct, "pred": pred}}
}

// scoreItem is one response to score.
type scoreItem struct {
	ex       data.Example
	response string
}

// scoreResult is a verifier's verdict on one response.
type scoreResult struct {
	correct bool   // the verifier (against the ground truth) accepts it
	pred    string // the extracted answer
	status  string // ok, unparsable, timeout, error
}

// scorer routes responses to verifiers by data_source, as verl's reward manager does.
type scorer struct {
	strict  bool // JustRL's strict boxed check replaces the math verifier on math data sources
	workers int
}

func newScorer(c Config) (*scorer, error) {
	s := &scorer{workers: c.Run.RewardWorkers}
	switch v := c.Algo.Reward.Verifier; v {
	case "", "math", "majority_vote":
	case "strict_box":
		s.strict = true
	default:
		return nil, fmt.Errorf("config: algo.reward.verifier %q: known: math, strict_box, majority_vote", v)
	}
	// Fail before any work if the data's data_source has no verifier.
	return s, nil
}

// dataSource picks the reward function for a row.
func (s *scorer) dataSource(ex data.Example) string {
	if s.strict && ex.DataSource != data.CountdownDataSource {
		return "justrl"
	}
	return ex.DataSource
}

// checkSource reports an error when a row's data_source has no verifier.
func (s *scorer) checkSource(ex data.Example) error {
	if _, err := reward.Lookup(s.dataSource(ex)); err != nil {
		return fmt.Errorf("row %q: %w", ex.ID, err)
	}
	return nil
}

// scoreAll scores items concurrently. A verifier failure is a status, not an error; an error is
// returned only when the context ends.
func (s *scorer) scoreAll(ctx context.Context, items []scoreItem) ([]scoreResult, error) {
	reqs := make([]reward.Request, len(items))
	for i, it := range items {
		reqs[i] = reward.Request{DataSource: s.dataSource(it.ex), Solution: it.response, GroundTruth: it.ex.GroundTruth, ExtraInfo: it.ex.ExtraInfo}
	}
	res, _ := reward.ScoreBatch(ctx, reqs, s.workers)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]scoreResult, len(res))
	for i, r := range res {
		acc, _ := r.Extra["acc"].(bool)
		pred, _ := r.Extra["pred"].(string)
		out[i] = scoreResult{correct: acc, pred: pred, status: string(r.Status)}
	}
	return out, nil
}

// equivalent is the answer equivalence used by TTRL's vote.
func (s *scorer) equivalent(a, b string) bool {
	return answer.Equivalent(a, b, answer.DefaultOptions()).Correct
}
