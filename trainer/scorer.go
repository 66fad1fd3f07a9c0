package trainer

import (
	"context"
	"fmt"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/reward"
	"github.com/ascent-rl/ascent/rollout"
)

// The built-in tasks' verifiers live here rather than in reward, which must not depend on data.
func init() {
	reward.Register(data.ArithDataSource, reward.Answer)
	reward.Register(data.CountdownDataSource, countdownReward)
}

// countdownReward scores Countdown: the boxed expression must use each given number exactly once
// and evaluate to the target.
func countdownReward(ctx context.Context, req reward.Request) reward.Result {
	nums, target, err := data.ParseCountdownGroundTruth(req.GroundTruth)
	if err != nil {
		return reward.Result{Verdict: answer.Verdict{Status: answer.StatusError, Gold: req.GroundTruth, Detail: err.Error()}}
	}
	expr, ok := answer.Extract(req.Solution)
	if !ok {
		return binaryResult(answer.Verdict{Status: answer.StatusUnparsable, Gold: req.GroundTruth, Detail: "no answer found in prediction"})
	}
	good, err := data.CheckCountdown(nums, target, expr)
	if err != nil {
		return binaryResult(answer.Verdict{Status: answer.StatusUnparsable, Pred: expr, Gold: req.GroundTruth, Detail: err.Error()})
	}
	return binaryResult(answer.Verdict{Correct: good, Status: answer.StatusOK, Pred: expr, Gold: req.GroundTruth})
}

// binaryResult scores a verdict 1 when correct, else 0.
func binaryResult(v answer.Verdict) reward.Result {
	s := 0.0
	if v.Correct {
		s = 1
	}
	return reward.Result{Score: s, Verdict: v}
}

// scorer routes responses to verifiers by data_source, as verl's reward manager does, in-process
// or on reward workers.
type scorer struct {
	strict  bool // JustRL's strict boxed check replaces the math verifier on math data sources
	lenient bool // training rewards of Countdown rows come from the lenient checker (lenient.go)
	workers int
	remote  *remoteScorer // reward workers over NATS; nil: every reward in-process
}

func newScorer(c Config) (*scorer, error) {
	s := &scorer{workers: c.Run.RewardWorkers}
	switch v := c.Algo.Reward.Verifier; v {
	case "", "math", "majority_vote":
	case "strict_box":
		s.strict = true
	case "lenient":
		s.lenient = true
	default:
		return nil, fmt.Errorf("config: algo.reward.verifier %q: known: math, strict_box, majority_vote, lenient", v)
	}
	if c.Reward.Workers.NATS != "" {
		var err error
		if s.remote, err = dialRemoteScorer(c.Run.Name, c.Reward.Workers); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// dataSource picks the reward function for a row. JustRL's strict check stands in for the math
// verifiers (and for data sources no reward is registered for); a data source with its own grader
// (Countdown, physics with several boxed answers and units, code, event F1) keeps it: graded by
// the single-box math check, every physics answer was wrong.
func (s *scorer) dataSource(ex data.Example) string {
	if s.strict && strictReplaces(ex.DataSource) {
		return "justrl"
	}
	if s.lenient && ex.DataSource == data.CountdownDataSource {
		return countdownLenientSource
	}
	return ex.DataSource
}

// strictReplaces says whether algo.reward.verifier strict_box grades dataSource with the JustRL
// check: a math data source (reward.IsMath), the arithmetic task, or one without a registered
// reward.
func strictReplaces(dataSource string) bool {
	if reward.IsMath(dataSource) || dataSource == data.ArithDataSource {
		return true
	}
	_, err := reward.Lookup(dataSource)
	return err != nil
}

// verify scores items concurrently through the reward registry (a rollout.Verifier). A verifier
// failure is a status, not an error; an error is returned only when the context ends.
func (s *scorer) verify(ctx context.Context, items []rollout.Item) ([]reward.Result, error) {
	reqs := make([]reward.Request, len(items))
	for i, it := range items {
		reqs[i] = reward.Request{DataSource: s.dataSource(it.Example), Solution: it.Text, GroundTruth: it.Example.GroundTruth, ExtraInfo: it.Example.ExtraInfo}
	}
	if s.remote != nil {
		return s.remote.score(ctx, reqs, s.workers)
	}
	res, _ := reward.ScoreBatch(ctx, reqs, s.workers)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return res, nil
}

// strictForEval is the scorer that held-out evaluation uses: a lenient training verifier never
// grades the evaluation.
func (s *scorer) strictForEval() *scorer {
	c := *s
	c.lenient = false
	return &c
}

// equivalent is the answer equivalence used by TTRL's vote.
func (s *scorer) equivalent(a, b string) bool {
	return answer.Equivalent(a, b, answer.DefaultOptions()).Correct
}
