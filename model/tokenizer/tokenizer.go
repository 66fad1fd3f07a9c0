// Package tokenizer turns text into token ids and back for the Ascent policy models.
//
// Three kinds are provided:
//   - "char": a ≤64-symbol character tokenizer for the built-in procedural tasks (arithmetic,
//     Countdown), so tiny models trained from scratch by `ascent train` have a tiny vocabulary;
//   - "byte": every byte 0..255 plus <pad>, <bos>, <eos>;
//   - Hugging Face tokenizer.json byte-level BPE (Qwen2, Qwen2.5, Qwen3), loaded with Load and
//     encoded with github.com/pkoukk/tiktoken-go, checked against golden ids from HF tokenizers.
//
// Chat prompts in the Qwen (ChatML) format are rendered by ApplyChatTemplate.
// See docs/tokenizer.md.
package tokenizer

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Tokenizer encodes text to token ids and decodes ids to text. Implementations are safe for
// concurrent use.
type Tokenizer interface {
	// Encode returns the token ids of text. Text that cannot be encoded (a character outside a
	// fixed alphabet, invalid UTF-8) is an error naming the character and its byte offset.
	Encode(text string) ([]int, error)
	// Decode returns the text of ids; an id outside [0, VocabSize()) is an error.
	Decode(ids []int) (string, error)
	// VocabSize is one more than the largest token id (special tokens included).
	VocabSize() int
	// TokenString returns the text form of one token (for byte-level BPE, the raw bytes as a
	// string, which may be a partial UTF-8 sequence).
	TokenString(id int) (string, error)
	// Specials returns the special token ids; absent ones are -1.
	Specials() Specials
	// Name identifies the tokenizer kind ("char", "byte", "hf-bpe").
	Name() string
}

// Specials holds the special token ids of a tokenizer. An id of -1 means the tokenizer has none.
type Specials struct {
	PAD int // padding id
	BOS int // beginning-of-sequence id (-1 for Qwen, which has none)
	EOS int // end-of-sequence id: generation stops here
}

// builtins maps the names accepted by New to constructors.
var builtins = map[string]func() Tokenizer{
	"char": func() Tokenizer { return NewTaskChar() },
	"byte": func() Tokenizer { return NewByte() },
}

// Names returns the built-in tokenizer names accepted by New, sorted.
func Names() []string {
	names := make([]string, 0, len(builtins))
	for n := range builtins {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New returns a built-in tokenizer by name; the error lists the valid names.
func New(name string) (Tokenizer, error) {
	ctor, ok := builtins[name]
	if !ok {
		return nil, fmt.Errorf("tokenizer: unknown built-in %q; known: %s (or a path to a tokenizer.json)",
			name, strings.Join(Names(), ", "))
	}
	return ctor(), nil
}

// BuiltinFile, in a model directory, names the built-in tokenizer (e.g. "char") the model was
// trained with; Ascent's trainer writes it into every checkpoint that uses a built-in tokenizer.
const BuiltinFile = "ascent_tokenizer.txt"

// Open returns the built-in tokenizer called spec, or else loads spec as a path: a directory with
// a BuiltinFile gets that built-in, anything else goes to Load.
func Open(spec string) (Tokenizer, error) {
	if _, ok := builtins[spec]; ok {
		return New(spec)
	}
	if b, err := os.ReadFile(filepath.Join(spec, BuiltinFile)); err == nil {
		name := strings.TrimSpace(string(b))
		t, err := New(name)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %s: %w", filepath.Join(spec, BuiltinFile), err)
		}
		return t, nil
	}
	return Load(spec)
}

// WriteBuiltinFile records in dir which built-in tokenizer a model uses (see BuiltinFile).
func WriteBuiltinFile(dir string, tok Tokenizer) error {
	if _, ok := builtins[tok.Name()]; !ok {
		return nil // an HF tokenizer: its tokenizer.json travels with the model instead
	}
	return os.WriteFile(filepath.Join(dir, BuiltinFile), []byte(tok.Name()+"\n"), 0o644)
}

// Load reads a Hugging Face tokenizer. path is a model directory holding tokenizer.json (or
// tokenizer.json.gz), or the path of such a file. A tokenizer_config.json beside it, when present,
// supplies eos_token and pad_token.
func Load(path string) (*BPE, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: load %s: %w", path, err)
	}
	file := path
	if st.IsDir() {
		file = ""
		for _, name := range []string{"tokenizer.json", "tokenizer.json.gz"} {
			if _, err := os.Stat(filepath.Join(path, name)); err == nil {
				file = filepath.Join(path, name)
				break
			}
		}
		if file == "" {
			return nil, fmt.Errorf("tokenizer: load %s: directory has no tokenizer.json or tokenizer.json.gz", path)
		}
	}
	cfg := filepath.Join(filepath.Dir(file), "tokenizer_config.json")
	if _, err := os.Stat(cfg); err != nil {
		cfg = ""
	}
	return LoadFiles(file, cfg)
}

// StopIDs returns the ids that end a generation: Specials().EOS and, for Hugging Face tokenizers,
// <|im_end|> and <|endoftext|> when they exist (Qwen's generation_config.json stops on both).
func StopIDs(tok Tokenizer) []int {
	var ids []int
	add := func(id int) {
		if id >= 0 && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	add(tok.Specials().EOS)
	if b, ok := tok.(*BPE); ok {
		for _, s := range []string{"<|im_end|>", "<|endoftext|>"} {
			if id, ok := b.added[s]; ok {
				add(id)
			}
		}
	}
	return ids
}

// EncodePrompt encodes a prompt the way models are trained on it: the tokenizer's BOS id first
// when it has one (the built-in tokenizers, Llama), then the text. Qwen tokenizers have no BOS, so
// for them it equals Encode. The trainer, the evaluator and the server all encode prompts with it,
// so a model sees the same input wherever it runs.
func EncodePrompt(tok Tokenizer, text string) ([]int, error) {
	ids, err := tok.Encode(text)
	if err != nil {
		return nil, err
	}
	if bos := tok.Specials().BOS; bos >= 0 {
		ids = append([]int{bos}, ids...)
	}
	return ids, nil
}

// PromptCodec wraps a tokenizer so that Encode is EncodePrompt (for consumers that take an
// Encode/Decode pair, such as eval.EngineGenerator).
type PromptCodec struct{ Tokenizer }

// Encode implements EncodePrompt.
func (c PromptCodec) Encode(text string) ([]int, error) { return EncodePrompt(c.Tokenizer, text) }
