package answer

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
)

// AnswerType is a HiPhO answer_type: how one sub-answer of a physics problem is compared.
type AnswerType string

// The HiPhO answer types.
const (
	TypeNumerical  AnswerType = "Numerical Value" // a number with a unit: relative difference ≤ 1e-2 after conversion
	TypeExpression AnswerType = "Expression"      // a formula in free positive symbols
	TypeEquation   AnswerType = "Equation"        // equal up to moving terms and a nonzero numeric factor
	TypeInequality AnswerType = "Inequality"      // same direction and boundary
	TypeChoice     AnswerType = "Multiple Choice" // the same set of letters
	TypeOpen       AnswerType = "Open-Ended"      // compared as a math answer
)

// ParseAnswerType reads an answer_type field; "" is TypeOpen (the general math comparison).
// An unknown type is an error naming it and the known ones.
func ParseAnswerType(s string) (AnswerType, error) {
	switch t := AnswerType(strings.TrimSpace(s)); t {
	case TypeNumerical, TypeExpression, TypeEquation, TypeInequality, TypeChoice, TypeOpen:
		return t, nil
	case "":
		return TypeOpen, nil
	}
	return "", fmt.Errorf("answer_type %q: known: %q, %q, %q, %q, %q, %q", s, TypeNumerical,
		TypeExpression, TypeEquation, TypeInequality, TypeChoice, TypeOpen)
}

// DefaultPhysicsTolerance is the relative tolerance of Numerical Value answers.
const DefaultPhysicsTolerance = 1e-2

// PhysicsGold is one required answer of a physics problem (one entry of HiPhO's answer,
// answer_type and unit lists).
type PhysicsGold struct {
	Answer    string     // the gold box content (\boxed{} and $…$ may remain)
	Unit      string     // the gold unit ("" or "null": dimensionless or symbolic)
	Type      AnswerType // how to compare
	Tolerance float64    // relative tolerance of a Numerical Value; 0 means DefaultPhysicsTolerance
}

// PhysicsResult is the grade of one response against all the golds of a problem.
type PhysicsResult struct {
	Verdicts []Verdict `json:"verdicts"` // one per gold, in order
	Boxes    int       `json:"boxes"`    // top-level boxes found in the response
	Score    float64   `json:"score"`    // fraction of sub-answers correct (P1's reward)
}

// GradePhysics grades a response against N golds. The response's last N top-level \boxed{}
// are matched to the golds in order; a unit written right after a box belongs to it. With
// fewer boxes than golds, boxes are aligned from the start (box i answers gold i, as
// evalscope's HiPhO adapter does: models answer sub-questions in order, and a truncated
// response loses the last ones); golds without a box are unparsable. A response without any
// box answers a single gold with its final answer (Extract).
func GradePhysics(response string, golds []PhysicsGold, opt Options) (res PhysicsResult) {
	res.Verdicts = make([]Verdict, len(golds))
	defer func() {
		if r := recover(); r != nil {
			for i := range res.Verdicts {
				res.Verdicts[i] = Verdict{Status: StatusError, Detail: fmt.Sprintf("internal error: %v", r)}
			}
			res.Score = 0
		}
	}()
	s := foldWidth(clip(response))
	bs := boxes(s)
	res.Boxes = len(bs)
	preds := make([]string, len(golds))
	have := make([]bool, len(golds))
	switch {
	case len(bs) == 0 && len(golds) == 1:
		bud := newBudget(opt.Deadline)
		preds[0], have[0] = extract(s, bud)
	case len(bs) >= len(golds):
		bs = bs[len(bs)-len(golds):]
		fallthrough
	default:
		for i := range bs {
			if i >= len(golds) {
				break
			}
			preds[i], have[i] = boxAnswer(s, bs, i), true
		}
	}
	correct := 0
	for i, g := range golds {
		if !have[i] {
			res.Verdicts[i] = Verdict{Status: StatusUnparsable, Gold: g.Answer, Detail: fmt.Sprintf("no box for sub-answer %d of %d", i+1, len(golds))}
			continue
		}
		res.Verdicts[i] = EquivalentPhysics(g, preds[i], opt)
		if res.Verdicts[i].Correct {
			correct++
		}
	}
	if len(golds) > 0 {
		res.Score = float64(correct) / float64(len(golds))
	}
	return res
}

// boxAnswer is the content of box i with the unit written right after it (before the next
// box or line end), when the box has no unit of its own. A box that is never closed is
// returned with an unbalanced brace so that it is unparsable.
func boxAnswer(s string, bs []box, i int) string {
	b := bs[i]
	if b.end == len(s) && !strings.HasSuffix(s, "}") {
		return "{" + b.content
	}
	content := strings.TrimSpace(b.content)
	end := len(s)
	if i+1 < len(bs) {
		end = bs[i+1].start
	}
	after := s[b.end:end]
	if nl := strings.IndexByte(after, '\n'); nl >= 0 {
		after = after[:nl]
	}
	if u := unitAfter(after); u != "" {
		c := physicsClean(content) // "$[a, b]$" + " K" must read "[a, b]\ K"
		if hasUnitTail(c) {
			return content // \boxed{1\ \text{atm}} atm: the box's own unit is the answer's
		}
		return c + `\ ` + u
	}
	return content
}

// hasUnitTail reports whether s ends in a unit written after a number ("1 \text{atm}",
// "25^{\circ}", "E > 30 \frac{GV}{m}", "2\times10^{5} \mathrm{rad/s}"): some tail that starts a
// unit at brace depth 0, right after a digit, a space or a closing brace, parses as one.
func hasUnitTail(s string) bool {
	s = strings.TrimSpace(s)
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
		}
		if i == 0 || i < len(s)-MaxUnitLen || !(depth == 0 || depth == 1 && s[i] == '{') || !unitStart(s, i) {
			continue
		}
		if p := s[i-1]; !(isDigit(p) || p == ' ' || p == '}') || !hasDigit(s[:i]) {
			continue
		}
		if _, err := ParseUnit(s[i:]); err == nil {
			return true
		}
	}
	return false
}

var unitAfterStop = regexp.MustCompile(`[$。，,;；.!?]|\\\)|\\\]|\\\\`)

// unitAfter returns the unit at the start of the text after a box ("\ \mathrm{m}." → "\mathrm{m}"),
// or "".
func unitAfter(t string) string {
	if len(t) > 80 {
		t = t[:80]
	}
	t = strings.TrimLeft(t, " $~")
	t = strings.TrimPrefix(t, `\,`)
	t = strings.TrimPrefix(t, `\ `)
	if loc := unitAfterStop.FindStringIndex(t); loc != nil {
		t = t[:loc[0]]
	}
	// the longest run of words that reads as a unit
	f := strings.Fields(t)
	for n := min(len(f), 4); n > 0; n-- {
		cand := strings.Join(f[:n], " ")
		if _, err := ParseUnit(cand); err == nil && strings.TrimSpace(cand) != "" {
			return cand
		}
	}
	return ""
}

// physicsClean strips \boxed{}, math delimiters and trailing punctuation from a gold or
// predicted sub-answer.
func physicsClean(s string) string {
	for range 3 { // \boxed{$\boxed{…}$} and $\boxed{$…$}$ occur in HiPhO golds
		s = stripDollars(s)
		bs := boxes(s)
		if len(bs) != 1 || bs[0].start != 0 || bs[0].end != len(s) {
			break
		}
		s = stripDollars(bs[0].content)
	}
	s = stripDollars(s)
	s = strings.TrimSpace(strings.TrimRight(s, " 。.,;，"))
	s = strings.TrimSpace(strings.TrimSuffix(s, `\\`))
	return s
}

// EquivalentPhysics compares one predicted sub-answer (a box's content, its unit inside or
// after it) with one gold by the gold's answer type. An unknown gold unit is a StatusError
// verdict naming the unit.
func EquivalentPhysics(g PhysicsGold, pred string, opt Options) (v Verdict) {
	if opt.Deadline <= 0 {
		opt.Deadline = DefaultOptions().Deadline
	}
	if opt.Tolerance <= 0 {
		opt.Tolerance = DefaultOptions().Tolerance
	}
	bud := newBudget(opt.Deadline)
	gs, ps := physicsClean(foldWidth(clip(g.Answer))), physicsClean(foldWidth(clip(pred)))
	v = Verdict{Gold: gs, Pred: ps}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(errBudget); ok {
				v.Correct, v.Status, v.Detail = false, StatusTimeout, "step budget or deadline exhausted"
				return
			}
			v.Correct, v.Status, v.Detail = false, StatusError, fmt.Sprintf("internal error: %v", r)
		}
	}()
	if ps == "" {
		v.Status, v.Detail = StatusUnparsable, "empty prediction"
		return v
	}
	switch g.Type {
	case TypeNumerical:
		v.Correct, v.Status, v.Detail = numericalEq(g, gs, ps, opt, bud)
	case TypeChoice:
		v.Correct, v.Status, v.Detail = choiceEq(gs, ps)
	case TypeExpression:
		v.Correct, v.Status, v.Detail = compareAnswers(stripLabel(gs), stripLabel(ps), opt, bud)
		if q, ok := withoutGoldUnit(ps, g.Unit); !v.Correct && ok {
			v.Correct, v.Status, v.Detail = compareAnswers(stripLabel(gs), stripLabel(q), opt, bud)
		}
	default:
		v.Correct, v.Status, v.Detail = compareAnswers(gs, ps, opt, bud)
		if q, ok := withoutGoldUnit(ps, g.Unit); !v.Correct && ok && g.Type != TypeNumerical {
			v.Correct, v.Status, v.Detail = compareAnswers(gs, q, opt, bud)
		}
	}
	if v.Status != StatusOK {
		v.Correct = false
	}
	return v
}

// withoutGoldUnit drops the unit written after a symbolic answer's box (boxAnswer joins it with
// "\ ") when it is the gold's own unit: "\vec{F} = … \hat{j}\ N" against a gold in N compares
// as "\vec{F} = … \hat{j}". Any other unit stays, so the comparison fails.
func withoutGoldUnit(pred, gold string) (string, bool) {
	i := strings.LastIndex(pred, `\ `)
	if i <= 0 || strings.TrimSpace(gold) == "" {
		return pred, false
	}
	pu, err := ParseUnit(strings.TrimSpace(pred[i+2:]))
	if err != nil {
		return pred, false
	}
	gu, err := goldUnit(gold)
	if err != nil {
		return pred, false
	}
	if f, err := pu.Convert(1, gu); err != nil || math.Abs(f-1) > 1e-9 {
		return pred, false
	}
	return strings.TrimSpace(pred[:i]), true
}

// goldUnit parses a gold unit field; "", "null" and "None" are dimensionless.
func goldUnit(s string) (Unit, error) {
	t := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s), "."))
	switch t {
	case "", "null", "None", "none", "-":
		return Unit{factor: 1}, nil
	}
	return ParseUnit(t)
}

// numericalEq is the Numerical Value rule: convert the prediction's unit (none: the gold's) to
// the gold unit and accept a relative difference ≤ the tolerance, or a value inside a gold
// interval.
func numericalEq(g PhysicsGold, gs, ps string, opt Options, bud *budget) (bool, Status, string) {
	gu, err := goldUnit(g.Unit)
	if err != nil {
		return false, StatusError, "gold " + err.Error()
	}
	tol := g.Tolerance
	if tol <= 0 {
		tol = DefaultPhysicsTolerance
	}
	gl := stripLabel(gs)
	giv, gIsIv := parseInterval(gl, gu, bud)
	if piv, ok := parseInterval(stripLabel(ps), gu, bud); ok && gIsIv {
		// a predicted range is right when it lies inside the gold range
		in := piv.lo >= giv.lo-1e-9*math.Abs(giv.lo) && piv.hi <= giv.hi+1e-9*math.Abs(giv.hi)
		return in, StatusOK, fmt.Sprintf("[%g, %g] inside [%g, %g] %s: %v", piv.lo, piv.hi, giv.lo, giv.hi, gu, in)
	}
	pq, err := parseQuantity(stripLabel(ps), bud)
	if err != nil {
		if strings.HasPrefix(err.Error(), "unknown unit") {
			return false, StatusOK, "pred " + err.Error()
		}
		if err == errNotNumber {
			// ±90, a symbolic or a text answer: the math comparison decides
			return compareAnswers(stripLabel(gs), stripLabel(ps), opt, bud)
		}
		return false, StatusUnparsable, "pred " + err.Error()
	}
	p := pq.v
	if pq.has {
		if p, err = pq.unit.Convert(pq.v, gu); err != nil {
			return false, StatusOK, err.Error()
		}
	}
	if iv := giv; gIsIv {
		slack := 1e-9 * max(math.Abs(iv.lo), math.Abs(iv.hi))
		in := p >= iv.lo-slack && p <= iv.hi+slack
		return in, StatusOK, fmt.Sprintf("%g %s in [%g, %g]: %v", p, gu, iv.lo, iv.hi, in)
	}
	gq, err := parseQuantity(gl, bud)
	if err == errNotNumber {
		return compareAnswers(gl, stripLabel(ps), opt, bud)
	}
	if err != nil {
		return false, StatusUnparsable, "gold " + err.Error()
	}
	gv := gq.v
	if gq.has {
		if gv, err = gq.unit.Convert(gq.v, gu); err != nil {
			return false, StatusError, "gold " + err.Error()
		}
	}
	ok := relDiffOK(gv, p, tol)
	return ok, StatusOK, fmt.Sprintf("%g vs gold %g %s (relative tolerance %g): %v", p, gv, gu, tol, ok)
}

var choiceWrapRe = regexp.MustCompile(`\\(?:text(?:bf|rm|it)?|mathrm|mathbf|textnormal)\s*`)
var choiceJoinRe = regexp.MustCompile(`(?i)\b(?:and|or)\b|[(){},;&.\s]|\\[,;: ]|\\quad`)

// choiceLetters returns the sorted set of letters A–E of a multiple-choice answer ("D, A",
// "(A)(D)", "AD", "A and D", `\text{(B)}`); ok is false when anything else remains.
func choiceLetters(s string) (string, bool) {
	s = choiceWrapRe.ReplaceAllString(s, "")
	s = choiceJoinRe.ReplaceAllString(s, "")
	if s == "" || len(s) > 5 {
		return "", false
	}
	seen := map[byte]bool{}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'E' {
			return "", false
		}
		seen[s[i]] = true
	}
	var out []byte
	for c := range seen {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return string(out), true
}

// choiceEq compares multiple-choice answers as letter sets; a prediction such as "(B) 5" is
// read as its leading letter.
func choiceEq(gs, ps string) (bool, Status, string) {
	gl, ok := choiceLetters(gs)
	if !ok {
		return false, StatusUnparsable, fmt.Sprintf("gold %q is not a set of letters A-E", gs)
	}
	pl, ok := choiceLetters(ps)
	if !ok {
		if m := choicePrefixRe.FindStringSubmatch(ps); m != nil {
			pl = m[1]
		} else {
			return false, StatusOK, fmt.Sprintf("pred %q is not a set of letters A-E", ps)
		}
	}
	return pl == gl, StatusOK, fmt.Sprintf("letters %s vs gold %s", pl, gl)
}
