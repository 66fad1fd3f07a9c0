package serve

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	oa "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// TestTheOfficialClientUsesEveryFeature drives each feature of issue #24 through
// github.com/openai/openai-go: top log-probs on completions and chat, echo, per-token streaming
// with include_usage, /tokenize and /detokenize, max_model_len and the overload answer.
func TestTheOfficialClientUsesEveryFeature(t *testing.T) {
	url, _ := startServer(t, Config{ServedModelName: "tiny", MaxModelLen: 64})
	c := oa.NewClient(option.WithBaseURL(url+"/v1/"), option.WithAPIKey("none"), option.WithMaxRetries(0))
	root := oa.NewClient(option.WithBaseURL(url+"/"), option.WithAPIKey("none"), option.WithMaxRetries(0))
	ctx := context.Background()
	prompt := oa.CompletionNewParamsPromptUnion{OfString: oa.String("2+2=")}

	t.Run("completions logprobs 5 give five alternatives per token", func(t *testing.T) {
		res, err := c.Completions.New(ctx, oa.CompletionNewParams{Model: "tiny", Prompt: prompt, MaxTokens: oa.Int(4), Logprobs: oa.Int(5), Temperature: oa.Float(0)})
		if err != nil {
			t.Fatal(err)
		}
		lp := res.Choices[0].Logprobs
		if len(lp.TopLogprobs) != len(lp.Tokens) || len(lp.Tokens) == 0 {
			t.Fatalf("logprobs %+v", lp)
		}
		for i, top := range lp.TopLogprobs {
			if len(top) != 5 || top[lp.Tokens[i]] != lp.TokenLogprobs[i] {
				t.Errorf("token %d %q (%g): alternatives %v", i, lp.Tokens[i], lp.TokenLogprobs[i], top)
			}
		}
	})
	t.Run("chat top_logprobs 2", func(t *testing.T) {
		res, err := c.Chat.Completions.New(ctx, oa.ChatCompletionNewParams{Model: "tiny", Messages: []oa.ChatCompletionMessageParamUnion{oa.UserMessage("Hi")},
			MaxTokens: oa.Int(4), Logprobs: oa.Bool(true), TopLogprobs: oa.Int(2), Seed: oa.Int(3)})
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range res.Choices[0].Logprobs.Content {
			if len(e.TopLogprobs) != 2 || e.TopLogprobs[0].Logprob < e.TopLogprobs[1].Logprob || len(e.Bytes) == 0 {
				t.Errorf("token %d: %+v", i, e)
			}
		}
	})
	t.Run("echo returns the prompt before the completion", func(t *testing.T) {
		res, err := c.Completions.New(ctx, oa.CompletionNewParams{Model: "tiny", Prompt: prompt, MaxTokens: oa.Int(3), Echo: oa.Bool(true), Logprobs: oa.Int(1)})
		if err != nil {
			t.Fatal(err)
		}
		if ch := res.Choices[0]; !strings.HasPrefix(ch.Text, "<bos>2+2=") || int64(len(ch.Logprobs.Tokens)) != res.Usage.PromptTokens+res.Usage.CompletionTokens {
			t.Errorf("text %q with %d logprob tokens, usage %+v", ch.Text, len(ch.Logprobs.Tokens), res.Usage)
		}
	})
	t.Run("streaming sends one chunk per token then the usage", func(t *testing.T) {
		s := c.Completions.NewStreaming(ctx, oa.CompletionNewParams{Model: "tiny", Prompt: prompt, MaxTokens: oa.Int(8), Seed: oa.Int(2),
			StreamOptions: oa.ChatCompletionStreamOptionsParam{IncludeUsage: oa.Bool(true)}})
		var chunks, empty int
		var usage int64
		for s.Next() {
			ch := s.Current()
			if len(ch.Choices) == 0 {
				usage = ch.Usage.CompletionTokens
				continue
			}
			chunks++
			if ch.Choices[0].Text == "" && ch.Choices[0].FinishReason == "" {
				empty++
			}
		}
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
		if empty != 0 || usage == 0 || int64(chunks) < usage/2 {
			t.Errorf("%d chunks (%d empty) for %d tokens", chunks, empty, usage)
		}
	})
	t.Run("tokenize and detokenize round-trip", func(t *testing.T) {
		var tok struct {
			Count       int   `json:"count"`
			MaxModelLen int   `json:"max_model_len"`
			Tokens      []int `json:"tokens"`
		}
		if err := root.Post(ctx, "tokenize", map[string]any{"model": "tiny", "prompt": "2+2="}, &tok); err != nil {
			t.Fatal(err)
		}
		if tok.Count != 5 || tok.MaxModelLen != 64 || tok.Tokens[0] != 257 {
			t.Errorf("tokenize: %+v", tok)
		}
		var detok struct {
			Prompt string `json:"prompt"`
		}
		if err := root.Post(ctx, "detokenize", map[string]any{"tokens": tok.Tokens[1:]}, &detok); err != nil || detok.Prompt != "2+2=" {
			t.Errorf("detokenize: %q %v", detok.Prompt, err)
		}
	})
	t.Run("max_model_len is enforced with vLLM's error", func(t *testing.T) {
		_, err := c.Completions.New(ctx, oa.CompletionNewParams{Model: "tiny", Prompt: prompt, MaxTokens: oa.Int(60)})
		var apiErr *oa.Error
		if !asAPIError(err, &apiErr) || apiErr.StatusCode != 400 || !strings.Contains(apiErr.Message, "maximum context length is 64 tokens") || apiErr.Param != "max_tokens" {
			t.Errorf("60 tokens after a 5-token prompt with max_model_len 64: %v", err)
		}
		_, err = c.Completions.New(ctx, oa.CompletionNewParams{Model: "tiny", Prompt: prompt, MaxTokens: oa.Int(200)})
		if !asAPIError(err, &apiErr) || apiErr.StatusCode != 400 || !strings.Contains(apiErr.Message, "is too large: 200") {
			t.Errorf("max_tokens 200 over max_model_len 64: %v", err)
		}
		_, err = c.Completions.New(ctx, oa.CompletionNewParams{Model: "tiny", Prompt: oa.CompletionNewParamsPromptUnion{OfString: oa.String(strings.Repeat("x", 70))}})
		if !asAPIError(err, &apiErr) || apiErr.StatusCode != 400 || !strings.Contains(apiErr.Message, "your request has 71 input tokens") {
			t.Errorf("a 71-token prompt: %v", err)
		}
	})
}

func TestOverloadAnswersCarryRetryAfterAndTheClientRetries(t *testing.T) {
	url, s := startServer(t, Config{ServedModelName: "tiny", MaxQueue: 1, MaxBatchRows: 1})
	c := oa.NewClient(option.WithBaseURL(url+"/v1/"), option.WithAPIKey("none"), option.WithMaxRetries(0))
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 12)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Completions.New(ctx, oa.CompletionNewParams{Model: "tiny", Prompt: oa.CompletionNewParamsPromptUnion{OfString: oa.String("x")},
				MaxTokens: oa.Int(64)}, option.WithJSONSet("ignore_eos", true))
		}()
	}
	wg.Wait()
	busy := 0
	for _, err := range errs {
		var apiErr *oa.Error
		switch {
		case err == nil:
		case asAPIError(err, &apiErr) && apiErr.StatusCode == 503 && apiErr.Response.Header.Get("Retry-After") == "1":
			busy++
		default:
			t.Errorf("want a completion or 503 with Retry-After: %v", err)
		}
	}
	if busy == 0 || s.Stats().Rejected.Load() != int64(busy) {
		t.Errorf("%d overloaded answers, %d counted", busy, s.Stats().Rejected.Load())
	}
	// With retries on (the client's default), the 503s are retried after Retry-After and succeed.
	retry := oa.NewClient(option.WithBaseURL(url+"/v1/"), option.WithAPIKey("none"), option.WithMaxRetries(3), option.WithRequestTimeout(20*time.Second))
	if _, err := retry.Completions.New(ctx, oa.CompletionNewParams{Model: "tiny", Prompt: oa.CompletionNewParamsPromptUnion{OfString: oa.String("y")}, MaxTokens: oa.Int(2)}); err != nil {
		t.Errorf("after the load: %v", err)
	}
}
