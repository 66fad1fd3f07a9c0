package tokenizer

import (
	"os"
	"path/filepath"
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
