// Package rewardq scores rewards in worker processes that take jobs from a NATS JetStream work
// queue: expensive rewards (code execution, judges) scale out over machines while the trainer
// waits for a batch's results with a deadline.
//
//	srv, url, _ := rewardq.StartEmbedded(dir)              // or an external NATS cluster's URL
//	go rewardq.Serve(ctx, url, rewardq.WorkerConfig{})     // `ascent reward-worker --nats URL`
//	c, _ := rewardq.Dial(ctx, url, rewardq.Config{})
//	results, _ := c.Score(ctx, "run42-step7", jobs)        // one Result per job, in order
//
// A job is a reward.Request (data_source, solution, ground truth, extra info): workers score it
// through the reward registry (code rewards in the sandbox, any registered function), so a reward
// registered once runs in-process or on the workers alike.
//
// Delivery is at least once: a job whose worker dies is redelivered after Config.AckWait. Results
// are idempotent: each is stored once under "<batch>.<job id>" in a key-value bucket (the first
// write wins; later ones are counted as duplicates), so nothing is lost and nothing counted twice.
// A job past its deadline is answered with status timeout; one that exhausts MaxDeliver attempts
// is a dead letter, answered with status error and counted.
package rewardq

import (
	"fmt"
	"regexp"
	"time"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/reward"
)

// Job is one reward computation.
type Job struct {
	ID          string         `json:"id"`          // unique within its batch: letters, digits, - and _
	DataSource  string         `json:"data_source"` // the reward function (verl data_source), e.g. "code"
	Solution    string         `json:"solution"`    // the model's response
	GroundTruth string         `json:"ground_truth"`
	ExtraInfo   map[string]any `json:"extra_info,omitempty"`
	Deadline    time.Time      `json:"deadline"`          // after it, the job is answered with status timeout
	Attempt     int            `json:"attempt,omitempty"` // set by the worker: which delivery computed it
}

// Request is the job as a reward.Request.
func (j Job) Request() reward.Request {
	return reward.Request{DataSource: j.DataSource, Solution: j.Solution, GroundTruth: j.GroundTruth, ExtraInfo: j.ExtraInfo}
}

// Result is a job's outcome: the reward's score and verdict, and who computed it. The queue's own
// failures are verdict statuses too: timeout (the deadline passed before or while the job was
// scored, or while the client waited) and error (no scorer, a dead letter).
type Result struct {
	ID            string `json:"id"`
	reward.Result `json:"result"`
	Worker        string        `json:"worker,omitempty"` // which worker wrote it
	Attempt       int           `json:"attempt,omitempty"`
	Elapsed       time.Duration `json:"elapsed,omitempty"`
}

// failure is a result that carries only a status and why.
func failure(id string, s answer.Status, detail string) Result {
	return Result{ID: id, Result: reward.Result{Verdict: answer.Verdict{Status: s, Detail: detail}}}
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,200}$`)

// validName checks a batch or job id: they become NATS subject and key tokens.
func validName(what, s string) error {
	if !idPattern.MatchString(s) {
		return fmt.Errorf("rewardq: %s %q must be 1-200 letters, digits, '-' or '_'", what, s)
	}
	return nil
}
