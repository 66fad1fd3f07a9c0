package eval

import (
	"context"
	"fmt"

	"github.com/openai/openai-go/v3"
)

// SamplingParams are the decoding settings of an evaluation protocol.
type SamplingParams struct {
	Temperature float64 // JustRL eval: 0.7
	TopP        float64 // JustRL eval: 0.9
	MaxTokens   int     // JustRL eval: 31,744 new tokens
	Seed        uint64  // per-sample seed (the harness derives one per sample from the run seed)
}

// JustRLSampling returns JustRL's evaluation decoding (evals/gen_vllm.py; spec §3.3).
func JustRLSampling() SamplingParams {
	return SamplingParams{Temperature: 0.7, TopP: 0.9, MaxTokens: 31744}
}

// NoSuffix, as Options.Suffix (or `--suffix none`), asks for the bare problem with no instruction.
const NoSuffix = "none"

// JustRLSuffix is appended to each problem at evaluation time (evals/gen_vllm.py: a space, unlike the
// training suffix which starts with two newlines).
const JustRLSuffix = ` Please reason step by step, and put your final answer within \boxed{}.`

// Generation is one response from a Generator.
type Generation struct {
	Text             string // the response text
	FinishReason     string // "stop" or "length" as reported by the server
	CompletionTokens int    // tokens generated, when the server reports usage; else 0
}

// Generator turns a prompt into one sampled response.
type Generator interface {
	// Generate samples one response to prompt with the given settings.
	Generate(ctx context.Context, prompt string, p SamplingParams) (Generation, error)
	// Name describes the model for reports.
	Name() string
}

// API selects the OpenAI endpoint a generator calls.
type API string

const (
	// APIChat sends the prompt as one user turn to /chat/completions; the server applies the chat template
	// (JustRL's protocol applies the template to a single user turn).
	APIChat API = "chat"
	// APICompletions sends the prompt as raw text to /completions (base models, pre-templated prompts).
	APICompletions API = "completions"
)

// OpenAIGenerator samples from an OpenAI-compatible server (vLLM, SGLang, llama.cpp, OpenAI).
type OpenAIGenerator struct {
	Endpoint string // base URL including /v1, e.g. http://127.0.0.1:8000/v1
	Model    string // model name as the server knows it
	API      API    // chat or completions
	Retry    Retry  // bounded retries with backoff
	client   openai.Client
}

// NewOpenAIGenerator returns a generator for model at endpoint. api must be APIChat or APICompletions.
func NewOpenAIGenerator(endpoint, model, apiKey string, api API, retry Retry) (*OpenAIGenerator, error) {
	if endpoint == "" {
		return nil, fmt.Errorf("eval: generator needs an endpoint URL (e.g. http://127.0.0.1:8000/v1)")
	}
	if model == "" {
		return nil, fmt.Errorf("eval: generator at %s needs a model name", endpoint)
	}
	if api != APIChat && api != APICompletions {
		return nil, fmt.Errorf("eval: unknown API %q; known: %s, %s", api, APIChat, APICompletions)
	}
	return &OpenAIGenerator{Endpoint: endpoint, Model: model, API: api, Retry: retry, client: newClient(endpoint, apiKey)}, nil
}

// Name implements Generator.
func (g *OpenAIGenerator) Name() string { return g.Model }

// Generate implements Generator with bounded retries.
func (g *OpenAIGenerator) Generate(ctx context.Context, prompt string, p SamplingParams) (Generation, error) {
	return do(ctx, g.Retry, g.Endpoint, func(ctx context.Context) (Generation, error) {
		if g.API == APICompletions {
			return g.complete(ctx, prompt, p)
		}
		return g.chat(ctx, prompt, p)
	})
}

// chat calls /chat/completions.
func (g *OpenAIGenerator) chat(ctx context.Context, prompt string, p SamplingParams) (Generation, error) {
	params := openai.ChatCompletionNewParams{
		Model:       g.Model,
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)},
		Temperature: openai.Float(p.Temperature),
		N:           openai.Int(1),
		Seed:        openai.Int(int64(p.Seed & (1<<63 - 1))),
	}
	if p.TopP > 0 {
		params.TopP = openai.Float(p.TopP)
	}
	if p.MaxTokens > 0 {
		params.MaxTokens = openai.Int(int64(p.MaxTokens))
	}
	res, err := g.client.Chat.Completions.New(ctx, params)
	if err != nil {
		return Generation{}, err
	}
	if len(res.Choices) == 0 {
		return Generation{}, fmt.Errorf("chat completion with no choices")
	}
	c := res.Choices[0]
	return Generation{Text: c.Message.Content, FinishReason: c.FinishReason, CompletionTokens: int(res.Usage.CompletionTokens)}, nil
}

// complete calls /completions.
func (g *OpenAIGenerator) complete(ctx context.Context, prompt string, p SamplingParams) (Generation, error) {
	params := openai.CompletionNewParams{
		Model:       openai.CompletionNewParamsModel(g.Model),
		Prompt:      openai.CompletionNewParamsPromptUnion{OfString: openai.String(prompt)},
		Temperature: openai.Float(p.Temperature),
		N:           openai.Int(1),
		Seed:        openai.Int(int64(p.Seed & (1<<63 - 1))),
	}
	if p.TopP > 0 {
		params.TopP = openai.Float(p.TopP)
	}
	if p.MaxTokens > 0 {
		params.MaxTokens = openai.Int(int64(p.MaxTokens))
	}
	res, err := g.client.Completions.New(ctx, params)
	if err != nil {
		return Generation{}, err
	}
	if len(res.Choices) == 0 {
		return Generation{}, fmt.Errorf("completion with no choices")
	}
	c := res.Choices[0]
	return Generation{Text: c.Text, FinishReason: string(c.FinishReason), CompletionTokens: int(res.Usage.CompletionTokens)}, nil
}
