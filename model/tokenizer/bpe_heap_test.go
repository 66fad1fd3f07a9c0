package tokenizer

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestQwen3HeapPathMatchesHuggingFaceGoldens(t *testing.T) {
	heapOnly := *loadQwen3(t)
	heapOnly.forceHeap = true
	for i, g := range readJSONL[golden](t, "testdata/qwen3_golden.jsonl") {
		ids, err := heapOnly.Encode(g.Text)
		if err != nil || !slices.Equal(ids, g.IDs) {
			t.Errorf("golden %d %q on the heap path: got %v (err %v), want %v", i, short(g.Text), short2(ids), err, short2(g.IDs))
		}
	}
}

func TestQwen3LongRunsMatchTheReference(t *testing.T) {
	tok := loadQwen3(t)
	tests := []struct {
		name string
		text string
	}{
		{"a long run of one letter", strings.Repeat("a", 1500)},
		{"a long run of mixed letters", strings.Repeat("abcxyz", 250)},
		{"a long CJK run", strings.Repeat("数学中文", 150)},
		{"a long run of spaces before a word", strings.Repeat(" ", 1500) + "word"},
		{"a long run of newlines", strings.Repeat("\n", 1500)},
		{"alternating spaces and newlines", strings.Repeat(" \n", 700)},
		{"a long punctuation run", strings.Repeat("!?.", 500)},
		{"a long run of tabs and text", "x" + strings.Repeat("\t", 800) + "y" + strings.Repeat("=", 900)},
	}
	for _, tc := range tests {
		if chunks := tok.chunks(tc.text); !slices.ContainsFunc(chunks, func(c chunk) bool { return c.longRun }) {
			t.Errorf("%s: no chunk was marked as holding a long run", tc.name)
		}
		ids, err := tok.Encode(tc.text)
		if err != nil {
			t.Fatal(err)
		}
		ref, _ := tok.EncodeReference(tc.text)
		if !slices.Equal(ids, ref) {
			t.Errorf("%s: heap path %v != reference %v", tc.name, short2(ids), short2(ref))
		}
	}
}

func FuzzQwen3HeapWordMatchesReference(f *testing.F) {
	for _, s := range []string{"hello", "   ", "\n\n\n", "中文数学", "aaaaaaaaaaaa", "\xff\x00ab"} {
		f.Add(s)
	}
	tok := loadQwen3(f)
	f.Fuzz(func(t *testing.T, piece string) {
		if piece == "" {
			return
		}
		got := tok.ref.heapWord(piece, &tok.ref.byteIDs)
		want := tok.ref.word(byteLevelEncode([]byte(piece)))
		if !slices.Equal(got, want) {
			t.Fatalf("heapWord(%q) = %v, reference word = %v", piece, got, want)
		}
	})
}

func TestQwen3EncodeIsSafeForConcurrentUse(t *testing.T) {
	tok := loadQwen3(t)
	goldens := readJSONL[golden](t, "testdata/qwen3_golden.jsonl")
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		go func(w int) {
			for i := w; i < len(goldens); i += 4 {
				ids, err := tok.Encode(goldens[i].Text)
				if err != nil || !slices.Equal(ids, goldens[i].IDs) {
					errs <- fmt.Errorf("worker %d, golden %d: got %v (err %v)", w, i, short2(ids), err)
					return
				}
			}
			errs <- nil
		}(w)
	}
	for w := 0; w < 4; w++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
