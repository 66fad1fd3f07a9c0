package trainer

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/reward"
)

// countdownLenientSource is the reward of algo.reward.verifier "lenient" on Countdown rows.
const countdownLenientSource = "ascent/countdown_lenient"

func init() { reward.Register(countdownLenientSource, countdownLenientReward) }

// intLiteral matches the integer literals of a Countdown expression.
var intLiteral = regexp.MustCompile(`\d+`)

// countdownLenientReward is a forgiving Countdown checker, the analogue of the "more robust"
// verifier of JustRL's ablation: the boxed expression must reach the target using each given number
// at most once — a subset of the numbers is accepted, where the strict checker (countdownReward)
// demands every number exactly once.
func countdownLenientReward(ctx context.Context, req reward.Request) reward.Result {
	nums, target, err := data.ParseCountdownGroundTruth(req.GroundTruth)
	if err != nil {
		return reward.Result{Verdict: answer.Verdict{Status: answer.StatusError, Gold: req.GroundTruth, Detail: err.Error()}}
	}
	expr, ok := answer.Extract(req.Solution)
	if !ok {
		return binaryResult(answer.Verdict{Status: answer.StatusUnparsable, Gold: req.GroundTruth, Detail: "no answer found in prediction"})
	}
	lhs := expr
	if i := strings.IndexByte(expr, '='); i >= 0 {
		lhs = expr[:i]
	}
	var used []int
	for _, s := range intLiteral.FindAllString(lhs, -1) {
		v, err := strconv.Atoi(s)
		if err != nil {
			return binaryResult(answer.Verdict{Status: answer.StatusUnparsable, Pred: expr, Gold: req.GroundTruth, Detail: err.Error()})
		}
		used = append(used, v)
	}
	if !subMultiset(used, nums) {
		return binaryResult(answer.Verdict{Status: answer.StatusOK, Pred: expr, Gold: req.GroundTruth, Detail: "uses a number not given (or twice)"})
	}
	good, err := data.CheckCountdown(used, target, expr)
	if err != nil {
		return binaryResult(answer.Verdict{Status: answer.StatusUnparsable, Pred: expr, Gold: req.GroundTruth, Detail: err.Error()})
	}
	return binaryResult(answer.Verdict{Correct: good, Status: answer.StatusOK, Pred: expr, Gold: req.GroundTruth})
}

// subMultiset reports whether every element of a occurs in b at least as often.
func subMultiset(a, b []int) bool {
	if len(a) == 0 || len(a) > len(b) {
		return false
	}
	left := slices.Clone(b)
	for _, v := range a {
		i := slices.Index(left, v)
		if i < 0 {
			return false
		}
		left = slices.Delete(left, i, i+1)
	}
	return true
}
