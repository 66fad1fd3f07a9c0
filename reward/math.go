package reward

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/ascent-rl/ascent/answer"
)

// The built-in data_source routing follows verl's default_compute_score:
//
//	openai/gsm8k                                   gsm8k: "#### N" answer, 1 / 0
//	lighteval/MATH, DigitalLearningGmbH/MATH-lighteval, HuggingFaceH4/MATH-500
//	                                               math_reward: last \boxed{}, 1 / 0
//	math_dapo, math, math_dapo_reasoning, aime*    math_dapo: +1 / -1 with acc and pred
//	numina_*                                       prime_math: 1 / 0
//
// Ascent adds gsm8k (alias), math500, justrl (the strict JustRL check, ±1), answer (the general
// verifier, what `ascent eval` grades with), format/boxed and format/think. Every math check uses the answer package's verifier instead of string
// normalization or SymPy.
func init() {
	gsm := binary(gsm8kExtract, 1, 0)
	registerMath("openai/gsm8k", gsm)
	registerMath("gsm8k", gsm)
	mathR := binary(answer.Extract, 1, 0)
	for _, n := range []string{"lighteval/MATH", "DigitalLearningGmbH/MATH-lighteval", "HuggingFaceH4/MATH-500", "math500"} {
		registerMath(n, mathR)
	}
	dapo := binary(answer.Extract, 1, -1)
	for _, n := range []string{"math_dapo", "math", "math_dapo_reasoning"} {
		registerMath(n, dapo)
	}
	registerMathPrefix("aime", dapo)
	registerMathPrefix("numina_", mathR)
	registerMath("justrl", JustRL)
	registerMath(AnswerDataSource, Answer)
	Register("format/boxed", FormatBoxed)
	Register("format/think", FormatThink)
}

// mathNames and mathPrefixes are the data sources registered above with a single-answer math
// check (IsMath).
var (
	mathNames    = map[string]bool{}
	mathPrefixes []string
)

// registerMath registers a single-answer math check for name.
func registerMath(name string, fn Func) {
	Register(name, fn)
	mathNames[name] = true
}

// registerMathPrefix registers a single-answer math check for every data source starting with
// prefix.
func registerMathPrefix(prefix string, fn Func) {
	RegisterPrefix(prefix, fn)
	mathPrefixes = append(mathPrefixes, prefix)
}

// IsMath reports whether dataSource is graded by one of this file's single-answer math checks
// (gsm8k, MATH, math_dapo, aime*, numina_*, justrl, answer): the data sources that JustRL's
// strict boxed check may stand in for. Physics, code, event F1 and format rewards are not.
func IsMath(dataSource string) bool {
	if mathNames[dataSource] {
		return true
	}
	for _, p := range mathPrefixes {
		if strings.HasPrefix(dataSource, p) {
			return true
		}
	}
	return false
}

// options derives verifier options whose deadline fits the context.
func options(ctx context.Context) answer.Options {
	opt := answer.DefaultOptions()
	if d, ok := ctx.Deadline(); ok {
		if left := time.Until(d); left < opt.Deadline {
			opt.Deadline = max(left, time.Millisecond)
		}
	}
	return opt
}

// binary builds a correct/incorrect reward: extract the answer, compare with the verifier,
// score `right` or `wrong`. Unparsable answers score `wrong` and keep their status.
func binary(extract func(string) (string, bool), right, wrong float64) Func {
	return func(ctx context.Context, req Request) Result {
		pred, ok := extract(req.Solution)
		if !ok {
			return Result{Score: wrong, Verdict: answer.Verdict{Status: answer.StatusUnparsable, Gold: req.GroundTruth, Detail: "no answer found in prediction"}}
		}
		v := answer.Equivalent(req.GroundTruth, pred, options(ctx))
		score := wrong
		if v.Correct {
			score = right
		}
		return Result{Score: score, Verdict: v}
	}
}

var gsmRe = regexp.MustCompile(`#### (\-?[0-9\.\,]+)`)

// gsm8kExtract is verl's strict GSM8K extraction: the last "#### N", commas and "$" removed;
// responses without it fall back to the general extractor (boxed, "the answer is", last number).
func gsm8kExtract(s string) (string, bool) {
	if m := gsmRe.FindAllStringSubmatch(s, -1); len(m) > 0 {
		return strings.NewReplacer(",", "", "$", "").Replace(m[len(m)-1][1]), true
	}
	return answer.Extract(s)
}

// JustRL is the strict training check of JustRL (math_dapo with strict_box_verify): +1 when
// the last \boxed{} in the last 100 of the last 300 characters equals the ground truth string
// exactly, else -1.
func JustRL(ctx context.Context, req Request) Result {
	opt := options(ctx)
	opt.Strict = true
	v := answer.Verify(req.GroundTruth, req.Solution, opt)
	score := -1.0
	if v.Correct {
		score = 1
	}
	return Result{Score: score, Verdict: v}
}

// AnswerDataSource is the data_source of Answer, the general verifier.
const AnswerDataSource = "answer"

// Answer is the general verifier: answer.Verify's extraction (last \boxed{} and fallbacks; the gold
// answer extracted too when it is a full solution) and equivalence, 1 when correct, else 0.
func Answer(ctx context.Context, req Request) Result {
	v := answer.Verify(req.GroundTruth, req.Solution, options(ctx))
	score := 0.0
	if v.Correct {
		score = 1
	}
	return Result{Score: score, Verdict: v}
}

// FormatBoxed scores 1 when the response ends in a non-empty \boxed{} answer, else 0.
func FormatBoxed(ctx context.Context, req Request) Result {
	all := answer.ExtractAll(req.Solution)
	ok := len(all) > 0 && strings.TrimSpace(all[len(all)-1]) != ""
	return formatResult(ok)
}

// FormatThink scores 1 for "<think>…</think>" followed by a boxed answer, else 0.
func FormatThink(ctx context.Context, req Request) Result {
	s := req.Solution
	i := strings.Index(s, "</think>")
	ok := i >= 0 && strings.Count(s, "</think>") == 1 && !strings.Contains(s[i:], "<think>")
	if ok {
		all := answer.ExtractAll(s[i:])
		ok = len(all) > 0 && strings.TrimSpace(all[len(all)-1]) != ""
	}
	return formatResult(ok)
}

func formatResult(ok bool) Result {
	score := 0.0
	if ok {
		score = 1
	}
	return Result{Score: score, Verdict: answer.Verdict{Correct: ok, Status: answer.StatusOK}}
}
