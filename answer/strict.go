package answer

import "strings"

// StrictExtract is JustRL's training-time extraction (verl math_dapo with
// strict_box_verify=True): keep the last 300 characters, then the last 100 of those, and take the
// content of the last "\boxed{...}" with balanced braces. ok is false when there is none.
func StrictExtract(response string) (string, bool) {
	r := []rune(response)
	if len(r) > 300 {
		r = r[len(r)-300:]
	}
	if len(r) > 100 {
		r = r[len(r)-100:]
	}
	s := string(r)
	idx := strings.LastIndex(s, `\boxed{`)
	if idx < 0 {
		return "", false
	}
	depth := 0
	for i := idx; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return s[idx+len(`\boxed{`) : i], true
			}
		}
	}
	return "", false
}

// strictVerdict is the Strict mode comparison: byte equality with the gold string.
func strictVerdict(gold, response string) Verdict {
	p, ok := StrictExtract(response)
	if !ok {
		return Verdict{Status: StatusUnparsable, Gold: gold, Detail: "no \\boxed{} in the last 100 characters"}
	}
	v := Verdict{Status: StatusOK, Pred: p, Gold: gold, Correct: p == gold}
	if v.Correct {
		v.Detail = "identical"
	} else {
		v.Detail = "strict string mismatch"
	}
	return v
}
