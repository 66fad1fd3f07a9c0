package answer

import (
	"fmt"
	"math"
	"math/cmplx"
	"strings"
)

// quantity is a numeric answer with the unit it was written in (none: has is false).
type quantity struct {
	v     float64
	unit  Unit
	has   bool
	value string // the text of the value, without the unit
	apart bool   // the unit is written apart from the value (a space or a LaTeX command)
}

// errNotNumber marks an answer that parses but is not a number (it has free symbols).
var errNotNumber = fmt.Errorf("not a number")

// numberValue evaluates s as a number (no free symbols; \pi and e are constants). A string in
// which the lexer sees words or text is not a bare number.
func numberValue(s string, bud *budget) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("%w: empty value", errParse)
	}
	for _, t := range lex(s, bud) {
		if t.t == tWord || t.t == tText || t.t == tPct {
			return 0, errNotNumber
		}
	}
	n, err := parse(s, bud)
	if err != nil {
		return 0, err
	}
	if r, ok := exact(n, bud); ok {
		f, _ := r.Float64()
		return f, nil
	}
	v, ok := numeric(n, env{}, bud)
	if !ok || !finite(v) || math.Abs(imag(v)) > 1e-12*math.Max(1, cmplx.Abs(v)) {
		return 0, errNotNumber
	}
	return real(v), nil
}

// numberish is a cheap filter before numberValue: letters only in commands (\\times, \\pi),
// as an exponent mark after a digit (5.31e-11), or in "pi".
func numberish(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			j := i + 1
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			i = j - 1
		case c == 'e' || c == 'E':
			if i == 0 || !isDigit(s[i-1]) {
				return false
			}
		case c == 'p' && strings.HasPrefix(s[i:], "pi"):
			i++
		case isLetter(c) || c >= 0x80:
			return false
		}
	}
	return true
}

// unitStart reports whether a unit may begin at byte i of s (at brace depth 0).
func unitStart(s string, i int) bool {
	c := s[i]
	switch {
	case isLetter(c):
		return i == 0 || !(isLetter(s[i-1]) || s[i-1] == '\\')
	case c == '\\' || c == '%' || c == '{' || c >= 0x80:
		return true
	case c == '^':
		return strings.HasPrefix(s[i:], `^{\circ}`) || strings.HasPrefix(s[i:], `^\circ`)
	}
	return false
}

// parseQuantity splits a numeric answer into its value and unit: "5.31\times10^{-9}\ \mathrm{cm}",
// "-18\ ^{\circ}\mathrm{C}", "2200 m·s⁻¹", "0.35\%", "2\pi\ \mathrm{rad}". The unit is the
// shortest tail that parses as a unit and leaves a number before it. A number followed by
// something that is not a unit is an error naming that text.
func parseQuantity(s string, bud *budget) (quantity, error) {
	s = strings.TrimSpace(s)
	if len(s) > MaxAnswerLen {
		return quantity{}, fmt.Errorf("%w: answer longer than %d bytes", errParse, MaxAnswerLen)
	}
	// Units are short: only the last MaxUnitLen bytes can start one, and only the last 64 are
	// tried for naming an unknown unit, so the work stays linear in the answer.
	lo, tailLo, tails := len(s)-MaxUnitLen, len(s)-64, 0
	depth, firstTail := 0, -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
		}
		if i == 0 || i < lo || !(depth == 0 || depth == 1 && s[i] == '{') || !unitStart(s, i) || !hasDigit(s[:i]) {
			continue
		}
		if s[i] >= 0x80 && s[i] < 0xC0 {
			continue // inside a multi-byte character
		}
		bud.step(len(s) - i)
		u, uerr := ParseUnit(s[i:])
		if uerr != nil && (firstTail >= 0 || i < tailLo || tails >= 8) {
			continue
		}
		tails++
		if !numberish(s[:i]) {
			continue
		}
		v, verr := numberValue(s[:i], bud)
		if verr != nil {
			continue
		}
		if uerr == nil {
			apart := s[i] == '\\' || s[i-1] == ' ' || s[i] == '{'
			return quantity{v: v, unit: u, has: true, value: s[:i], apart: apart}, nil
		}
		firstTail = i
	}
	v, err := numberValue(s, bud)
	if err == nil {
		return quantity{v: v, value: s}, nil
	}
	if firstTail >= 0 {
		return quantity{}, fmt.Errorf("unknown unit %q", strings.TrimSpace(s[firstTail:]))
	}
	return quantity{}, err
}

// stripLabel drops a leading label: it returns the text after the last top-level "=", "\approx", "≈" or
// "\simeq" ("v = 3", "T_2/T_1 = 0.5", "E \approx 2"); s itself when there is none.
func stripLabel(s string) string {
	depth, cut := 0, -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '{' || c == '(' || c == '[':
			depth++
		case c == '}' || c == ')' || c == ']':
			depth--
		case depth != 0:
		case c == '=' && (i == 0 || !strings.ContainsRune("<>!", rune(s[i-1]))) && (i+1 == len(s) || s[i+1] != '='):
			cut = i + 1
		case c == '\\':
			for _, m := range []string{`\approx`, `\simeq`, `\equiv`} {
				if strings.HasPrefix(s[i:], m) {
					cut = i + len(m)
				}
			}
		case strings.HasPrefix(s[i:], "≈"):
			cut = i + len("≈")
		}
	}
	if cut < 0 || strings.TrimSpace(s[cut:]) == "" {
		return s
	}
	return strings.TrimSpace(s[cut:])
}

// interval is a gold range [lo, hi] in the gold unit.
type interval struct{ lo, hi float64 }

// parseInterval reads a range "[a, b]" (also "[a, b] for $v_{r,1}$", bounds with units, or the
// range followed by one unit for both bounds: "[a, b]\ \mathrm{m/s}", as \boxed{[a, b]} m/s
// reads) in the unit u; ok is false when s is not one.
func parseInterval(s string, u Unit, bud *budget) (interval, bool) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, " for "); i > 0 {
		s = strings.TrimSpace(s[:i])
	}
	var shared *Unit // the unit written after the closing bracket
	if j := strings.LastIndexByte(s, ']'); len(s) > 0 && s[0] == '[' && j > 0 && j < len(s)-1 {
		tail := strings.TrimSpace(s[j+1:])
		tail = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(tail, `\ `), `\,`))
		tu, err := ParseUnit(tail)
		if err != nil || tail == "" {
			return interval{}, false
		}
		shared, s = &tu, s[:j+1]
	}
	if len(s) < 5 || s[0] != '[' || s[len(s)-1] != ']' {
		return interval{}, false
	}
	in := s[1 : len(s)-1]
	depth, comma := 0, -1
	for i := 0; i < len(in); i++ {
		switch in[i] {
		case '{', '(', '[':
			depth++
		case '}', ')', ']':
			depth--
		case ',':
			if depth == 0 {
				if comma >= 0 {
					return interval{}, false
				}
				comma = i
			}
		}
	}
	if comma < 0 {
		return interval{}, false
	}
	var b [2]float64
	for i, t := range []string{in[:comma], in[comma+1:]} {
		q, err := parseQuantity(t, bud)
		if err != nil {
			return interval{}, false
		}
		b[i] = q.v
		from := shared
		if q.has {
			from = &q.unit
		}
		if from != nil {
			if b[i], err = from.Convert(q.v, u); err != nil {
				return interval{}, false
			}
		}
	}
	lo, hi := b[0], b[1]
	if lo > hi {
		lo, hi = hi, lo
	}
	return interval{lo, hi}, true
}

// relDiffOK is the physics numeric rule: |p − g| ≤ tol·|g| (p must be exactly g when g is 0).
func relDiffOK(g, p, tol float64) bool {
	return math.Abs(p-g) <= tol*math.Abs(g)
}

// withUnit reports whether s may end in a unit written apart from a
// number (\mathrm{…}, \text{…}, a space before letters), so that parseQuantity is worth trying.
func withUnit(s string) bool {
	for _, m := range []string{`\mathrm`, `\text`, `\,`, `\ `, `\;`, "~"} {
		i := strings.Index(s, m)
		if i < 0 {
			continue
		}
		t := strings.TrimRight(s[:i], " ")
		if t != "" && (isDigit(t[len(t)-1]) || t[len(t)-1] == '}') {
			return true
		}
	}
	return false
}

// unitlessValues drops units written apart from a number on either side of a math comparison
// ("1.6\times10^{-19}\,\mathrm{C}" is 1.6\times10^{-19}), converting when both sides have one:
// g2 and p2 are the value texts to compare. decided is set when the units alone decide (a
// different dimension, or different units whose converted values are compared here).
func unitlessValues(g, p string, tol float64, bud *budget) (g2, p2 string, correct, decided bool) {
	g2, p2 = g, p
	if !withUnit(g) && !withUnit(p) || !numberish(g) && !numberish(p) && !(withUnit(g) && withUnit(p)) {
		return
	}
	gq, gerr := parseQuantity(g, bud)
	pq, perr := parseQuantity(p, bud)
	if gerr != nil || perr != nil || gq.has && !gq.apart || pq.has && !pq.apart || !gq.has && !pq.has {
		return
	}
	if gq.has && pq.has {
		if !gq.unit.SameDimension(pq.unit) {
			return g, p, false, true
		}
		if gq.unit.factor != pq.unit.factor || gq.unit.offset != pq.unit.offset {
			v, _ := pq.unit.Convert(pq.v, gq.unit)
			return g, p, math.Abs(v-gq.v) <= tol*math.Abs(gq.v), true
		}
	}
	return gq.value, pq.value, false, false
}
