package answer

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The unit lexer: LaTeX and Unicode spellings of units into atoms and operators.

// unitRepl maps LaTeX and Unicode spellings onto the unit lexer's vocabulary.
var unitRepl = strings.NewReplacer(
	`\mathring{A}`, "Å", `\mathrm`, " ", `\textrm`, " ", `\textnormal`, " ", `\text`, " ",
	`\left`, " ", `\right`, " ", `\rm`, " ", `\mathit`, " ", `\mbox`, " ",
	`\operatorname`, " ", `\mathsf`, " ", `\displaystyle`, " ",
	`\,`, " ", `\;`, " ", `\:`, " ", `\!`, " ", `\ `, " ", `~`, " ", `\quad`, " ", `$`, " ", `\cdot`, "*", `\times`, "*", "·", "*", "⋅", "*", "•", "*",
	`\div`, "/", `\mu`, "µ", "μ", "µ", `\AA`, "Å", `\r{A}`, "Å", "Å", "Å",
	`^{\circ}`, "°", `^\circ`, "°", `\circ`, "°", `\degree`, "°", "º", "°", "℃", "°C", "℉", "°F",
	`\%`, "%", `\Omega`, "Ω", `\odot`, "sun", "☉", "sun", `\astrosun`, "sun", `\sun`, "sun",
	"light-year", "lightyear", "light year", "lightyear", "**", "^", "−", "-",
	"⁻", "^-", "⁰", "0", "¹", "1", "²", "2", "³", "3", "⁴", "4", "⁵", "5", "⁶", "6", "⁷", "7", "⁸", "8", "⁹", "9",
)

// unitTokens splits a unit string into tokens.
func unitTokens(s string) ([]utok, error) {
	s = unitRepl.Replace(s)
	var out []utok
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			i++
		case c == '{' || c == '(' || c == '[':
			out = append(out, utok{'(', "("})
			i++
		case c == '}' || c == ')' || c == ']':
			out = append(out, utok{')', ")"})
			i++
		case c == '*' || c == '/' || c == '^':
			out = append(out, utok{c, string(c)})
			i++
		case c == '.' && len(out) > 0 && out[len(out)-1].k == 'a':
			out = append(out, utok{'*', "*"}) // N.m
			i++
		case c == '-' || isDigit(c):
			j := i + 1
			for j < len(s) && (isDigit(s[j]) || s[j] == '.') {
				j++
			}
			if c == '-' && j == i+1 {
				return nil, fmt.Errorf("stray %q", "-")
			}
			out = append(out, utok{'n', s[i:j]})
			i = j
		case c == '\\':
			j := i + 1
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			if s[i+1:j] == "frac" {
				out = append(out, utok{'f', "frac"})
				i = j
				continue
			}
			return nil, fmt.Errorf("unknown command %q", s[i:j])
		case c == '_':
			// a subscript names the unit with its base: M_{\odot} is Msun
			if len(out) == 0 || out[len(out)-1].k != 'a' {
				return nil, fmt.Errorf("stray subscript")
			}
			j := i + 1
			for j < len(s) && s[j] == ' ' {
				j++
			}
			var sub string
			if j < len(s) && s[j] == '{' {
				end := strings.IndexByte(s[j:], '}')
				if end < 0 {
					return nil, fmt.Errorf("unclosed subscript")
				}
				sub, i = s[j+1:j+end], j+end+1
			} else {
				k := j
				for k < len(s) && isLetter(s[k]) {
					k++
				}
				sub, i = s[j:k], k
			}
			out[len(out)-1].s += strings.Join(strings.FieldsFunc(sub, func(r rune) bool { return r == ' ' || r == '{' || r == '}' }), "")
		default:
			j := i
			for j < len(s) {
				r, n := utf8.DecodeRuneInString(s[j:])
				if !(unicode.IsLetter(r) || r == '°' || r == 'µ' || r == 'Å' || r == 'Ω' || r == '%' || r == '\'') {
					break
				}
				j += n
			}
			if j == i {
				r, _ := utf8.DecodeRuneInString(s[i:])
				return nil, fmt.Errorf("unexpected %q", string(r))
			}
			out = append(out, utok{'a', s[i:j]})
			i = j
		}
	}
	// "°" and "µ" written apart from what they qualify (`^{\circ}\mathrm{C}`, `\mu\mathrm{m}`)
	for i := 0; i < len(out); i++ {
		if out[i].s == "°" {
			out = mergeNext(out, i, func(a string) bool { return a == "C" || a == "F" })
		} else if out[i].s == "µ" {
			out = mergeNext(out, i, func(string) bool { return true })
		}
	}
	return out, nil
}

// mergeNext joins the atom out[i] with the next atom when ok accepts it, looking through brackets
// that hold only that atom: "°", "(", "C", ")" becomes "°C".
func mergeNext(out []utok, i int, ok func(string) bool) []utok {
	j, opens := i+1, 0
	for j < len(out) && out[j].k == '(' {
		j++
		opens++
	}
	if j >= len(out) || out[j].k != 'a' || !ok(out[j].s) {
		return out
	}
	for k := 0; k < opens; k++ {
		if j+1+k >= len(out) || out[j+1+k].k != ')' {
			return out
		}
	}
	out[i].s += out[j].s
	return append(out[:i+1], out[j+1+opens:]...)
}
