package tokenizer

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestAModelDirectoryCanNameItsBuiltinTokenizer(t *testing.T) {
	dir := t.TempDir()
	if err := WriteBuiltinFile(dir, NewTaskChar()); err != nil {
		t.Fatal(err)
	}
	tok, err := Open(dir)
	if err != nil || tok.Name() != "char" {
		t.Fatalf("Open(dir) = %v, %v; want the char tokenizer", tok, err)
	}
	os.WriteFile(filepath.Join(dir, BuiltinFile), []byte("klingon\n"), 0o644)
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), BuiltinFile) || !strings.Contains(err.Error(), "char") {
		t.Fatalf("an unknown name should be an error naming the file and the valid names, got %v", err)
	}
}

// Prompts are encoded the same way by the trainer, the evaluator and the server.
func TestEncodePromptPrependsBOSOnlyWhenTheTokenizerHasOne(t *testing.T) {
	c := NewTaskChar()
	ids, err := EncodePrompt(c, "1+2=")
	plain, _ := c.Encode("1+2=")
	if err != nil || len(ids) != len(plain)+1 || ids[0] != c.Specials().BOS {
		t.Fatalf("char: EncodePrompt = %v, %v; want BOS then %v", ids, err, plain)
	}
	q := loadQwen3(t)
	ids, err = PromptCodec{q}.Encode("Hello")
	plain, _ = q.Encode("Hello")
	if err != nil || q.Specials().BOS != -1 || !slices.Equal(ids, plain) {
		t.Fatalf("qwen3 has no BOS: EncodePrompt = %v, %v; want %v", ids, err, plain)
	}
	if _, err := EncodePrompt(c, "Zebra"); err == nil {
		t.Fatal("an unencodable prompt must be an error")
	}
}
