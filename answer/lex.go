package answer

import (
	"strings"
	"unicode/utf8"
)

// ttype is a token type of the math lexer.
type ttype int

const (
	tEOF    ttype = iota
	tNum          // number literal, digit grouping already removed: "1000.5", "9e11"
	tIdent        // one-letter variable, Greek letter name or constant ("pi", "inf")
	tWord         // a word of prose or a unit ("miles", "odd")
	tText         // the content of \text{...}
	tFunc         // known function name ("sin", "log")
	tCmd          // structural LaTeX command ("frac", "sqrt", "begmat", "endmat", "sum")
	tOp           // punctuation and operators: + - * / ^ _ ( ) [ ] { } \{ \} , ; : | ! & ± U N
	tRel          // relation: = < > <= >= != ≈ in
	tPct          // percent sign or word
	tSep          // "and"/"or" used as a list separator
	tRowSep       // \\ in matrices
)

// tok is one lexer token.
type tok struct {
	t ttype
	s string
}

// lexer turns a cleaned answer string into tokens.
type lexer struct {
	src  string
	pos  int
	out  []tok
	bud  *budget
	next func(rune) bool
}

// lex tokenizes s. It never fails: unknown characters become identifiers.
func lex(s string, bud *budget) []tok {
	s = unicodeRepl.Replace(s)
	lx := &lexer{src: s, bud: bud}
	lx.run()
	return lx.out
}

func (lx *lexer) emit(t ttype, s string) { lx.out = append(lx.out, tok{t, s}) }

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func (lx *lexer) run() {
	s := lx.src
	for lx.pos < len(s) {
		lx.bud.step(1)
		c := s[lx.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '~':
			lx.pos++
		case isDigit(c) || c == '.' && lx.pos+1 < len(s) && isDigit(s[lx.pos+1]):
			lx.number()
		case isLetter(c):
			lx.letters()
		case c == '\\':
			lx.command()
		case c == '%':
			lx.emit(tPct, "%")
			lx.pos++
		case c == '<' || c == '>' || c == '!' || c == '=':
			if lx.pos+1 < len(s) && s[lx.pos+1] == '=' {
				lx.emit(tRel, s[lx.pos:lx.pos+2])
				lx.pos += 2
			} else if c == '!' {
				lx.emit(tOp, "!")
				lx.pos++
			} else {
				lx.emit(tRel, string(c))
				lx.pos++
			}
		case strings.HasPrefix(s[lx.pos:], "°"):
			lx.emit(tOp, "°")
			lx.pos += len("°")
		case c == '*' && lx.pos+1 < len(s) && s[lx.pos+1] == '*':
			lx.emit(tOp, "^") // Python's x**2
			lx.pos += 2
		case strings.IndexByte("+-*/^_()[]{},;:|&'", c) >= 0:
			lx.emit(tOp, string(c))
			lx.pos++
		default:
			r, n := utf8.DecodeRuneInString(s[lx.pos:])
			lx.pos += n
			if r != utf8.RuneError && r > ' ' {
				lx.emit(tIdent, string(r))
			}
		}
	}
}

var sepWords = map[string]bool{"and": true, "or": true}
var pctWords = map[string]bool{"percent": true, "pct": true, "percentage": true, "percents": true}

// letters reads a run of ASCII letters: a function name, a separator word, a prose word or unit,
// or a product of one-letter variables.
func (lx *lexer) letters() {
	s := lx.src
	start := lx.pos
	for lx.pos < len(s) && isLetter(s[lx.pos]) {
		lx.pos++
	}
	w := s[start:lx.pos]
	// A connector glued between answers: "1orW(x)=-1", "(11,7)or(7,11)".
	if n := len(lx.out); n > 0 && (lx.out[n-1].t == tNum || lx.out[n-1].s == ")") {
		for _, sep := range []string{"or", "and"} {
			if len(w) > len(sep) && strings.HasPrefix(w, sep) && w[len(sep)] >= 'A' && w[len(sep)] <= 'Z' {
				lx.emit(tSep, sep)
				lx.pos = start + len(sep)
				lx.letters()
				return
			}
		}
	}
	lw := strings.ToLower(w)
	switch {
	case w == "pi":
		lx.emit(tIdent, "pi") // sympy's pi
	case w == "oo":
		lx.emit(tIdent, "inf") // sympy's infinity
	case funcNames[lw] && lw == w:
		lx.emit(tFunc, w)
	case sepWords[lw]:
		lx.emit(tSep, lw)
	case pctWords[lw]:
		lx.emit(tPct, "%")
	case len(w) >= 3 && isWord(w):
		lx.emit(tWord, w)
	default:
		for i := 0; i < len(w); i++ {
			lx.emit(tIdent, w[i:i+1])
		}
	}
}

// isWord tells a prose word ("miles", "odd") from a product of variables ("xyz", "ABCD").
func isWord(w string) bool {
	upper := 0
	vowel := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			upper++
		}
		if strings.IndexByte("aeiouyAEIOUY", c) >= 0 {
			vowel = true
		}
	}
	return vowel && upper <= 1
}

// group reads a brace group starting at lx.pos (which must be '{') and returns its content.
func (lx *lexer) group() (string, bool) {
	s := lx.src
	for lx.pos < len(s) && s[lx.pos] == ' ' {
		lx.pos++
	}
	if lx.pos >= len(s) || s[lx.pos] != '{' {
		return "", false
	}
	depth := 0
	for i := lx.pos; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				in := s[lx.pos+1 : i]
				lx.pos = i + 1
				return in, true
			}
		}
	}
	return "", false
}

// sub lexes s as a nested fragment and appends its tokens.
func (lx *lexer) sub(s string) {
	in := &lexer{src: s, bud: lx.bud}
	in.run()
	lx.out = append(lx.out, in.out...)
}

func (lx *lexer) command() {
	s := lx.src
	lx.pos++ // backslash
	if lx.pos >= len(s) {
		return
	}
	c := s[lx.pos]
	if !isLetter(c) {
		lx.pos++
		switch c {
		case '\\':
			// A doubled backslash before a known command is an escaping artefact: \\frac → \frac.
			j := lx.pos
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			if j > lx.pos && knownCmd(s[lx.pos:j]) {
				lx.pos-- // reread as a single-backslash command
				lx.command()
				return
			}
			lx.emit(tRowSep, `\\`)
		case '{':
			lx.emit(tOp, `\{`)
		case '}':
			lx.emit(tOp, `\}`)
		case '(', ')', '[', ']':
			// \( \) \[ \] math delimiters: ignore.
		case '|':
			lx.emit(tOp, "|")
		case '&':
			lx.emit(tIdent, "&")
		}
		return
	}
	start := lx.pos
	for lx.pos < len(s) && isLetter(s[lx.pos]) {
		lx.pos++
	}
	name := s[start:lx.pos]
	switch {
	case skipCmds[name]:
	case textCmds[name]:
		in, ok := lx.group()
		if !ok {
			return
		}
		t := strings.TrimSpace(in)
		switch {
		case t == "" || t == "," || t == ".":
		case sepWords[strings.ToLower(t)]:
			lx.emit(tSep, strings.ToLower(t))
		case pctWords[strings.ToLower(t)]:
			lx.emit(tPct, "%")
		case looksNumeric(t):
			lx.sub(t)
		default:
			lx.emit(tText, t)
		}
	case transparentCmds[name]:
		if in, ok := lx.group(); ok {
			lx.sub(in)
		}
	case name == "sqrt":
		lx.emit(tCmd, name)
	case funcNames[name]:
		lx.emit(tFunc, name)
	case greek[name]:
		lx.emit(tIdent, name)
	case name == "pi":
		lx.emit(tIdent, "pi")
	case name == "infty" || name == "infin":
		lx.emit(tIdent, "inf")
	case name == "emptyset" || name == "varnothing":
		lx.emit(tOp, `\{`)
		lx.emit(tOp, `\}`)
	case name == "frac" || name == "sqrt" || name == "sum" || name == "prod":
		lx.emit(tCmd, name)
	case name == "binom" || name == "dbinom" || name == "tbinom":
		lx.emit(tCmd, "binom")
	case name == "lfloor" || name == "rfloor" || name == "lceil" || name == "rceil":
		lx.emit(tOp, "|"+name)
	case name == "dots" || name == "ldots" || name == "cdots":
		lx.emit(tIdent, "...")
	case name == "begin" || name == "end":
		env, _ := lx.group()
		env = strings.TrimSuffix(env, "*")
		if strings.HasSuffix(env, "matrix") || env == "array" {
			if name == "begin" {
				lx.emit(tCmd, "begmat")
				if env == "array" {
					lx.group() // column spec
				}
			} else {
				lx.emit(tCmd, "endmat")
			}
		}
	default:
		if r, ok := relCmds[name]; ok {
			lx.emit(tRel, r)
		} else if o, ok := opCmds[name]; ok {
			lx.emit(tOp, o)
		} else if strings.HasPrefix(name, "qquad") || strings.HasPrefix(name, "quad") {
			// \quadx: a spacing command glued to a variable.
			lx.pos = start + 4
			if strings.HasPrefix(name, "qquad") {
				lx.pos = start + 5
			}
		} else if k := gluedPrefix(name); k > 0 {
			// \pit is \pi t: a known symbol glued to a one- or two-letter variable
			lx.sub(`\` + name[:k] + " " + name[k:])
		} else {
			lx.emit(tIdent, `\`+name)
		}
	}
}

// gluedPrefix returns the length of a Greek letter, \pi, \cdot or \times at the start of an
// unknown command name followed by one or two more letters, or 0.
func gluedPrefix(name string) int {
	for k := len(name) - 1; k >= 2 && len(name)-k <= 2; k-- {
		p := name[:k]
		if greek[p] || p == "pi" || p == "cdot" || p == "times" {
			return k
		}
	}
	return 0
}

// looksNumeric reports whether a \text{} argument is a number ("13", "-2.5").
func looksNumeric(t string) bool {
	if t == "" {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !isDigit(c) && c != '.' && c != '-' && c != ',' && c != ' ' && c != '/' {
			return false
		}
	}
	return true
}
