package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Merge lists for tiny tokenizers. tiktokenMerges is consistent with tiktoken's rule (each token
// splits into its merge under the lower ids); hfOnlyMerges is not ("the" is "th e", but "h e"
// comes first, so HF never makes "the" from "t", "h", "e").
var (
	tiktokenMerges = []string{"Ġ t", "h e", "Ġt he", "i n", "Ġ a", "n d", "Ġa nd", "e r"}
	hfOnlyMerges   = []string{"Ġ t", "h e", "Ġt he", "i n", "Ġ a", "a n", "an d", "Ġa nd", "e r", "t h", "th e"}
)

// tinyTokenizerJSON builds a small byte-level BPE tokenizer.json: the 256 byte symbols, then one
// token per merge, with ids either in merge order or reversed. edit may change it before writing.
func tinyTokenizerJSON(t *testing.T, merges []string, idsInMergeOrder bool, edit func(m map[string]any)) string {
	t.Helper()
	vocab := map[string]int{}
	for b := 0; b < 256; b++ {
		vocab[string(byteToRune[b])] = b
	}
	for i, m := range merges {
		id := 256 + i
		if !idsInMergeOrder {
			id = 256 + len(merges) - 1 - i
		}
		vocab[strings.ReplaceAll(m, " ", "")] = id
	}
	doc := map[string]any{
		"added_tokens":  []any{map[string]any{"id": 256 + len(merges), "content": "<|endoftext|>", "special": true}},
		"normalizer":    nil,
		"pre_tokenizer": map[string]any{"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
		"decoder":       map[string]any{"type": "ByteLevel"},
		"model":         map[string]any{"type": "BPE", "vocab": vocab, "merges": merges},
	}
	if edit != nil {
		edit(doc)
	}
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTinyTokenizerTakesTheFastPathOnlyWhenTiktokenAgrees(t *testing.T) {
	tests := []struct {
		name     string
		merges   []string
		ordered  bool
		edit     func(m map[string]any)
		wantFast bool
	}{
		{"tiktoken-consistent merges with ids in merge order use tiktoken", tiktokenMerges, true, nil, true},
		{"ids out of merge order take the heap path", tiktokenMerges, false, nil, false},
		{"merges that tiktoken's rule would not reproduce take the heap path", hfOnlyMerges, true, nil, false},
		{"a Split regex other than Qwen2's takes the heap path", tiktokenMerges, true, func(m map[string]any) {
			m["pre_tokenizer"] = map[string]any{"type": "Sequence", "pretokenizers": []any{
				map[string]any{"type": "Split", "pattern": map[string]any{"Regex": `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`}, "behavior": "Isolated"},
				map[string]any{"type": "ByteLevel", "use_regex": false}}}
		}, false},
	}
	for _, tc := range tests {
		tok, err := LoadFiles(tinyTokenizerJSON(t, tc.merges, tc.ordered, tc.edit), "")
		if err != nil {
			t.Fatal(err)
		}
		if (tok.fast != nil) != tc.wantFast {
			t.Errorf("%s: fast path used = %v", tc.name, tok.fast != nil)
		}
		if tc.wantFast && !tok.chunks(strings.Repeat("9", 300))[0].longRun {
			t.Errorf("%s: a 300-digit run (one GPT-2 piece) must take the heap path", tc.name)
		}
		text := "the other and in there<|endoftext|> 123 and the " + strings.Repeat("9", 300) + strings.Repeat("the", 100)
		ids, err := tok.Encode(text)
		if err != nil {
			t.Fatal(err)
		}
		ref, _ := tok.EncodeReference(text)
		if !slices.Equal(ids, ref) {
			t.Errorf("%s: fast %v != reference %v", tc.name, ids, ref)
		}
		if back, _ := tok.Decode(ids); back != text {
			t.Errorf("%s: round trip %q", tc.name, back)
		}
		if got, _ := tok.Encode(" the"); len(got) != 1 {
			t.Errorf("%s: Encode(\" the\") = %v, want one token", tc.name, got)
		}
	}
}

func TestReferenceFollowsMergeRanksNotVocabulary(t *testing.T) {
	for _, ordered := range []bool{true, false} {
		tok, err := LoadFiles(tinyTokenizerJSON(t, hfOnlyMerges, ordered, nil), "")
		if err != nil {
			t.Fatal(err)
		}
		// "h e" (rank 1) merges before "t h" (rank 9), and "t he" is no merge, so HF gives t, he
		// although "the" is a token (made by "th e"): tiktoken's rule would give "the", which is
		// why this vocabulary must not take the fast path.
		want := []int{'t', tok.ref.vocab["he"]}
		if got, _ := tok.Encode("the"); !slices.Equal(got, want) {
			t.Errorf("ordered=%v: Encode(the) = %v, want %v", ordered, got, want)
		}
	}
}

func TestUnsupportedTokenizerJSONNamesTheField(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(m map[string]any)
		wantErr string
	}{
		{"a WordPiece model", func(m map[string]any) { m["model"].(map[string]any)["type"] = "WordPiece" }, `field model.type = "WordPiece"`},
		{"a Unigram model", func(m map[string]any) { m["model"].(map[string]any)["type"] = "Unigram" }, `field model.type = "Unigram"`},
		{"byte fallback", func(m map[string]any) { m["model"].(map[string]any)["byte_fallback"] = true }, "field model.byte_fallback"},
		{"a Metaspace pre-tokenizer", func(m map[string]any) { m["pre_tokenizer"] = map[string]any{"type": "Metaspace"} }, `field pre_tokenizer.type = "Metaspace"`},
		{"a Whitespace step in a Sequence", func(m map[string]any) {
			m["pre_tokenizer"] = map[string]any{"type": "Sequence", "pretokenizers": []any{map[string]any{"type": "Whitespace"}}}
		}, `field pre_tokenizer.pretokenizers[0].type = "Whitespace"`},
		{"a Lowercase normalizer", func(m map[string]any) { m["normalizer"] = map[string]any{"type": "Lowercase"} }, `field normalizer.type = "Lowercase"`},
		{"a WordPiece decoder", func(m map[string]any) { m["decoder"] = map[string]any{"type": "WordPiece"} }, `field decoder.type = "WordPiece"`},
		{"a malformed merge", func(m map[string]any) { m["model"].(map[string]any)["merges"] = []string{"a b c"} }, "field model.merges[0]"},
		{"an lstrip added token", func(m map[string]any) {
			m["added_tokens"] = []any{map[string]any{"id": 300, "content": "<mask>", "lstrip": true}}
		}, `field added_tokens[0] ("<mask>")`},
	}
	for _, tc := range tests {
		path := tinyTokenizerJSON(t, tiktokenMerges, true, tc.edit)
		_, err := LoadFiles(path, "")
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: err = %v, want it to name %s and contain %q", tc.name, err, path, tc.wantErr)
		}
	}
}

func TestMergesAsPairsAreAccepted(t *testing.T) {
	path := tinyTokenizerJSON(t, tiktokenMerges, true, func(m map[string]any) {
		var pairs [][2]string
		for _, s := range m["model"].(map[string]any)["merges"].([]string) {
			a, b, _ := strings.Cut(s, " ")
			pairs = append(pairs, [2]string{a, b})
		}
		m["model"].(map[string]any)["merges"] = pairs
	})
	tok, err := LoadFiles(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if ids, _ := tok.Encode(" and"); len(ids) != 1 || tok.fast == nil {
		t.Errorf("Encode(\" and\") = %v (fast path %v), want one token", ids, tok.fast != nil)
	}
}
