package tokenizer

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"unicode/utf8"

	"github.com/pkoukk/tiktoken-go"
	"golang.org/x/text/unicode/norm"
)

// qwen2Pattern is the Split regex of the Qwen2, Qwen2.5 and Qwen3 pre-tokenizers.
const qwen2Pattern = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`

// DefaultChunkBytes is the size above which Encode splits a text segment into chunks at
// boundaries that cannot change the pre-tokenization (see safeCut).
const DefaultChunkBytes = 4096

// BPE is a Hugging Face byte-level BPE tokenizer (tokenizer.json of Qwen2/2.5/3, GPT-2 style).
// Added tokens (<|im_start|>, <|endoftext|>, …) are matched in the raw text first, leftmost-longest;
// the text between them is NFC-normalized (when the file says so), pre-tokenized by the file's
// regex and merged by BPE. Encoding adds no BOS/EOS: a chat template or the caller does.
type BPE struct {
	path      string             // tokenizer.json path, for error messages
	tokens    []string           // id → raw bytes of the token ("" for unassigned ids)
	assigned  []bool             // id → whether the id exists
	added     map[string]int     // added-token content → id
	addedBy   map[byte][]string  // first byte → added tokens starting with it, longest first
	nfc       bool               // NFC-normalize text between added tokens
	pattern   string             // pre-tokenizer regex
	fast      *tiktoken.Tiktoken // nil unless the regex is Qwen2 or GPT-2 and mergeOrdered holds
	ref       *refBPE            // reference and heap-path BPE, and the vocabulary
	specials  Specials           // PAD/BOS/EOS
	cutDigits bool               // chunks may end after any \p{N} (true for the Qwen2 regex)
	cutLetter bool               // chunks may end between a \p{L} and a non-letter (Qwen2 and GPT-2 regexes)
	// ChunkBytes is the segment size above which Encode chunks the input (DefaultChunkBytes).
	// Set it before sharing the tokenizer between goroutines.
	ChunkBytes int
	forceHeap  bool // tests: send every chunk down the heap path
}

// Pattern returns the pre-tokenizer regex read from tokenizer.json.
func (b *BPE) Pattern() string { return b.pattern }

// LoadFiles reads a tokenizer.json (or .json.gz) and, when configPath is not empty, the
// tokenizer_config.json that names eos_token and pad_token.
func LoadFiles(path, configPath string) (*BPE, error) {
	hf, err := readHFFile(path)
	if err != nil {
		return nil, err
	}
	if err := checkModel(path, &hf.Model); err != nil {
		return nil, err
	}
	nfc, err := parseNormalizer(path, hf.Normalizer)
	if err != nil {
		return nil, err
	}
	pattern, err := parsePreTokenizer(path, hf.PreTokenizer)
	if err != nil {
		return nil, err
	}
	if err := checkDecoder(path, hf.Decoder); err != nil {
		return nil, err
	}
	merges, err := parseMerges(path, hf.Model.Merges)
	if err != nil {
		return nil, err
	}
	b := &BPE{path: path, added: map[string]int{}, addedBy: map[byte][]string{}, nfc: nfc, pattern: pattern,
		cutDigits: pattern == qwen2Pattern, cutLetter: pattern == qwen2Pattern || pattern == gpt2Pattern,
		ChunkBytes: DefaultChunkBytes}

	size := 0
	for _, id := range hf.Model.Vocab {
		size = max(size, id+1)
	}
	for _, a := range hf.AddedTokens {
		size = max(size, a.ID+1)
	}
	b.tokens, b.assigned = make([]string, size), make([]bool, size)
	ranks := make(map[string]int, len(hf.Model.Vocab)) // raw bytes → id
	for s, id := range hf.Model.Vocab {
		raw, ok := byteLevelDecode(s)
		if !ok || id < 0 {
			return nil, fmt.Errorf("tokenizer: %s: field model.vocab[%q] = %d: not a byte-level token with a non-negative id", path, s, id)
		}
		if b.assigned[id] {
			return nil, fmt.Errorf("tokenizer: %s: field model.vocab: id %d is used twice", path, id)
		}
		b.tokens[id], b.assigned[id] = string(raw), true
		ranks[string(raw)] = id
	}
	for i, a := range hf.AddedTokens {
		field := fmt.Sprintf("added_tokens[%d] (%q)", i, a.Content)
		switch {
		case a.Content == "" || a.ID < 0:
			return nil, fmt.Errorf("tokenizer: %s: field %s: want non-empty content and a non-negative id", path, field)
		case a.Normalized && !isNormalizationInvariant(a.Content, nfc):
			return nil, fmt.Errorf("tokenizer: %s: field %s.normalized = true is not supported", path, field)
		case a.LStrip || a.RStrip || a.SingleWord:
			return nil, fmt.Errorf("tokenizer: %s: field %s: lstrip, rstrip and single_word are not supported", path, field)
		}
		b.tokens[a.ID], b.assigned[a.ID] = a.Content, true
		b.added[a.Content] = a.ID
		b.addedBy[a.Content[0]] = append(b.addedBy[a.Content[0]], a.Content)
	}
	for k := range b.addedBy {
		list := b.addedBy[k]
		sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) }) // longest first
	}

	if b.ref, err = newRefBPE(path, pattern, merges, hf.Model.Vocab); err != nil {
		return nil, err
	}
	// tiktoken-go only for the regexes whose pieces are runs of one character class (so that
	// chunks() can route long pieces to the heap path) and vocabularies where its rule is exact.
	if (b.cutDigits || b.cutLetter) && mergeOrdered(merges, hf.Model.Vocab, ranks) {
		core, err := tiktoken.NewCoreBPE(ranks, map[string]int{}, pattern)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %s: pre_tokenizer regex: %w", path, err)
		}
		b.fast = tiktoken.NewTiktoken(core, &tiktoken.Encoding{Name: path, PatStr: pattern, MergeableRanks: ranks}, nil)
	}
	if err := b.readSpecials(configPath); err != nil {
		return nil, err
	}
	return b, nil
}

// isNormalizationInvariant reports whether normalizing s changes nothing (so that matching it
// before or after normalization is the same).
func isNormalizationInvariant(s string, nfc bool) bool { return !nfc || norm.NFC.IsNormalString(s) }

// mergeOrdered reports whether tiktoken's rule (merge the adjacent pair whose concatenation has the
// lowest id) reproduces the HF merges, the condition under which HF converts tiktoken vocabularies:
// every byte has a token, ids grow with merge rank, every longer token comes from one merge, and
// running tiktoken's rule on a token's bytes with only the lower ids splits it into exactly that
// merge's two halves. The golden and fuzz tests check the result against the reference BPE.
func mergeOrdered(merges [][2]string, vocab map[string]int, ranks map[string]int) bool {
	for c := 0; c < 256; c++ {
		if _, ok := ranks[string([]byte{byte(c)})]; !ok {
			return false
		}
	}
	if len(merges)+256 != len(vocab) {
		return false
	}
	prev := -1
	for _, m := range merges {
		id, ok := vocab[m[0]+m[1]]
		if !ok || id <= prev {
			return false
		}
		prev = id
		a, _ := byteLevelDecode(m[0])
		b, _ := byteLevelDecode(m[1])
		if bounds := rankSplit(string(a)+string(b), ranks, id); len(bounds) != 3 || bounds[1] != len(a) {
			return false
		}
	}
	return true
}

// rankSplit runs tiktoken's merge rule on word using only tokens with id < maxRank and returns
// the part boundaries (offsets, first 0, last len(word)). Each step merges the adjacent pair whose
// concatenation has the lowest id; only the two pairs next to a merge are looked up again.
func rankSplit(word string, ranks map[string]int, maxRank int) []int {
	bounds := make([]int, len(word)+1) // part i is word[bounds[i]:bounds[i+1]]
	for i := range bounds {
		bounds[i] = i
	}
	pairRank := func(i int) int { // rank of merging parts i and i+1, maxRank when none
		if i < 0 || i+2 >= len(bounds) {
			return maxRank
		}
		if r, ok := ranks[word[bounds[i]:bounds[i+2]]]; ok && r < maxRank {
			return r
		}
		return maxRank
	}
	pr := make([]int, len(bounds)-2)
	for i := range pr {
		pr[i] = pairRank(i)
	}
	for len(pr) > 0 {
		at := 0
		for i, r := range pr {
			if r < pr[at] {
				at = i
			}
		}
		if pr[at] == maxRank {
			break
		}
		bounds = append(bounds[:at+1], bounds[at+2:]...)
		pr = append(pr[:at], pr[at+1:]...)
		if at < len(pr) {
			pr[at] = pairRank(at)
		}
		if at > 0 {
			pr[at-1] = pairRank(at - 1)
		}
	}
	return bounds
}

// readSpecials sets EOS and PAD from tokenizer_config.json, else from <|endoftext|> when present.
func (b *BPE) readSpecials(configPath string) error {
	b.specials = Specials{PAD: -1, BOS: -1, EOS: -1}
	if id, ok := b.added["<|endoftext|>"]; ok {
		b.specials.EOS, b.specials.PAD = id, id
	}
	if configPath == "" {
		return nil
	}
	data, err := os.ReadFile(configPath)
	if err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	var cfg tokenizerConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		return fmt.Errorf("tokenizer: %s: parse JSON: %w", configPath, err)
	}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *int
	}{{"eos_token", cfg.EOS, &b.specials.EOS}, {"pad_token", cfg.PAD, &b.specials.PAD}, {"bos_token", cfg.BOS, &b.specials.BOS}} {
		name := tokenName(f.raw)
		if name == "" {
			continue
		}
		id, ok := b.TokenID(name)
		if !ok {
			return fmt.Errorf("tokenizer: %s: field %s = %q is not a token of %s", configPath, f.name, name, b.path)
		}
		*f.dst = id
	}
	return nil
}

// Name returns "hf-bpe".
func (b *BPE) Name() string { return "hf-bpe" }

// VocabSize is one more than the largest id (added tokens included). A model's embedding table
// may be larger (Qwen pads to 151936).
func (b *BPE) VocabSize() int { return len(b.tokens) }

// Specials returns EOS/PAD from tokenizer_config.json (or <|endoftext|>); BOS is -1 for Qwen.
func (b *BPE) Specials() Specials { return b.specials }

// TokenID returns the id of an added token (such as "<|im_end|>") or of a vocabulary token given
// as raw text.
func (b *BPE) TokenID(s string) (int, bool) {
	if id, ok := b.added[s]; ok {
		return id, true
	}
	id, ok := b.ref.vocab[byteLevelEncode([]byte(s))]
	return id, ok
}

// TokenString returns the raw bytes of a token as a string (possibly a partial UTF-8 sequence).
func (b *BPE) TokenString(id int) (string, error) {
	if id < 0 || id >= len(b.tokens) || !b.assigned[id] {
		return "", fmt.Errorf("tokenizer: %s: id %d is not a token (vocabulary size %d)", b.path, id, len(b.tokens))
	}
	return b.tokens[id], nil
}

// Decode concatenates the bytes of ids. The result is exactly the encoded text (after NFC); a
// prefix of a sequence may end inside a UTF-8 character, and those bytes are kept as they are.
func (b *BPE) Decode(ids []int) (string, error) {
	n := 0
	for i, id := range ids {
		if id < 0 || id >= len(b.tokens) || !b.assigned[id] {
			return "", fmt.Errorf("tokenizer: %s: decode position %d: id %d is not a token (vocabulary size %d)", b.path, i, id, len(b.tokens))
		}
		n += len(b.tokens[id])
	}
	buf := make([]byte, 0, n)
	for _, id := range ids {
		buf = append(buf, b.tokens[id]...)
	}
	return string(buf), nil
}

// Encode returns the ids of text, added tokens included, without BOS/EOS. Invalid UTF-8 is an error.
func (b *BPE) Encode(text string) ([]int, error) {
	return b.encode(text, true)
}

// EncodeReference encodes with the slow reference BPE (no tiktoken, no chunking); it exists for
// parity tests and must return the same ids as Encode.
func (b *BPE) EncodeReference(text string) ([]int, error) {
	return b.encode(text, false)
}

func (b *BPE) encode(text string, fast bool) ([]int, error) {
	if !utf8.ValidString(text) {
		for i, r := range text {
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(text[i:]); size == 1 {
					return nil, fmt.Errorf("tokenizer: %s: invalid UTF-8 at byte %d", b.path, i)
				}
			}
		}
	}
	ids := make([]int, 0, len(text)/3+1)
	start := 0
	for start <= len(text) {
		pos, tok := b.nextAdded(text, start)
		seg := text[start:pos]
		if seg != "" {
			if b.nfc {
				seg = norm.NFC.String(seg)
			}
			if fast {
				for _, c := range b.chunks(seg) {
					if c.longRun || b.fast == nil || b.forceHeap {
						ids = append(ids, b.ref.encodeHeap(c.text)...)
					} else {
						ids = append(ids, b.fast.EncodeOrdinary(c.text)...)
					}
				}
			} else {
				ids = append(ids, b.ref.encodeOrdinary(seg)...)
			}
		}
		if tok == "" {
			break
		}
		ids = append(ids, b.added[tok])
		start = pos + len(tok)
	}
	return ids, nil
}

// nextAdded finds the leftmost added token at or after start (longest on ties); it returns
// (len(text), "") when there is none.
func (b *BPE) nextAdded(text string, start int) (int, string) {
	if len(b.addedBy) == 0 {
		return len(text), ""
	}
	for i := start; i < len(text); i++ {
		for _, tok := range b.addedBy[text[i]] {
			if len(text)-i >= len(tok) && text[i:i+len(tok)] == tok {
				return i, tok
			}
		}
	}
	return len(text), ""
}
