package answer

import (
	"regexp"
	"strings"
)

// Spellings that are not LaTeX, rewritten before lexing: full-width characters, sympy's and
// Python's printing (Rational(1, 3), Interval.open(a, b), Matrix([[…]]), nested lists [[1, 2],
// [3, 4]]), and LaTeX line breaks left at the end of an answer.

// foldWidth maps full-width forms (U+FF01–FF5E: "１２３", "（１，２）", "ｘ＝５") and the
// ideographic space to ASCII.
func foldWidth(s string) string {
	if !strings.Contains(s, "\xef\xbc") && !strings.Contains(s, "\xef\xbd") && !strings.Contains(s, "\u3000") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			b.WriteRune(r - 0xFEE0)
		case r == 0x3000:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

var (
	rationalRe = regexp.MustCompile(`Rational\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\)`)
	intervalRe = regexp.MustCompile(`Interval(\.open|\.Ropen|\.Lopen)?\(`)
)

// plainText rewrites sympy/Python spellings into the parser's vocabulary.
func plainText(s string) string {
	s = trimBreaks(s)
	if strings.Contains(s, "Rational(") {
		s = rationalRe.ReplaceAllString(s, "($1)/($2)")
	}
	if strings.Contains(s, "Interval") {
		s = rewriteCalls(s, intervalRe, func(kind string) (string, string) {
			switch kind {
			case ".open":
				return "(", ")"
			case ".Ropen":
				return "[", ")"
			case ".Lopen":
				return "(", "]"
			}
			return "[", "]"
		})
	}
	if strings.Contains(s, "Matrix(") {
		s = rewriteCalls(s, matrixCallRe, func(string) (string, string) { return "", "" })
	}
	if strings.HasPrefix(strings.TrimSpace(s), "[[") {
		if m, ok := nestedList(strings.TrimSpace(s)); ok {
			s = m
		}
	}
	return s
}

var matrixCallRe = regexp.MustCompile(`Matrix\(`)

// rewriteCalls replaces each call re(...) by open ... close, where brackets returns the new
// delimiters for the matched call name's suffix.
func rewriteCalls(s string, re *regexp.Regexp, brackets func(string) (string, string)) string {
	for range 8 {
		loc := re.FindStringSubmatchIndex(s)
		if loc == nil {
			return s
		}
		kind := ""
		if len(loc) >= 4 && loc[2] >= 0 {
			kind = s[loc[2]:loc[3]]
		}
		depth, end := 1, -1
		for i := loc[1]; i < len(s) && end < 0; i++ {
			switch s[i] {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					end = i
				}
			}
		}
		if end < 0 {
			return s
		}
		o, c := brackets(kind)
		s = s[:loc[0]] + o + s[loc[1]:end] + c + s[end+1:]
	}
	return s
}

// nestedList turns "[[1, 2], [3, 4]]" into a pmatrix; ok is false unless every element of
// the outer list is a bracketed row of the same length.
func nestedList(s string) (string, bool) {
	if !strings.HasSuffix(s, "]]") {
		return "", false
	}
	rows := splitTop(s[1:len(s)-1], ',')
	var b strings.Builder
	b.WriteString(`\begin{pmatrix}`)
	cols := -1
	for i, r := range rows {
		r = strings.TrimSpace(r)
		if len(r) < 2 || r[0] != '[' || r[len(r)-1] != ']' {
			return "", false
		}
		cells := splitTop(r[1:len(r)-1], ',')
		if cols >= 0 && len(cells) != cols {
			return "", false
		}
		cols = len(cells)
		if i > 0 {
			b.WriteString(`\\`)
		}
		b.WriteString(strings.Join(cells, "&"))
	}
	b.WriteString(`\end{pmatrix}`)
	return b.String(), true
}

// splitTop splits s at sep outside brackets and braces.
func splitTop(s string, sep byte) []string {
	var out []string
	depth, last := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case sep:
			if depth == 0 {
				out = append(out, s[last:i])
				last = i + 1
			}
		}
	}
	return append(out, s[last:])
}

// trimBreaks drops LaTeX line breaks (\\) and spaces at the end of an answer: "185\\".
func trimBreaks(s string) string {
	t := strings.TrimRight(s, " \n\t")
	for strings.HasSuffix(t, `\\`) {
		t = strings.TrimRight(t[:len(t)-2], " \n\t")
	}
	return t
}
