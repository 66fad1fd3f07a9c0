package tokenizer

import (
	"fmt"
	"unicode/utf8"
)

// TaskAlphabet is the symbol set of the built-in procedural tasks (arithmetic, Countdown): enough
// for prompts such as "Compute 12+7*3. " and answers such as "7*3 = 21\n12+21 = 33\n\boxed{33}".
// With the three specials it is exactly 64 tokens.
const TaskAlphabet = "\n 0123456789+-*/=().,:?\\{}abcdefghijklmnopqrstuvwxyzACFGNSTUW"

// Char is a character tokenizer over a fixed alphabet. Ids 0, 1, 2 are <pad>, <bos>, <eos>; the
// alphabet's characters follow in order. Encoding a character outside the alphabet is an error.
type Char struct {
	alphabet []rune       // id-3 → character
	index    map[rune]int // character → id
}

// charSpecials are the special tokens of Char, at ids 0, 1, 2.
var charSpecials = [3]string{"<pad>", "<bos>", "<eos>"}

// NewTaskChar returns the 64-token character tokenizer over TaskAlphabet.
func NewTaskChar() *Char {
	c, err := NewChar(TaskAlphabet)
	if err != nil {
		panic(err) // TaskAlphabet is a constant checked by tests
	}
	return c
}

// NewChar returns a character tokenizer over alphabet, which must be valid UTF-8 without repeats.
func NewChar(alphabet string) (*Char, error) {
	if !utf8.ValidString(alphabet) {
		return nil, fmt.Errorf("tokenizer: char alphabet is not valid UTF-8")
	}
	c := &Char{index: map[rune]int{}}
	for _, r := range alphabet {
		if _, dup := c.index[r]; dup {
			return nil, fmt.Errorf("tokenizer: char alphabet repeats %q", r)
		}
		c.index[r] = len(charSpecials) + len(c.alphabet)
		c.alphabet = append(c.alphabet, r)
	}
	return c, nil
}

// Name returns "char".
func (c *Char) Name() string { return "char" }

// VocabSize is 3 specials plus the alphabet size.
func (c *Char) VocabSize() int { return len(charSpecials) + len(c.alphabet) }

// Specials returns PAD 0, BOS 1, EOS 2.
func (c *Char) Specials() Specials { return Specials{PAD: 0, BOS: 1, EOS: 2} }

// Encode maps each character to its id; an unknown character is an error naming it and its byte offset.
func (c *Char) Encode(text string) ([]int, error) {
	ids := make([]int, 0, len(text))
	for i, r := range text {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(text[i:]); size <= 1 {
				return nil, fmt.Errorf("tokenizer: char: invalid UTF-8 at byte %d", i)
			}
		}
		id, ok := c.index[r]
		if !ok {
			return nil, fmt.Errorf("tokenizer: char: character %q at byte %d is not in the alphabet %q", r, i, string(c.alphabet))
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Decode maps ids back to characters; specials decode to "<pad>", "<bos>", "<eos>".
func (c *Char) Decode(ids []int) (string, error) {
	buf := make([]byte, 0, len(ids))
	for i, id := range ids {
		s, err := c.TokenString(id)
		if err != nil {
			return "", fmt.Errorf("decode position %d: %w", i, err)
		}
		buf = append(buf, s...)
	}
	return string(buf), nil
}

// TokenString returns the character or special-token text of id.
func (c *Char) TokenString(id int) (string, error) {
	switch {
	case id >= 0 && id < len(charSpecials):
		return charSpecials[id], nil
	case id >= len(charSpecials) && id < c.VocabSize():
		return string(c.alphabet[id-len(charSpecials)]), nil
	}
	return "", fmt.Errorf("tokenizer: char: id %d out of range [0, %d)", id, c.VocabSize())
}

// Byte is the byte tokenizer: ids 0..255 are bytes, 256 <pad>, 257 <bos>, 258 <eos>. Any string
// encodes (invalid UTF-8 included) and decodes back exactly.
type Byte struct{}

// NewByte returns the byte tokenizer.
func NewByte() *Byte { return &Byte{} }

// Name returns "byte".
func (Byte) Name() string { return "byte" }

// VocabSize is 259.
func (Byte) VocabSize() int { return 256 + len(charSpecials) }

// Specials returns PAD 256, BOS 257, EOS 258.
func (Byte) Specials() Specials { return Specials{PAD: 256, BOS: 257, EOS: 258} }

// Encode returns the bytes of text as ids.
func (Byte) Encode(text string) ([]int, error) {
	ids := make([]int, len(text))
	for i := 0; i < len(text); i++ {
		ids[i] = int(text[i])
	}
	return ids, nil
}

// Decode returns the bytes of ids as a string; specials decode to "<pad>", "<bos>", "<eos>".
func (b Byte) Decode(ids []int) (string, error) {
	buf := make([]byte, 0, len(ids))
	for i, id := range ids {
		switch {
		case id >= 0 && id < 256:
			buf = append(buf, byte(id))
		case id >= 256 && id < b.VocabSize():
			buf = append(buf, charSpecials[id-256]...)
		default:
			return "", fmt.Errorf("tokenizer: byte: decode position %d: id %d out of range [0, %d)", i, id, b.VocabSize())
		}
	}
	return string(buf), nil
}

// TokenString returns the one-byte string or special-token text of id.
func (b Byte) TokenString(id int) (string, error) {
	switch {
	case id >= 0 && id < 256:
		return string([]byte{byte(id)}), nil
	case id >= 256 && id < b.VocabSize():
		return charSpecials[id-256], nil
	}
	return "", fmt.Errorf("tokenizer: byte: id %d out of range [0, %d)", id, b.VocabSize())
}
