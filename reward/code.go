package reward

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/codetest"
)

// Code rewards run the response's program against the row's tests (its ground truth, in any
// layout codetest.ParseTests reads: APPS/TACO/PRIME inputs/outputs, call-based fn_name, MBPP
// asserts, HumanEval) in the bubblewrap sandbox:
//   - "code": the fraction of tests passed;
//   - "code_all" and verl's code data_sources (codecontests, apps, taco, codeforces, as verl's
//     prime_code scores them): 1 when every test passes, else 0.
//
// The verdict's Detail is "<check status> <passed>/<total>" (ok, wrong_answer, runtime_error,
// timeout, compile_error, no_code; CodeOutcome reads it back). A program's own failures are
// StatusOK scores; a response with no program is StatusUnparsable; a sandbox that cannot run
// is StatusError (never the program's fault). Checks take longer than math: give them
// CodeTimeout (the trainer and reward workers do).
func init() {
	RegisterSlow("code", false, CodeTimeout, codeReward(false))
	RegisterSlow("code_all", false, CodeTimeout, codeReward(true))
	for _, p := range []string{"codecontests", "apps", "taco", "codeforces"} {
		RegisterSlow(p, true, CodeTimeout, codeReward(true))
	}
}

// CodeTimeout is a code reward's deadline when the caller gives none.
const CodeTimeout = 60 * time.Second

var (
	checkerOnce sync.Once
	checker     *codetest.Checker
	checkerErr  error
)

// codeChecker starts the sandbox once per process (a probe run) and reuses it.
func codeChecker() (*codetest.Checker, error) {
	checkerOnce.Do(func() { checker, checkerErr = codetest.New(codetest.Config{}) })
	return checker, checkerErr
}

func codeReward(allPass bool) Func {
	return func(ctx context.Context, req Request) Result {
		tests, err := codetest.ParseTests([]byte(req.GroundTruth))
		if err != nil {
			return failed(answer.StatusError, fmt.Sprintf("code reward: the row's tests: %v", err))
		}
		program := codetest.ExtractProgram(req.Solution)
		if strings.TrimSpace(program) == "" {
			r := failed(answer.StatusUnparsable, fmt.Sprintf("%s 0/%d", codetest.NoCode, tests.Len()))
			return r
		}
		ck, err := codeChecker()
		if err != nil {
			return failed(answer.StatusError, fmt.Sprintf("%s: %v", codetest.SandboxError, err))
		}
		res := ck.Check(ctx, program, tests)
		detail := fmt.Sprintf("%s %d/%d", res.Status, res.Passed, res.Total)
		if res.Status == codetest.SandboxError {
			return failed(answer.StatusError, detail+": "+fmt.Sprint(res.Cases))
		}
		score := res.Fraction()
		if allPass && res.Passed < res.Total {
			score = 0
		}
		return Result{Score: score, Verdict: answer.Verdict{Status: answer.StatusOK, Correct: res.Passed == res.Total,
			Pred: truncateProgram(program), Detail: detail}}
	}
}

// truncateProgram keeps samples files readable.
func truncateProgram(p string) string {
	if len(p) > 4000 {
		return p[:4000] + "…"
	}
	return p
}

// CodeOutcome returns a code reward's check status from its verdict ("runtime_error", …), or ""
// for other rewards.
func CodeOutcome(r Result) string {
	s, _, ok := strings.Cut(r.Detail, " ")
	if !ok {
		return ""
	}
	switch codetest.Status(s) {
	case codetest.Pass, codetest.WrongAnswer, codetest.RuntimeError, codetest.Timeout, codetest.CompileError,
		codetest.SandboxError, codetest.NoCode:
		return s
	}
	return ""
}
