package hipho

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Criterion is one official marking criterion with the points it allots.
type Criterion struct {
	Text       string  `json:"text"`
	Allocation float64 `json:"allocation"` // the most points the criterion can award
}

var (
	// "Award 0.2 pt if …", "award up to 1.5 points", "aAward 0.1 pt" (a typo in APhO 2025).
	awardEN = regexp.MustCompile(`(?i)award(?:s|ed)?\s+(?:up\s+to\s+|a\s+maximum\s+of\s+|a\s+total\s+of\s+|only\s+)?([0-9]*\.?[0-9]+)\s*(?:pts?|points?|marks?)\b`)
	// CPhO and PanMechanics: "则得 2 分", "给 1 分", "扣 0.5 分".
	awardZH = regexp.MustCompile(`(?:给|得|扣)\s*([0-9]*\.?[0-9]+)\s*分`)
)

// Allocation parses the points a criterion allots: the largest amount it names ("Award 0.4 pt if
// …; partial points: award 0.2 pt if …" allots 0.4). It is false when the text names no positive
// amount.
func Allocation(criterion string) (float64, bool) {
	best := 0.0
	for _, re := range []*regexp.Regexp{awardEN, awardZH} {
		for _, m := range re.FindAllStringSubmatch(criterion, -1) {
			if x, err := strconv.ParseFloat(m[1], 64); err == nil && x > best {
				best = x
			}
		}
	}
	return best, best > 0
}

// Schemes parses the problem's marking schemes into criteria with their allocations. A criterion
// whose points cannot be parsed is an error naming the exam, the problem and the criterion.
func Schemes(p *Problem) ([][]Criterion, error) {
	out := make([][]Criterion, len(p.Marking.Schemes))
	for s, scheme := range p.Marking.Schemes {
		out[s] = make([]Criterion, len(scheme))
		for c, text := range scheme {
			a, ok := Allocation(text)
			if !ok {
				return nil, fmt.Errorf("hipho: exam %s problem %s scheme %d criterion %d: no points found (want \"Award X pt\" or \"得 X 分\"): %q",
					p.Exam, p.ID, s+1, c+1, head(text, 120))
			}
			out[s][c] = Criterion{Text: text, Allocation: a}
		}
	}
	return out, nil
}

// CheckMarking parses every criterion of the exam (see Schemes).
func (e *Exam) CheckMarking() error {
	for i := range e.Problems {
		if _, err := Schemes(&e.Problems[i]); err != nil {
			return err
		}
	}
	return nil
}

// head is the first n runes of s with "…" when cut.
func head(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "…"
}

var (
	replyBoxed = regexp.MustCompile(`\\boxed\{\s*([-+]?[0-9]*\.?[0-9]+)\s*(?:pts?|points?|分)?\s*\}`)
	replyLabel = regexp.MustCompile(`(?i)(?:awarded(?:\s+points)?|score|points|得分)\s*[:：=]\s*\**\s*([-+]?[0-9]*\.?[0-9]+)`)
	replyBare  = regexp.MustCompile(`^\s*\**\s*([-+]?[0-9]*\.?[0-9]+)\s*(?:pts?|points?|分)?\s*\**\s*$`)
)

// ParseAward reads the points a judge awarded from its reply (after any </think>): the last
// \boxed{x}, else the last "Awarded: x" / "Score: x" / "得分：x", else a reply that is only a
// number. It is false when none is there, so an unreadable reply is counted, not read as 0.
func ParseAward(reply string) (float64, bool) {
	if i := strings.LastIndex(reply, "</think>"); i >= 0 {
		reply = reply[i+len("</think>"):]
	}
	for _, re := range []*regexp.Regexp{replyBoxed, replyLabel, replyBare} {
		if m := re.FindAllStringSubmatch(reply, -1); len(m) > 0 {
			if x, err := strconv.ParseFloat(m[len(m)-1][1], 64); err == nil {
				return x, true
			}
		}
	}
	return 0, false
}

// clamp limits awarded points to [0, allocation].
func clamp(x, allocation float64) float64 {
	return max(0, min(x, allocation))
}
