package rewardq

import (
	"context"

	"github.com/ascent-rl/ascent/reward"
)

// Registry scores a job through the reward registry (reward.Score, under the job's deadline): the
// worker's scorer for every data_source without an override.
var Registry Scorer = ScorerFunc(func(ctx context.Context, j Job) (reward.Result, error) {
	return reward.Score(ctx, j.Request()), nil
})
