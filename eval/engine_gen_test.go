package eval

import (
	"context"
	"testing"

	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/model/tokenizer"
)

// TestEngineGeneratorRunsARealLocalModel evaluates a tiny randomly initialised Qwen2-shaped model with
// the byte tokenizer through the real local engine: the answers are noise, but every sample must be
// generated, decoded, seeded reproducibly and graded.
func TestEngineGeneratorRunsARealLocalModel(t *testing.T) {
	cfg := model.TinyConfig()
	cfg.VocabSize, cfg.MaxPositionEmbeddings = 259, 128
	tok := tokenizer.NewByte()
	cfg.EOSTokenID = tok.Specials().EOS
	eng, err := local.New(model.NewRandom(cfg, 1), local.Config{})
	if err != nil {
		t.Fatal(err)
	}
	gen := &EngineGenerator{Engine: eng, Codec: tok, StopTokens: []int{tok.Specials().EOS}, ModelName: "tiny-random",
		Template: func(p string) (string, error) { return "Q:" + p + "\nA:", nil }}
	p := SamplingParams{Temperature: 0.7, TopP: 0.9, MaxTokens: 12, Seed: 42}
	a, err := gen.Generate(context.Background(), "2+3", p)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := gen.Generate(context.Background(), "2+3", p)
	if a != b || a.CompletionTokens == 0 || a.CompletionTokens > 12 || (a.FinishReason != "stop" && a.FinishReason != "length") {
		t.Fatalf("generations %+v and %+v: want identical, 1..12 tokens, a finish reason", a, b)
	}

	path, _ := tinyBench(t)
	out := t.TempDir()
	res, err := Run(context.Background(), RunOptions{Benchmarks: []string{path}, KAll: 2, Suffix: " =",
		Sampling: SamplingParams{Temperature: 1, TopP: 1, MaxTokens: 8}, Concurrency: 2, OutDir: out}, gen, NewRuleGrader())
	if err != nil {
		t.Fatal(err)
	}
	if b := res.Benchmarks["tiny"]; b.NSamples != 6 || b.Tokens == nil {
		t.Errorf("local run: %+v", b)
	}
}
