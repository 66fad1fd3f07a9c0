package tokenizer

import (
	"strings"
	"testing"
)

// benchText is ~1 MB of mixed prose, math, code, CJK and whitespace built from the goldens.
func benchText(b *testing.B) string {
	b.Helper()
	goldens := readJSONLB(b, "testdata/qwen3_golden.jsonl")
	var sb strings.Builder
	for sb.Len() < 1<<20 {
		for _, g := range goldens {
			if !strings.Contains(g, "<|") && !strings.Contains(g, "<think>") && !strings.Contains(g, "<tool") {
				sb.WriteString(g)
				sb.WriteString(" ")
			}
		}
	}
	return sb.String()
}

// BenchmarkQwen3Encode measures Encode throughput (reported as MB/s) on ~1 MB of mixed text.
func BenchmarkQwen3Encode(b *testing.B) {
	tok := loadQwen3(b)
	text := benchText(b)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := tok.Encode(text); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQwen3EncodeHeap measures Encode with every chunk on the heap path (no tiktoken-go).
func BenchmarkQwen3EncodeHeap(b *testing.B) {
	tok := *loadQwen3(b)
	tok.forceHeap = true
	text := benchText(b)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := tok.Encode(text); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQwen3EncodeReference measures the slow reference BPE on the same text.
func BenchmarkQwen3EncodeReference(b *testing.B) {
	tok := loadQwen3(b)
	text := benchText(b)[:1<<18]
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := tok.EncodeReference(text); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQwen3Decode measures Decode throughput in output bytes.
func BenchmarkQwen3Decode(b *testing.B) {
	tok := loadQwen3(b)
	text := benchText(b)
	ids, err := tok.Encode(text)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := tok.Decode(ids); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQwen3Load measures reading and indexing the 11 MB tokenizer.json (gzip).
func BenchmarkQwen3Load(b *testing.B) {
	for b.Loop() {
		if _, err := LoadFiles(qwen3File, qwen3Config); err != nil {
			b.Fatal(err)
		}
	}
}
