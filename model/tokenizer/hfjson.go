package tokenizer

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// hfFile is the part of a Hugging Face tokenizer.json that byte-level BPE needs.
type hfFile struct {
	AddedTokens   []hfAddedToken  `json:"added_tokens"`   // special and added tokens, matched before BPE
	Normalizer    json.RawMessage `json:"normalizer"`     // null, NFC, or a Sequence of those
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`  // Split(Regex)+ByteLevel, or ByteLevel
	Decoder       json.RawMessage `json:"decoder"`        // ByteLevel or null
	PostProcessor json.RawMessage `json:"post_processor"` // ignored: Encode adds no tokens
	Model         hfModel         `json:"model"`          // the BPE model
}

// hfAddedToken is one entry of added_tokens.
type hfAddedToken struct {
	ID         int    `json:"id"`          // token id
	Content    string `json:"content"`     // exact text
	Special    bool   `json:"special"`     // a control token such as <|im_end|>
	Normalized bool   `json:"normalized"`  // matched after normalization (unsupported when true)
	LStrip     bool   `json:"lstrip"`      // eats whitespace on the left (unsupported when true)
	RStrip     bool   `json:"rstrip"`      // eats whitespace on the right (unsupported when true)
	SingleWord bool   `json:"single_word"` // only matches whole words (unsupported when true)
}

// hfModel is the "model" object of tokenizer.json.
type hfModel struct {
	Type                    string          `json:"type"`                      // must be "BPE"
	Vocab                   map[string]int  `json:"vocab"`                     // byte-level string → id
	Merges                  json.RawMessage `json:"merges"`                    // ["a b", …] or [["a","b"], …]
	ByteFallback            bool            `json:"byte_fallback"`             // must be false
	ContinuingSubwordPrefix string          `json:"continuing_subword_prefix"` // must be empty
	EndOfWordSuffix         string          `json:"end_of_word_suffix"`        // must be empty
	Dropout                 *float64        `json:"dropout"`                   // must be null or 0
	UnkToken                *string         `json:"unk_token"`                 // ignored (byte-level never needs it)
}

// hfTyped is any tokenizer.json component with a "type".
type hfTyped struct {
	Type string `json:"type"`
}

// readHFFile reads tokenizer.json (gzip-compressed when the name ends in .gz).
func readHFFile(path string) (*hfFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %s: gzip: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	var hf hfFile
	if err := json.NewDecoder(r).Decode(&hf); err != nil {
		return nil, fmt.Errorf("tokenizer: %s: parse JSON: %w", path, err)
	}
	return &hf, nil
}

// parseMerges reads model.merges in either of its two JSON forms.
func parseMerges(path string, raw json.RawMessage) ([][2]string, error) {
	var pairs [][2]string
	if err := json.Unmarshal(raw, &pairs); err == nil {
		return pairs, nil
	}
	var lines []string
	if err := json.Unmarshal(raw, &lines); err != nil {
		return nil, fmt.Errorf("tokenizer: %s: field model.merges: want a list of \"a b\" strings or [a, b] pairs: %w", path, err)
	}
	pairs = make([][2]string, len(lines))
	for i, l := range lines {
		a, b, ok := strings.Cut(l, " ")
		if !ok || strings.Contains(b, " ") {
			return nil, fmt.Errorf("tokenizer: %s: field model.merges[%d] = %q: want two symbols separated by one space", path, i, l)
		}
		pairs[i] = [2]string{a, b}
	}
	return pairs, nil
}

// parseNormalizer returns whether NFC is applied; other normalizers are an error.
func parseNormalizer(path string, raw json.RawMessage) (nfc bool, err error) {
	if len(raw) == 0 || string(raw) == "null" {
		return false, nil
	}
	var t struct {
		Type        string            `json:"type"`
		Normalizers []json.RawMessage `json:"normalizers"`
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return false, fmt.Errorf("tokenizer: %s: field normalizer: %w", path, err)
	}
	switch t.Type {
	case "NFC":
		return true, nil
	case "Sequence":
		for _, n := range t.Normalizers {
			sub, err := parseNormalizer(path, n)
			if err != nil {
				return false, err
			}
			nfc = nfc || sub
		}
		return nfc, nil
	}
	return false, fmt.Errorf("tokenizer: %s: field normalizer.type = %q is not supported; supported: NFC, Sequence of NFC, null", path, t.Type)
}

// gpt2Pattern is the ByteLevel pre-tokenizer's own regex (use_regex: true).
const gpt2Pattern = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`

// parsePreTokenizer returns the splitting regex of a byte-level pre-tokenizer: a Sequence of
// Split(Regex, Isolated) and ByteLevel(use_regex false), or a lone ByteLevel(use_regex true).
func parsePreTokenizer(path string, raw json.RawMessage) (string, error) {
	type split struct {
		Type    string `json:"type"`
		Pattern struct {
			Regex  *string `json:"Regex"`
			String *string `json:"String"`
		} `json:"pattern"`
		Behavior       string `json:"behavior"`
		Invert         bool   `json:"invert"`
		AddPrefixSpace bool   `json:"add_prefix_space"`
		UseRegex       *bool  `json:"use_regex"`
	}
	var top struct {
		split
		PreTokenizers []split `json:"pretokenizers"`
	}
	if len(raw) == 0 || string(raw) == "null" {
		return "", fmt.Errorf("tokenizer: %s: field pre_tokenizer is null; byte-level BPE needs a ByteLevel pre-tokenizer", path)
	}
	if err := json.Unmarshal(raw, &top); err != nil {
		return "", fmt.Errorf("tokenizer: %s: field pre_tokenizer: %w", path, err)
	}
	steps := []split{top.split}
	if top.Type == "Sequence" {
		steps = top.PreTokenizers
	}
	pattern, sawByteLevel := "", false
	for i, s := range steps {
		field := fmt.Sprintf("pre_tokenizer.pretokenizers[%d]", i)
		if top.Type != "Sequence" {
			field = "pre_tokenizer"
		}
		switch s.Type {
		case "Split":
			if s.Pattern.Regex == nil || s.Behavior != "Isolated" || s.Invert || pattern != "" || sawByteLevel {
				return "", fmt.Errorf("tokenizer: %s: field %s: only one Split with a Regex pattern, behavior Isolated, invert false, before ByteLevel is supported", path, field)
			}
			pattern = *s.Pattern.Regex
		case "ByteLevel":
			if s.AddPrefixSpace {
				return "", fmt.Errorf("tokenizer: %s: field %s.add_prefix_space = true is not supported", path, field)
			}
			useRegex := s.UseRegex == nil || *s.UseRegex
			if useRegex {
				if pattern != "" {
					return "", fmt.Errorf("tokenizer: %s: field %s.use_regex = true after a Split is not supported", path, field)
				}
				pattern = gpt2Pattern
			}
			sawByteLevel = true
		default:
			return "", fmt.Errorf("tokenizer: %s: field %s.type = %q is not supported; supported: Split, ByteLevel, Sequence of those", path, field, s.Type)
		}
	}
	if !sawByteLevel || pattern == "" {
		return "", fmt.Errorf("tokenizer: %s: field pre_tokenizer: want ByteLevel (with a Split regex or use_regex true)", path)
	}
	return pattern, nil
}

// checkModel rejects BPE options that this implementation does not reproduce.
func checkModel(path string, m *hfModel) error {
	switch {
	case m.Type != "BPE":
		return fmt.Errorf("tokenizer: %s: field model.type = %q is not supported; supported: BPE (byte-level)", path, m.Type)
	case m.ByteFallback:
		return fmt.Errorf("tokenizer: %s: field model.byte_fallback = true is not supported (SentencePiece-style BPE)", path)
	case m.ContinuingSubwordPrefix != "":
		return fmt.Errorf("tokenizer: %s: field model.continuing_subword_prefix = %q is not supported", path, m.ContinuingSubwordPrefix)
	case m.EndOfWordSuffix != "":
		return fmt.Errorf("tokenizer: %s: field model.end_of_word_suffix = %q is not supported", path, m.EndOfWordSuffix)
	case m.Dropout != nil && *m.Dropout != 0:
		return fmt.Errorf("tokenizer: %s: field model.dropout = %v is not supported", path, *m.Dropout)
	case len(m.Vocab) == 0:
		return fmt.Errorf("tokenizer: %s: field model.vocab is empty", path)
	}
	return nil
}

// checkDecoder accepts a ByteLevel decoder or none.
func checkDecoder(path string, raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var t hfTyped
	if err := json.Unmarshal(raw, &t); err != nil {
		return fmt.Errorf("tokenizer: %s: field decoder: %w", path, err)
	}
	if t.Type != "ByteLevel" {
		return fmt.Errorf("tokenizer: %s: field decoder.type = %q is not supported; supported: ByteLevel", path, t.Type)
	}
	return nil
}

// tokenizerConfig is the part of tokenizer_config.json that names special tokens. Each may be a
// string or an AddedToken object {"content": …}.
type tokenizerConfig struct {
	EOS json.RawMessage `json:"eos_token"` // generation stop token
	PAD json.RawMessage `json:"pad_token"` // padding token
	BOS json.RawMessage `json:"bos_token"` // beginning-of-sequence token (null for Qwen)
}

// tokenName reads a special-token field that is null, a string or {"content": …}.
func tokenName(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj struct {
		Content string `json:"content"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		return obj.Content
	}
	return ""
}
