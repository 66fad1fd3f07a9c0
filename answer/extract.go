package answer

import (
	"regexp"
	"strings"
)

// box is one top-level \boxed{...} or \fbox{...} occurrence.
type box struct {
	start, end int // byte span of the whole command
	content    string
}

// boxes finds the top-level boxes of s in order (a box nested in a box is part of its parent).
func boxes(s string) []box {
	var out []box
	i := 0
	for i < len(s) {
		j := strings.Index(s[i:], `\boxed`)
		k := strings.Index(s[i:], `\fbox`)
		if j < 0 && k < 0 {
			break
		}
		at, n := j, len(`\boxed`)
		if j < 0 || k >= 0 && k < j {
			at, n = k, len(`\fbox`)
		}
		at += i
		p := at + n
		for p < len(s) && s[p] == ' ' {
			p++
		}
		if p < len(s) && s[p] == '{' {
			depth, end := 0, -1
			for q := p; q < len(s); q++ {
				if s[q] == '{' {
					depth++
				} else if s[q] == '}' {
					depth--
					if depth == 0 {
						end = q
						break
					}
				}
			}
			if end < 0 { // unbalanced: take the rest
				out = append(out, box{at, len(s), s[p+1:]})
				break
			}
			out = append(out, box{at, end + 1, s[p+1 : end]})
			i = end + 1
			continue
		}
		// \boxed 5: the argument is the next word
		q := p
		for q < len(s) && s[q] != ' ' && s[q] != '$' && s[q] != '\n' {
			q++
		}
		if q > p {
			out = append(out, box{at, q, s[p:q]})
		}
		i = q
		if q == p {
			i = p + 1
		}
	}
	return out
}

// ExtractAll returns the contents of all top-level \boxed{} / \fbox{} in order; physics
// answers with several parts take the last N of them.
func ExtractAll(response string) []string {
	bs := boxes(clip(response))
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = strings.TrimSpace(b.content)
	}
	return out
}

// Extract returns the final answer of a model response: the last box (boxes joined by "and"
// or commas count as one answer), else what follows "final answer is" / "the answer is" /
// GSM8K's "####", else the last math segment, else a bare expression or the last number.
func Extract(response string) (out string, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			out, ok = "", false
		}
	}()
	return extract(clip(response), newBudget(DefaultOptions().Deadline))
}

var connectorRe = regexp.MustCompile(`^[\s,;.:]*$`)
var wordRe = regexp.MustCompile(`(?i)\b(and|or)\b`)

var gapRepl = strings.NewReplacer(`\quad`, " ", `\qquad`, " ", `\[`, " ", `\]`, " ", `\(`, " ", `\)`, " ",
	"$", " ", `\text`, " ", "{", " ", "}", " ", `\,`, " ", `\ `, " ", "~", " ")

// isConnector reports whether the text between two answers only joins them ("and", ",").
func isConnector(gap string) bool {
	g := gapRepl.Replace(gap)
	if connectorRe.MatchString(g) {
		return true
	}
	return len(strings.TrimSpace(g)) <= 40 && wordRe.MatchString(g)
}

// lastBoxGroup joins the last box with the boxes before it that are separated by connectors.
func lastBoxGroup(s string, bs []box) string {
	i := len(bs) - 1
	for i > 0 && isConnector(s[bs[i-1].end:bs[i].start]) {
		i--
	}
	parts := make([]string, 0, len(bs)-i)
	for _, b := range bs[i:] {
		parts = append(parts, strings.TrimSpace(b.content))
	}
	return strings.Join(parts, ", ")
}

// segment is one math-mode span: $...$, $$...$$, \(...\) or \[...\].
type segment struct {
	start, end int
	content    string
}

func segments(s string) []segment {
	var out []segment
	// once a closer is missing it is missing for every later opener: remember, so that a
	// string of unmatched openers is scanned in linear time
	noClose := map[string]bool{}
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '(' || s[i+1] == '['):
			closer := `\)`
			if s[i+1] == '[' {
				closer = `\]`
			}
			if !noClose[closer] {
				if j := strings.Index(s[i+2:], closer); j >= 0 {
					out = append(out, segment{i, i + 2 + j + 2, s[i+2 : i+2+j]})
					i = i + 2 + j + 2
					continue
				}
				noClose[closer] = true
			}
			i += 2
		case c == '\\' && i+1 < len(s):
			i += 2 // escaped character such as \$
		case c == '$':
			d := "$"
			if i+1 < len(s) && s[i+1] == '$' {
				d = "$$"
			}
			j := -1
			if !noClose[d] {
				j = indexUnescaped(s[i+len(d):], d)
			}
			if j < 0 {
				noClose[d] = true
				i += len(d)
				continue
			}
			out = append(out, segment{i, i + len(d) + j + len(d), s[i+len(d) : i+len(d)+j]})
			i = i + len(d) + j + len(d)
		default:
			i++
		}
	}
	return out
}

func indexUnescaped(s, d string) int {
	for i := 0; i+len(d) <= len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i:i+len(d)] == d {
			return i
		}
	}
	return -1
}

var hopeRe = regexp.MustCompile(`(?i)\bI hope\b|<\|im_end\|>|<\|im_start\|>|<\|endoftext\|>`)
var numRe = regexp.MustCompile(`(^|[^A-Za-z0-9_.])(-?\.?\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d+)?(?:\s*%)?)`)
var unitRe = regexp.MustCompile(`^(-?[\d.,]*\d)\s*[A-Za-z€$£²³]+\.?$`)
var stopWords = map[string]bool{"is": true, "of": true, "to": true, "in": true, "an": true, "at": true,
	"by": true, "we": true, "so": true, "it": true, "be": true, "as": true, "if": true, "on": true}
var textRe = regexp.MustCompile(`\\(text|textbf|mbox|textnormal|textrm)\{[^{}]*\}`)
var envRe = regexp.MustCompile(`\\(begin|end)\{[^}]*\}`)
var proseWordRe = regexp.MustCompile(`[A-Za-z]{2,}`)

// isProse reports whether s (outside math segments and commands) reads as sentences.
func isProse(s string) bool {
	var b strings.Builder
	prev := 0
	for _, sg := range segments(s) {
		b.WriteString(s[prev:sg.start])
		b.WriteByte(' ')
		prev = sg.end
	}
	b.WriteString(s[prev:])
	s = envRe.ReplaceAllString(b.String(), " ")
	s = textRe.ReplaceAllString(s, " ")
	n := 0
	for _, w := range proseWordRe.FindAllStringIndex(s, -1) {
		if w[0] > 0 && s[w[0]-1] == '\\' {
			continue
		}
		word := s[w[0]:w[1]]
		lw := strings.ToLower(word)
		if sepWords[lw] || pctWords[lw] || funcNames[lw] || !isWord(word) || len(word) < 3 && !stopWords[word] {
			continue
		}
		n++
	}
	return n >= 2
}

// joinSegments joins math segments separated by connectors ("$1$ and $2$"), else returns the
// last one.
func joinSegments(s string, sg []segment) string {
	i := len(sg) - 1
	for i > 0 && isConnector(s[sg[i-1].end:sg[i].start]) {
		i--
	}
	parts := make([]string, 0, len(sg)-i)
	for _, x := range sg[i:] {
		if t := strings.TrimSpace(x.content); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, ", ")
}

// lastNumber returns the last number-like token of prose ("... is 1,000.99m²" → "1,000.99").
func lastNumber(s string) (string, bool) {
	m := numRe.FindAllStringSubmatch(s, -1)
	if len(m) == 0 {
		return "", false
	}
	t := strings.TrimRight(m[len(m)-1][2], ",")
	return t, t != ""
}

func extract(s string, bud *budget) (string, bool) {
	bud.step(len(s) / 64)
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	lower := asciiLower(s)
	if end := lastMarker(lower, "final answer is"); end >= 0 {
		snip := s[end:]
		if h := findFirst(hopeRe, snip); h != nil {
			snip = snip[:h[0]]
		}
		if bs := boxes(snip); len(bs) > 0 {
			return stripDollars(lastBoxGroup(snip, bs)), true
		}
		if a, ok := fromSnippet(snip); ok {
			return a, true
		}
	}
	if bs := boxes(s); len(bs) > 0 {
		if a := strings.TrimSpace(lastBoxGroup(s, bs)); a != "" {
			return stripDollars(a), true
		}
	}
	if end := lastMarker(lower, "final answer", "answer is", "answer:", "####"); end >= 0 {
		snip := s[end:]
		if h := findFirst(hopeRe, snip); h != nil {
			snip = snip[:h[0]]
		}
		if a, ok := fromSnippet(snip); ok {
			return a, true
		}
	}
	if a, ok := foreignAnswer(s, lower); ok {
		if a2, ok := fromSnippet(a); ok {
			return a2, true
		}
	}
	if h := findFirst(hopeRe, s); h != nil && h[0] > 0 {
		s = s[:h[0]]
	}
	return fromSnippet(s)
}

// fromSnippet extracts an answer from text without boxes.
func fromSnippet(s string) (string, bool) {
	s = strings.TrimSpace(s)
	sg := segments(s)
	if !isProse(s) {
		if len(sg) > 0 && segmentsCover(s, sg) {
			a := joinSegments(s, sg)
			return stripDollars(a), strings.TrimSpace(a) != ""
		}
		a := strings.TrimSpace(strings.TrimRight(stripDollars(s), ". "))
		return a, a != ""
	}
	isAt := strings.LastIndex(s, " is ")
	if len(sg) > 0 {
		last := sg[len(sg)-1]
		if tail := s[last.end:]; hasDigit(tail) && isAt < last.start {
			if m, ok := lastNumber(tail); ok {
				return m, true
			}
		}
		if isAt < last.start || !hasDigit(s[isAt:]) {
			if a := strings.TrimSpace(last.content); a != "" {
				return stripDollars(a), true
			}
		}
	}
	if isAt >= 0 {
		t := strings.TrimSpace(strings.TrimRight(s[isAt+4:], ". "))
		if m := unitRe.FindStringSubmatch(t); m != nil {
			return m[1], true
		}
		if t != "" && !isProse(t) {
			return stripDollars(t), true
		}
	}
	if a, ok := lastNumber(s); ok {
		return a, true
	}
	// A short text answer ("Arithmetic Progression"); longer prose has no answer.
	a := strings.TrimSpace(strings.TrimRight(stripDollars(s), ". "))
	return a, a != "" && len(strings.Fields(a)) <= 2
}

// segmentsCover reports whether the math segments hold all of the math in s: the text around
// and between them only joins them or names units. Otherwise the dollars are stray
// ("f(x)=-1$,$f(x)=x+1") and the whole string is the answer.
func segmentsCover(s string, sg []segment) bool {
	for _, x := range sg {
		if strings.TrimSpace(strings.Trim(strings.TrimSpace(x.content), ",;.")) == "" {
			return false
		}
	}
	outside := func(t string) bool {
		t = strings.TrimSpace(t)
		return t == "" || isConnector(t) || !strings.ContainsAny(t, "0123456789\\=()[]{}^_+-*/")
	}
	if !outside(s[:sg[0].start]) || !outside(s[sg[len(sg)-1].end:]) {
		return false
	}
	for i := 1; i < len(sg); i++ {
		if !isConnector(s[sg[i-1].end:sg[i].start]) {
			return false
		}
	}
	return true
}

// findFirst is hopeRe's prefiltered FindStringIndex.
func findFirst(re *regexp.Regexp, s string) []int {
	if !strings.Contains(s, "hope") && !strings.Contains(s, "<|") {
		return nil
	}
	return re.FindStringIndex(s)
}

func hasDigit(s string) bool { return strings.IndexAny(s, "0123456789") >= 0 }

var dollarRepl = strings.NewReplacer(`\$`, "", "$", "", `\(`, "", `\)`, "", `\[`, "", `\]`, "")

// stripDollars removes math delimiters left inside an answer.
func stripDollars(a string) string {
	a = dollarRepl.Replace(a)
	return strings.TrimSpace(a)
}
