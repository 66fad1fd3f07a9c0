// Package answer extracts final answers from model responses and decides whether two math
// answers are equivalent. It is the verifier behind every math reward and `ascent verify`:
//
//	ascent verify --cases ../shared/testdata/verify/cases.jsonl
//	ascent verify --gold '\frac{1}{2}' --pred 'The answer is $\boxed{0.5}$'
//
// Answers are parsed by a Pratt parser into an AST (numbers, fractions, roots, powers,
// functions, sets, tuples, intervals, matrices, relations, ±, percentages, text) and compared
// with exact rational arithmetic where possible and random-point numeric evaluation otherwise.
// Work is bounded (input length, AST size, exponent size, step budget, deadline): every call
// returns a Verdict with a Status and never hangs or panics.
package answer

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Status says how a verification ended. Only StatusOK verdicts are judgements; the others mean
// the verifier could not decide and must be counted, not read as a wrong answer.
type Status string

// The verdict statuses.
const (
	StatusOK         Status = "ok"         // compared; Correct is the judgement
	StatusUnparsable Status = "unparsable" // no answer could be extracted or parsed
	StatusTimeout    Status = "timeout"    // the step budget or the deadline ran out
	StatusError      Status = "error"      // an internal failure (recovered panic)
)

// Options configures a comparison.
type Options struct {
	// Tolerance is the relative tolerance of numeric comparisons (values that are not both exact
	// rationals); 0 means the default 1e-6. Exact rationals are always compared exactly (see
	// RoundingMatch for decimals).
	Tolerance float64
	// PercentAsDecimal also accepts 28% as 0.28 (28% always matches 28).
	PercentAsDecimal bool
	// RoundingMatch accepts a decimal with at least three significant digits as a correctly
	// rounded value of an exact one (7.78 for 70/9). Without it, decimals are compared with
	// Tolerance.
	RoundingMatch bool
	// Deadline is the wall-clock limit of one call; past it the verdict is StatusTimeout. 0 means
	// the default of one second.
	Deadline time.Duration
	// Strict is JustRL's training check: the last \boxed{} in the last 100 of the last 300
	// characters, compared to the gold string byte for byte (no normalization).
	Strict bool
}

// DefaultOptions returns the standard (lenient, mathematically careful) configuration.
func DefaultOptions() Options {
	return Options{Tolerance: 1e-6, RoundingMatch: true, Deadline: time.Second}
}

// Verdict is the outcome of one comparison.
type Verdict struct {
	Correct bool   `json:"correct"` // the answers are equivalent (meaningful when Status is StatusOK)
	Status  Status `json:"status"`  // how the comparison ended
	Pred    string `json:"pred"`    // the extracted predicted answer
	Gold    string `json:"gold"`    // the gold answer as compared (extracted when gold was a full solution)
	Detail  string `json:"detail"`  // why: the kind of match, or the parse/timeout/error message
}

// Verify extracts the final answer from a model response and compares it with gold.
func Verify(gold, response string, opt Options) Verdict {
	return guard(gold, response, opt, true)
}

// Equivalent compares two answer strings. Wrappers such as $...$, \boxed{} and "x =" are
// tolerated on both sides.
func Equivalent(gold, pred string, opt Options) Verdict {
	return guard(gold, pred, opt, false)
}

// guard runs one comparison under the budget and converts panics into statuses.
func guard(gold, pred string, opt Options, fromResponse bool) (v Verdict) {
	if opt.Deadline <= 0 {
		opt.Deadline = DefaultOptions().Deadline
	}
	if opt.Tolerance <= 0 {
		opt.Tolerance = DefaultOptions().Tolerance
	}
	bud := newBudget(opt.Deadline)
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(errBudget); ok {
				v.Correct, v.Status, v.Detail = false, StatusTimeout, "step budget or deadline exhausted"
				return
			}
			v.Correct, v.Status, v.Detail = false, StatusError, fmt.Sprintf("internal error: %v", r)
		}
	}()
	if opt.Strict {
		if !fromResponse && !strings.Contains(pred, `\boxed{`) {
			// Equivalent in strict mode compares the answer strings themselves.
			return Verdict{Status: StatusOK, Pred: pred, Gold: gold, Correct: pred == gold, Detail: "strict string comparison"}
		}
		return strictVerdict(gold, pred)
	}
	gold, pred = plainText(foldWidth(clip(gold))), plainText(foldWidth(clip(pred)))
	g, gok := extract(gold, bud)
	if !gok && strings.TrimSpace(gold) != "" {
		// a gold answer that reads as prose is a text answer as a whole
		g, gok = strings.TrimSpace(gold), true
	}
	p, pok := extract(pred, bud)
	if !pok && !fromResponse && strings.TrimSpace(pred) != "" {
		p, pok = strings.TrimSpace(pred), true
	}
	v = Verdict{Pred: p, Gold: g}
	if !gok {
		v.Status, v.Detail = StatusUnparsable, "no gold answer found"
		return v
	}
	if !pok {
		v.Status, v.Detail = StatusUnparsable, "no answer found in prediction"
		return v
	}
	v.Correct, v.Status, v.Detail = compareAnswers(g, p, opt, bud)
	return v
}

// clip keeps the last MaxInputLen bytes of s.
func clip(s string) string {
	if len(s) > MaxInputLen {
		return s[len(s)-MaxInputLen:]
	}
	return s
}

// compareAnswers compares two extracted answers.
func compareAnswers(g, p string, opt Options, bud *budget) (bool, Status, string) {
	if cleanText(g) == cleanText(p) {
		return true, StatusOK, "identical"
	}
	if l := choiceLetter(g); l != "" {
		// multiple choice: "(B) 5" and "\textbf{(B)}" answer "B"
		if pl := choiceLetter(p); pl != "" {
			return pl == l, StatusOK, "multiple-choice letter"
		}
		if m := choicePrefixRe.FindStringSubmatch(p); m != nil {
			return m[1] == l, StatusOK, "multiple-choice letter"
		}
	}
	g, p, ok, decided := unitlessValues(g, p, opt.Tolerance, bud)
	if decided {
		return ok, StatusOK, "compared with units"
	}
	gn, gerr := parse(g, bud)
	pn, perr := parse(p, bud)
	switch {
	case gerr != nil && perr != nil:
		return false, StatusUnparsable, fmt.Sprintf("gold %v; pred %v", gerr, perr)
	case gerr != nil:
		return false, StatusUnparsable, fmt.Sprintf("gold %v", gerr)
	case perr != nil:
		return false, StatusUnparsable, fmt.Sprintf("pred %v", perr)
	}
	c := &cmp{opt: opt, bud: bud}
	if c.eq(gn, pn) {
		return true, StatusOK, "equivalent"
	}
	return false, StatusOK, "not equivalent"
}

var choiceRe = regexp.MustCompile(`^\s*(?:\\text(?:bf|rm)?\{)?\s*\(?([A-E])\)?\s*\}?\s*$`)
var choicePrefixRe = regexp.MustCompile(`^\s*(?:\\text(?:bf|rm)?\{)?\s*\(([A-E])\)`)

// choiceLetter returns the letter of a multiple-choice answer ("B", "(B)", "\text{(B)}"), or "".
func choiceLetter(s string) string {
	if m := choiceRe.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// cleanText is the light textual normal form used for the identical-string shortcut.
func cleanText(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimRight(s, ". ")
	return cleanRepl.Replace(s)
}

var cleanRepl = strings.NewReplacer(" ", "", "\\left", "", "\\right", "", "\\!", "", "\\,", "", "\\;", "",
	"\\dfrac", "\\frac", "\\tfrac", "\\frac", "\\text", "", "\\mathrm", "", "{", "", "}", "")

// Normalize returns a canonical string for an answer, for voting keys and display: equivalent
// spellings of one value usually agree ("\frac{1}{2}", "0.5" and "1/2" all give "1/2"). Answers
// that do not parse are returned trimmed and lower-cased.
func Normalize(ans string) (out string) {
	defer func() {
		if r := recover(); r != nil {
			out = strings.ToLower(strings.TrimSpace(ans))
		}
	}()
	bud := newBudget(DefaultOptions().Deadline)
	a, ok := extract(clip(ans), bud)
	if !ok {
		return strings.ToLower(strings.TrimSpace(ans))
	}
	n, err := parse(a, bud)
	if err != nil {
		return strings.ToLower(cleanText(a))
	}
	if r, ok := exact(n, bud); ok {
		if r.IsInt() {
			return r.Num().String()
		}
		return r.RatString()
	}
	return n.String()
}
