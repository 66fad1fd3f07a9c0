package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// chunk is a piece of a text segment, encoded on its own.
type chunk struct {
	text    string
	longRun bool // holds ≥ longRunBytes of one character class: may hold a very long piece
}

// charClass groups runes the way pre-tokenizer pieces do: 0 letters, 1 whitespace, 2 digits, 3 other.
func charClass(r rune) int {
	switch {
	case unicode.IsLetter(r):
		return 0
	case unicode.IsSpace(r):
		return 1
	case unicode.IsNumber(r):
		return 2
	}
	return 3
}

// chunks splits seg into pieces of about ChunkBytes at boundaries where no pre-tokenizer match can
// cross and no lookahead can see the cut, so encoding the pieces separately gives the same ids.
// It marks the chunks holding a long run of one class of letters, whitespace or other symbols.
func (b *BPE) chunks(seg string) []chunk {
	var out []chunk
	start, runStart, long := 0, 0, false
	var prev rune = -1
	prevClass := -1
	for i, r := range seg {
		if b.ChunkBytes > 0 && i-start >= b.ChunkBytes && prev >= 0 && b.safeCut(prev, r) {
			out = append(out, chunk{text: seg[start:i], longRun: long})
			start, long = i, false
		}
		if cls := charClass(r); cls != prevClass {
			runStart, prevClass = max(i, start), cls
		}
		if (prevClass != 2 || !b.cutDigits) && i+utf8.RuneLen(r)-runStart >= longRunBytes {
			long = true
		}
		prev = r
	}
	return append(out, chunk{text: seg[start:], longRun: long})
}

// safeCut reports whether a chunk may end between runes a and b. For the Qwen2 regex a \p{N} is
// always a match of its own; for both regexes a letter run followed by a non-letter ends a match.
// The rune before the cut is never whitespace, so the \s+(?!\S) lookahead cannot see the cut.
func (b *BPE) safeCut(a, c rune) bool {
	if b.cutDigits && unicode.IsNumber(a) {
		return true
	}
	return b.cutLetter && unicode.IsLetter(a) && !unicode.IsLetter(c)
}
