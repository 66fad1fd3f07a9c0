// Package rewardq scores rewards in worker processes that take jobs from a NATS JetStream work
// queue: expensive rewards (code execution, judges) scale out over machines while the trainer
// waits for a batch's results with a deadline.
//
//	srv, url, _ := rewardq.StartEmbedded(dir)              // or an external NATS cluster's URL
//	go rewardq.Serve(ctx, url, rewardq.WorkerConfig{})     // `ascent reward-worker --nats URL`
//	c, _ := rewardq.Dial(ctx, url, rewardq.Config{})
//	results, _ := c.Score(ctx, "run42-step7", jobs)        // one Result per job, in order
//
// Delivery is at least once: a job whose worker dies is redelivered after Config.AckWait. Results
// are idempotent: each is stored once under "<batch>.<job id>" in a key-value bucket (the first
// write wins; later ones are counted as duplicates), so nothing is lost and nothing counted twice.
// A job past its deadline is answered with status timeout; one that exhausts MaxDeliver attempts
// is a dead letter, answered with status error and counted.
package rewardq

import (
	"encoding/json"
	"fmt"
	"regexp"
	"time"
)

// Job is one reward computation.
type Job struct {
	ID       string          `json:"id"`                // unique within its batch: letters, digits, - and _
	Kind     string          `json:"kind"`              // the scorer, e.g. "code"
	Response string          `json:"response"`          // the model's response
	Truth    json.RawMessage `json:"truth"`             // what the scorer compares against (code: the tests)
	Deadline time.Time       `json:"deadline"`          // after it, the job is answered with status timeout
	Attempt  int             `json:"attempt,omitempty"` // set by the worker: which delivery computed it
}

// Status says how a job's score came about; only StatusOK scores are real scores.
type Status string

const (
	StatusOK      Status = "ok"      // the scorer ran; Detail may carry the scorer's own status
	StatusTimeout Status = "timeout" // the job's deadline passed (before or while it was scored, or while waiting)
	StatusError   Status = "error"   // the scorer failed, or the job is a dead letter
)

// Result is a job's outcome.
type Result struct {
	ID      string        `json:"id"`
	Score   float64       `json:"score"`
	Status  Status        `json:"status"`
	Detail  string        `json:"detail,omitempty"` // the scorer's status (code: "runtime_error", …) or the error
	Worker  string        `json:"worker,omitempty"` // which worker wrote it
	Attempt int           `json:"attempt,omitempty"`
	Elapsed time.Duration `json:"elapsed,omitempty"`
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,200}$`)

// validName checks a batch or job id: they become NATS subject and key tokens.
func validName(what, s string) error {
	if !idPattern.MatchString(s) {
		return fmt.Errorf("rewardq: %s %q must be 1-200 letters, digits, '-' or '_'", what, s)
	}
	return nil
}
