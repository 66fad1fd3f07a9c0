package eval

import (
	"context"
	"fmt"
	"slices"

	"github.com/ascent-rl/ascent/engine"
)

// Codec turns text into token ids and back; model/tokenizer.Tokenizer satisfies it.
type Codec interface {
	// Encode returns the token ids of text.
	Encode(text string) ([]int, error)
	// Decode returns the text of ids.
	Decode(ids []int) (string, error)
}

// Sampler is what EngineGenerator needs from an engine: engine/local's Sample.
type Sampler interface {
	// Sample draws n responses for each prompt, prompt-major.
	Sample(ctx context.Context, prompts [][]int, n int, p engine.SamplingParams) ([]engine.Sequence, error)
}

// EngineGenerator samples from an engine in this process (engine/local on a checkpoint
// directory), so `ascent eval --model RUN_DIR/checkpoint` needs no server.
type EngineGenerator struct {
	Engine Sampler // the policy (engine/local)
	Codec  Codec   // its tokenizer
	// Template renders the user prompt as the model's input text (a chat template with the generation
	// prompt); nil sends the prompt as is.
	Template func(prompt string) (string, error)
	// StopTokens end a response (the EOS / end-of-turn ids); they are removed from the decoded text.
	StopTokens []int
	// ModelName labels results (the checkpoint path).
	ModelName string
}

// Name implements Generator.
func (g *EngineGenerator) Name() string { return g.ModelName }

// Generate implements Generator: template, encode, one engine.Sample call with n = 1 and the sample's
// seed, decode. FinishReason and CompletionTokens come from the engine.
func (g *EngineGenerator) Generate(ctx context.Context, prompt string, p SamplingParams) (Generation, error) {
	text := prompt
	if g.Template != nil {
		var err error
		if text, err = g.Template(prompt); err != nil {
			return Generation{}, fmt.Errorf("eval: chat template: %w", err)
		}
	}
	ids, err := g.Codec.Encode(text)
	if err != nil {
		return Generation{}, fmt.Errorf("eval: encode prompt: %w", err)
	}
	seqs, err := g.Engine.Sample(ctx, [][]int{ids}, 1, engine.SamplingParams{
		Temperature: p.Temperature, TopP: p.TopP, MaxTokens: p.MaxTokens, StopTokens: g.StopTokens, Seed: p.Seed,
	})
	if err != nil {
		return Generation{}, fmt.Errorf("eval: sample from %s: %w", g.ModelName, err)
	}
	if len(seqs) != 1 {
		return Generation{}, fmt.Errorf("eval: engine returned %d sequences for one prompt, want 1", len(seqs))
	}
	toks := seqs[0].Tokens
	for len(toks) > 0 && slices.Contains(g.StopTokens, toks[len(toks)-1]) {
		toks = toks[:len(toks)-1]
	}
	out, err := g.Codec.Decode(toks)
	if err != nil {
		return Generation{}, fmt.Errorf("eval: decode response: %w", err)
	}
	return Generation{Text: out, FinishReason: seqs[0].FinishReason, CompletionTokens: len(seqs[0].Tokens)}, nil
}
