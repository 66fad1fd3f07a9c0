package answer

import "strings"

// Number literals: digit grouping, decimals, scientific notation and mixed numbers.

// number reads digits with thousands grouping, a decimal part and an exponent.
func (lx *lexer) number() {
	s := lx.src
	start := lx.pos
	var b strings.Builder
	for lx.pos < len(s) && isDigit(s[lx.pos]) {
		lx.pos++
	}
	intPart := s[start:lx.pos]
	b.WriteString(intPart)
	// Thousands grouping: 1,234,567 (groups of exactly three digits, first group 1-3 digits).
	if len(intPart) >= 1 && len(intPart) <= 3 && !(intPart[0] == '0') {
		for lx.pos+3 < len(s)+0 && s[lx.pos] == ',' && lx.pos+4 <= len(s) &&
			isDigit(s[lx.pos+1]) && isDigit(s[lx.pos+2]) && isDigit(s[lx.pos+3]) &&
			(lx.pos+4 == len(s) || !isDigit(s[lx.pos+4])) {
			b.WriteString(s[lx.pos+1 : lx.pos+4])
			lx.pos += 4
		}
		if lx.pos+4 == len(s) && s[lx.pos] == ',' && isDigit(s[lx.pos+1]) && isDigit(s[lx.pos+2]) && isDigit(s[lx.pos+3]) {
			b.WriteString(s[lx.pos+1 : lx.pos+4])
			lx.pos += 4
		}
	}
	// Thin-space grouping: 11 111 111 100 (left by \! and {,} removal).
	if len(intPart) >= 1 && len(intPart) <= 3 {
		for lx.pos+4 <= len(s) && s[lx.pos] == ' ' && isDigit(s[lx.pos+1]) && isDigit(s[lx.pos+2]) && isDigit(s[lx.pos+3]) &&
			(lx.pos+4 == len(s) || !isDigit(s[lx.pos+4]) && s[lx.pos+4] != '.') {
			b.WriteString(s[lx.pos+1 : lx.pos+4])
			lx.pos += 4
		}
	}
	// Decimal comma after a leading zero: 0,111 (not inside a bracket or list: (0,125)).
	prevOpen := len(lx.out) > 0 && (lx.out[len(lx.out)-1].s == "(" || lx.out[len(lx.out)-1].s == "[" || lx.out[len(lx.out)-1].s == ",")
	if intPart == "0" && !prevOpen && lx.pos+3 < len(s) && s[lx.pos] == ',' && isDigit(s[lx.pos+1]) && isDigit(s[lx.pos+2]) && isDigit(s[lx.pos+3]) {
		lx.pos++
		b.WriteByte('.')
		for lx.pos < len(s) && isDigit(s[lx.pos]) {
			b.WriteByte(s[lx.pos])
			lx.pos++
		}
	}
	if lx.pos+1 < len(s) && s[lx.pos] == '.' && isDigit(s[lx.pos+1]) {
		b.WriteByte('.')
		lx.pos++
		for lx.pos < len(s) && isDigit(s[lx.pos]) {
			b.WriteByte(s[lx.pos])
			lx.pos++
		}
	} else if lx.pos < len(s) && s[lx.pos] == '.' && (lx.pos+1 == len(s) || s[lx.pos+1] == ' ') {
		lx.pos++ // "1000." trailing period
	}
	// Scientific notation: 9e11, 1.5E-3 (digits must follow directly).
	if lx.pos+1 < len(s) && (s[lx.pos] == 'e' || s[lx.pos] == 'E') {
		j := lx.pos + 1
		if j < len(s) && (s[j] == '-' || s[j] == '+') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			k := j
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			if k == len(s) || !isLetter(s[k]) {
				b.WriteString("e" + s[lx.pos+1:k])
				lx.pos = k
			}
		}
	}
	if lx.mixed(start, b.String()) {
		return
	}
	lx.emit(tNum, b.String())
}

// mixed reads a mixed number "3128 1/2" (an integer, one space, a proper fraction) as
// (3128 + 1/2); it reports whether it did.
func (lx *lexer) mixed(start int, whole string) bool {
	s := lx.src
	if lx.pos-start != len(whole) || lx.pos >= len(s) || s[lx.pos] != ' ' {
		return false // not a plain integer, or no space follows
	}
	if n := len(lx.out); n > 0 {
		// only where a value starts: not an exponent or subscript (x^2 1/2), not after a factor
		switch t := lx.out[n-1]; {
		case t.t == tRel || t.t == tSep:
		case t.t == tOp && strings.Contains("([{,;+-:", t.s):
		default:
			return false
		}
	}
	j := lx.pos + 1
	k := j
	for k < len(s) && isDigit(s[k]) {
		k++
	}
	if k == j || k >= len(s) || s[k] != '/' {
		return false
	}
	m := k + 1
	for m < len(s) && isDigit(s[m]) {
		m++
	}
	if m == k+1 || m < len(s) && (isLetter(s[m]) || s[m] == '.' || s[m] == '^' || s[m] == '\\') {
		return false
	}
	num, den := s[j:k], s[k+1:m]
	if len(num) > len(den) || len(num) == len(den) && num >= den {
		return false // not a proper fraction: "2 3/2" is not a mixed number
	}
	for _, t := range []tok{{tOp, "("}, {tNum, whole}, {tOp, "+"}, {tNum, num}, {tOp, "/"}, {tNum, den}, {tOp, ")"}} {
		lx.out = append(lx.out, t)
	}
	lx.pos = m
	return true
}
