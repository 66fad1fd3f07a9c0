package tokenizer

import (
	"fmt"

	"github.com/dlclark/regexp2"
)

// refBPE is the slow, obviously-correct reference for byte-level BPE, written from the Hugging Face
// algorithm: split by the pre-tokenizer regex, map each piece's bytes to byte-level symbols, then
// repeatedly merge the adjacent pair with the lowest merge rank (leftmost on ties) until no pair
// has a rank, and look the symbols up in the vocabulary.
type refBPE struct {
	re    *regexp2.Regexp
	ranks map[[2]string]int // pair of byte-level symbols → merge rank
	vocab map[string]int    // byte-level symbol → id
	// The heap path (bpe_heap.go) works on ids:
	pairs   map[[2]int]pairMerge // ids of two halves → merge
	byteIDs [256]int             // byte → id of its symbol
}

// newRefBPE compiles the pre-tokenizer regex and indexes the merges.
func newRefBPE(path, pattern string, merges [][2]string, vocab map[string]int) (*refBPE, error) {
	re, err := regexp2.Compile(pattern, regexp2.None)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %s: field pre_tokenizer: regex %q: %w", path, pattern, err)
	}
	r := &refBPE{re: re, ranks: make(map[[2]string]int, len(merges)), vocab: vocab}
	for i, m := range merges {
		if _, ok := vocab[m[0]+m[1]]; !ok {
			return nil, fmt.Errorf("tokenizer: %s: field model.merges[%d] = %q: the merged symbol is not in model.vocab", path, i, m[0]+" "+m[1])
		}
		if _, dup := r.ranks[m]; !dup {
			r.ranks[m] = i
		}
	}
	for c := 0; c < 256; c++ {
		if _, ok := vocab[string(byteToRune[c])]; !ok {
			return nil, fmt.Errorf("tokenizer: %s: field model.vocab lacks the byte-level symbol of byte 0x%02x", path, c)
		}
		r.byteIDs[c] = vocab[string(byteToRune[c])]
	}
	r.pairs = pairMerges(merges, vocab)
	return r, nil
}

// encodeOrdinary encodes text that holds no added tokens.
func (r *refBPE) encodeOrdinary(text string) []int {
	var ids []int
	runes := []rune(text)
	m, _ := r.re.FindRunesMatch(runes)
	for m != nil {
		piece := string(runes[m.Index : m.Index+m.Length])
		ids = append(ids, r.word(byteLevelEncode([]byte(piece)))...)
		m, _ = r.re.FindNextMatch(m)
	}
	return ids
}

// word applies the merges to one pre-tokenized piece (as byte-level symbols).
func (r *refBPE) word(w string) []int {
	syms := make([]string, 0, len(w))
	for _, c := range w {
		syms = append(syms, string(c))
	}
	for len(syms) > 1 {
		best, at := -1, -1
		for i := 0; i+1 < len(syms); i++ {
			if rank, ok := r.ranks[[2]string{syms[i], syms[i+1]}]; ok && (best < 0 || rank < best) {
				best, at = rank, i
			}
		}
		if at < 0 {
			break
		}
		syms[at] += syms[at+1]
		syms = append(syms[:at+1], syms[at+2:]...)
	}
	ids := make([]int, len(syms))
	for i, s := range syms {
		ids[i] = r.vocab[s] // every symbol exists: single bytes and merge results were checked
	}
	return ids
}
