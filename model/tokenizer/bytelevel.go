package tokenizer

// GPT-2 byte-level mapping: every byte is shown as a printable rune so that BPE vocabularies can be
// stored as JSON strings. Printable Latin-1 bytes map to themselves; the others map to U+0100 on.

// byteToRune is bytes_to_unicode() from GPT-2's encoder.py.
var byteToRune [256]rune

// runeToByte is the inverse of byteToRune.
var runeToByte = map[rune]byte{}

func init() {
	n := 0
	for b := 0; b < 256; b++ {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			byteToRune[b] = rune(b)
		} else {
			byteToRune[b] = rune(256 + n)
			n++
		}
		runeToByte[byteToRune[b]] = byte(b)
	}
}

// byteLevelDecode maps a byte-level vocabulary string back to its bytes; ok is false when s holds
// a rune outside the mapping.
func byteLevelDecode(s string) (b []byte, ok bool) {
	b = make([]byte, 0, len(s))
	for _, r := range s {
		c, found := runeToByte[r]
		if !found {
			return nil, false
		}
		b = append(b, c)
	}
	return b, true
}

// byteLevelEncode maps bytes to their byte-level vocabulary string.
func byteLevelEncode(b []byte) string {
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = byteToRune[c]
	}
	return string(rs)
}
