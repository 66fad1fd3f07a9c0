package answer

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Final-answer phrases of responses not in English. Latin-script phrases are lower case (they
// are matched against the ASCII-lowered response; accented letters are kept as written).
var foreignMarkers = []string{
	"答案是", "答案为", "答案", "最终答案", "所以", "因此", "故", "综上所述", "结果为", // zh
	"答えは", "答え", "解答", // ja
	"정답은", "답은", "답:", // ko
	"الإجابة", "الجواب", // ar
	"उत्तर",          // hi
	"ответ", "Ответ", // ru
	"la réponse finale est", "la réponse est", "réponse :", "réponse:", // fr
	"die antwort ist", "antwort:", // de
	"la respuesta es", "respuesta:", "a resposta é", "resposta:", "la risposta è", "risposta:", // es pt it
	"cevap:", "jawaban:", "jawabannya", // tr id
}

// latinMarkers are the foreign markers written in ASCII only.
var latinMarkers = func() []string {
	var out []string
	for _, m := range foreignMarkers {
		if !hasNonASCII(m) {
			out = append(out, m)
		}
	}
	return out
}()

func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

// foreignWindow is how far from the end of a response a final-answer phrase is looked for.
const foreignWindow = 1024

// foreignAnswer returns the answer after the last non-English final-answer phrase: up to the
// end of its sentence, with the words of the response's language around it dropped
// ("答案是 42。验证…" → "42", "정답은 9입니다" → "9").
func foreignAnswer(s, lower string) (string, bool) {
	// the final answer is at the end: look at the last foreignWindow bytes only
	off := max(0, len(lower)-foreignWindow)
	markers := foreignMarkers
	if !hasNonASCII(lower[off:]) {
		markers = latinMarkers
	}
	end := lastMarker(lower[off:], markers...)
	if end < 0 {
		return "", false
	}
	t := s[off+end:]
	if i := sentenceEnd(t); i >= 0 {
		t = t[:i]
	}
	var b strings.Builder
	for _, r := range t {
		if r > 0x24F && (unicode.IsLetter(r) || unicode.IsMark(r)) && !(r >= 0x370 && r <= 0x3FF) {
			b.WriteByte(' ') // a letter of another script: prose around the answer
			continue
		}
		b.WriteRune(r)
	}
	a := strings.TrimSpace(strings.Trim(strings.TrimSpace(b.String()), ":,"))
	return a, a != ""
}

// sentenceEnd is the offset of the first sentence terminator of t ("。", "！", "？", "।", "؟",
// or a period not inside a number), or -1.
func sentenceEnd(t string) int {
	for i := 0; i < len(t); {
		r, n := utf8.DecodeRuneInString(t[i:])
		switch r {
		case '。', '！', '？', '।', '؟', '\n':
			return i
		case '.':
			if i+1 == len(t) || !isDigit(t[i+1]) {
				return i
			}
		}
		i += n
	}
	return -1
}

// asciiLower lower-cases ASCII letters only, so byte offsets are preserved.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// lastMarker returns the offset just after the last occurrence of any marker in lower (and
// after a following colon and spaces), or -1.
func lastMarker(lower string, markers ...string) int {
	best, end := -1, -1
	for _, m := range markers {
		if i := strings.LastIndex(lower, m); i > best {
			best, end = i, i+len(m)
		}
	}
	if best < 0 {
		return -1
	}
	for end < len(lower) && (lower[end] == ' ' || lower[end] == ':' || lower[end] == '\n') {
		end++
	}
	return end
}
