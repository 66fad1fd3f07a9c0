package serve

import (
	"context"
	"errors"
	"strings"
	"testing"

	oa "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// TestTheOfficialClientTalksToTheServer drives the server with github.com/openai/openai-go:
// completions, chat, and both streamed, with an API key.
func TestTheOfficialClientTalksToTheServer(t *testing.T) {
	url, _ := startServer(t, Config{APIKey: "secret", ServedModelName: "tiny"})
	c := oa.NewClient(option.WithBaseURL(url+"/v1/"), option.WithAPIKey("secret"), option.WithMaxRetries(0))
	ctx := context.Background()

	models, err := c.Models.List(ctx)
	if err != nil || len(models.Data) != 1 || models.Data[0].ID != "tiny" {
		t.Fatalf("models: %v %+v", err, models)
	}

	cp := oa.CompletionNewParams{Model: "tiny", Prompt: oa.CompletionNewParamsPromptUnion{OfString: oa.String("2+2=")},
		MaxTokens: oa.Int(8), Seed: oa.Int(5), N: oa.Int(2), Logprobs: oa.Int(0)}
	res, err := c.Completions.New(ctx, cp)
	if err != nil {
		t.Fatalf("completion: %v", err)
	}
	if len(res.Choices) != 2 || res.Usage.PromptTokens != 5 /* BOS + "2+2=" */ || res.Usage.CompletionTokens == 0 {
		t.Fatalf("completion: %d choices, usage %+v", len(res.Choices), res.Usage)
	}
	if lp := res.Choices[0].Logprobs.TokenLogprobs; len(lp) == 0 || len(lp) != len(res.Choices[0].Logprobs.Tokens) {
		t.Errorf("logprobs %+v", res.Choices[0].Logprobs)
	}

	stream := c.Completions.NewStreaming(ctx, cp)
	var streamed [2]strings.Builder
	for stream.Next() {
		for _, ch := range stream.Current().Choices {
			streamed[ch.Index].WriteString(ch.Text)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("completion stream: %v", err)
	}
	for i := range 2 {
		if streamed[i].String() != res.Choices[i].Text {
			t.Errorf("choice %d: streamed %q, non-streamed %q", i, streamed[i].String(), res.Choices[i].Text)
		}
	}

	chat := oa.ChatCompletionNewParams{Model: "tiny", Messages: []oa.ChatCompletionMessageParamUnion{
		oa.SystemMessage("Be brief."), oa.UserMessage("Hi")}, MaxTokens: oa.Int(6), Seed: oa.Int(1), Logprobs: oa.Bool(true)}
	cr, err := c.Chat.Completions.New(ctx, chat)
	if err != nil {
		t.Fatalf("chat: %v", err)
	}
	if len(cr.Choices) != 1 || cr.Choices[0].Message.Role != "assistant" || cr.Usage.PromptTokens == 0 || len(cr.Choices[0].Logprobs.Content) == 0 {
		t.Fatalf("chat: %+v", cr)
	}
	cs := c.Chat.Completions.NewStreaming(ctx, chat)
	acc := oa.ChatCompletionAccumulator{}
	for cs.Next() {
		acc.AddChunk(cs.Current())
	}
	if err := cs.Err(); err != nil {
		t.Fatalf("chat stream: %v", err)
	}
	if got, want := acc.Choices[0].Message.Content, cr.Choices[0].Message.Content; got != want {
		t.Errorf("chat: streamed %q, non-streamed %q", got, want)
	}

	bad := oa.NewClient(option.WithBaseURL(url+"/v1/"), option.WithAPIKey("wrong"), option.WithMaxRetries(0))
	_, err = bad.Completions.New(ctx, cp)
	var apiErr *oa.Error
	if !asAPIError(err, &apiErr) || apiErr.StatusCode != 401 {
		t.Errorf("wrong key: %v, want a 401 API error", err)
	}
}

func asAPIError(err error, target **oa.Error) bool {
	var e *oa.Error
	ok := errors.As(err, &e)
	if ok {
		*target = e
	}
	return ok
}
