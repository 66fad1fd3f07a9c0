package tokenizer

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTaskCharHasSixtyFourTokens(t *testing.T) {
	c := NewTaskChar()
	if c.VocabSize() != 64 {
		t.Fatalf("VocabSize = %d, want 64", c.VocabSize())
	}
	if s := c.Specials(); s != (Specials{PAD: 0, BOS: 1, EOS: 2}) {
		t.Errorf("Specials = %+v", s)
	}
}

func TestTaskCharRoundTripsTaskText(t *testing.T) {
	c := NewTaskChar()
	tests := []struct {
		name string
		text string
	}{
		{"an arithmetic prompt", "Compute 12+7*3. "},
		{"a worked solution with a boxed answer", "7*3 = 21\n12+21 = 33\n\\boxed{33}"},
		{"a Countdown prompt", "Use the numbers 3, 7, 25, 50 to make 175: (50-25)*7 = 175"},
		{"a question with division", "What is 84/(4+3)? So the answer is \\boxed{12}."},
	}
	for _, tc := range tests {
		ids, err := c.Encode(tc.text)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(ids) != utf8.RuneCountInString(tc.text) {
			t.Errorf("%s: %d ids for %d characters", tc.name, len(ids), len(tc.text))
		}
		back, err := c.Decode(ids)
		if err != nil || back != tc.text {
			t.Errorf("%s: Decode = %q, %v", tc.name, back, err)
		}
	}
}

func TestCharErrorsNameTheCharacterAndPosition(t *testing.T) {
	c := NewTaskChar()
	tests := []struct {
		name    string
		text    string
		wantErr string
	}{
		{"an uppercase letter outside the alphabet", "Compute 1+1. Z", `'Z' at byte 13`},
		{"a non-ASCII character", "12×3", `'×' at byte 2`},
		{"invalid UTF-8", "1\xff", "invalid UTF-8 at byte 1"},
	}
	for _, tc := range tests {
		_, err := c.Encode(tc.text)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.name, err, tc.wantErr)
		}
	}
	if _, err := c.Decode([]int{3, 64}); err == nil || !strings.Contains(err.Error(), "position 1") {
		t.Errorf("Decode of id 64: err = %v", err)
	}
	if s, _ := c.Decode([]int{1, 4, 2, 0}); s != "<bos> <eos><pad>" {
		t.Errorf("specials decode as %q", s)
	}
	if _, err := NewChar("aba"); err == nil {
		t.Error("an alphabet with a repeat should fail")
	}
}

func TestByteRoundTripsAnyBytes(t *testing.T) {
	b := NewByte()
	for _, s := range []string{"", "abc", "\x00\xff\xfe", "你好"} {
		ids, _ := b.Encode(s)
		back, err := b.Decode(ids)
		if err != nil || back != s || len(ids) != len(s) {
			t.Errorf("%q: got %q, %v", s, back, err)
		}
	}
	if b.VocabSize() != 259 || b.Specials().EOS != 258 {
		t.Errorf("VocabSize %d, EOS %d", b.VocabSize(), b.Specials().EOS)
	}
	if _, err := b.Decode([]int{259}); err == nil {
		t.Error("id 259 should fail")
	}
	if s, err := b.TokenString(257); err != nil || s != "<bos>" {
		t.Errorf("TokenString(257) = %q, %v", s, err)
	}
}

func TestRegistry(t *testing.T) {
	for _, name := range Names() {
		tok, err := New(name)
		if err != nil || tok.Name() != name {
			t.Errorf("New(%q) = %v, %v", name, tok, err)
		}
	}
	if _, err := New("sentencepiece"); err == nil || !strings.Contains(err.Error(), "known: byte, char") {
		t.Errorf("unknown name: err = %v", err)
	}
	if tok, err := Open("char"); err != nil || tok.VocabSize() != 64 {
		t.Errorf("Open(char) = %v, %v", tok, err)
	}
	if tok, err := Open(tinyTokenizerJSON(t, tiktokenMerges, true, nil)); err != nil || tok.Name() != "hf-bpe" {
		t.Errorf("Open(file) = %v, %v", tok, err)
	}
}

func FuzzCharRoundTrip(f *testing.F) {
	f.Add("Compute 12+7*3. ")
	f.Add("\\boxed{33}\n")
	f.Add("héllo")
	c := NewTaskChar()
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := c.Encode(s)
		if err != nil {
			return // characters outside the alphabet are reported, never panicked on
		}
		back, err := c.Decode(ids)
		if err != nil || back != s {
			t.Fatalf("%q: got %q, %v", s, back, err)
		}
	})
}

func FuzzByteRoundTrip(f *testing.F) {
	f.Add("any \xff bytes")
	b := NewByte()
	f.Fuzz(func(t *testing.T, s string) {
		ids, _ := b.Encode(s)
		back, err := b.Decode(ids)
		if err != nil || back != s {
			t.Fatalf("%q: got %q, %v", s, back, err)
		}
	})
}
