package rewardq

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/ascent-rl/ascent/codetest"
)

// DefaultScorers are the scorers a worker serves unless told otherwise: "code" (the fraction of a
// program's tests that pass, in the sandbox) and "code_all" (1 only when every test passes).
func DefaultScorers() map[string]Scorer {
	return map[string]Scorer{"code": &codeScorer{}, "code_all": &codeScorer{allPass: true}}
}

// codeScorer runs the response's program against the job's tests (Truth, in any layout
// codetest.ParseTests reads). A sandbox failure is an error (the job is retried); the program's
// failures are scores with the check's status as detail.
type codeScorer struct {
	allPass bool
	once    sync.Once
	checker *codetest.Checker
	err     error
}

// Score implements Scorer.
func (c *codeScorer) Score(ctx context.Context, j Job) (float64, string, error) {
	c.once.Do(func() { c.checker, c.err = codetest.New(codetest.Config{}) })
	if c.err != nil {
		return 0, "", c.err
	}
	tests, err := codetest.ParseTests(j.Truth)
	if err != nil {
		return 0, "bad_tests: " + err.Error(), nil
	}
	res := c.checker.Check(ctx, codetest.ExtractProgram(j.Response), tests)
	if res.Status == codetest.SandboxError {
		return 0, "", fmt.Errorf("sandbox: %v", res.Cases)
	}
	score := res.Fraction()
	if c.allPass && res.Passed < res.Total {
		score = 0
	}
	return score, fmt.Sprintf("%s %d/%d", res.Status, res.Passed, res.Total), nil
}

func scorerNames(m map[string]Scorer) []string {
	var names []string
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
