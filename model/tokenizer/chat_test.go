package tokenizer

import (
	"slices"
	"strings"
	"testing"
)

// chatGolden is one line of testdata/qwen3_chat_golden.jsonl: Qwen3's Jinja template rendered by
// @huggingface/jinja and encoded by HF tokenizers.
type chatGolden struct {
	Messages            []Message `json:"messages"`
	AddGenerationPrompt bool      `json:"add_generation_prompt"`
	EnableThinking      bool      `json:"enable_thinking"`
	Text                string    `json:"text"`
	IDs                 []int     `json:"ids"`
}

func TestQwen3ChatTemplateMatchesJinjaGoldens(t *testing.T) {
	tok := loadQwen3(t)
	goldens := readJSONL[chatGolden](t, "testdata/qwen3_chat_golden.jsonl")
	if len(goldens) < 20 {
		t.Fatalf("only %d chat goldens", len(goldens))
	}
	for i, g := range goldens {
		opts := ChatOptions{AddGenerationPrompt: g.AddGenerationPrompt, DisableThinking: !g.EnableThinking}
		text, err := ApplyChatTemplate("qwen3", g.Messages, opts)
		if err != nil {
			t.Fatalf("chat golden %d: %v", i, err)
		}
		if text != g.Text {
			t.Errorf("chat golden %d (%+v):\n got %q\nwant %q", i, opts, text, g.Text)
			continue
		}
		ids, err := EncodeChat(tok, "qwen3", g.Messages, opts)
		if err != nil || !slices.Equal(ids, g.IDs) {
			t.Errorf("chat golden %d: ids %v (err %v), want %v", i, ids, err, g.IDs)
		}
	}
}

func TestChatML(t *testing.T) {
	tests := []struct {
		name string
		msgs []Message
		opts ChatOptions
		want string
	}{
		{"a user turn with a generation prompt ends in the assistant header",
			[]Message{{"user", "Compute 12+7*3."}}, ChatOptions{AddGenerationPrompt: true},
			"<|im_start|>user\nCompute 12+7*3.<|im_end|>\n<|im_start|>assistant\n"},
		{"a system turn comes first and assistant turns are kept verbatim",
			[]Message{{"system", "S"}, {"user", "u"}, {"assistant", "<think>x</think>a"}}, ChatOptions{},
			"<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nu<|im_end|>\n<|im_start|>assistant\n<think>x</think>a<|im_end|>\n"},
		{"no messages and a generation prompt is just the assistant header",
			nil, ChatOptions{AddGenerationPrompt: true, DisableThinking: true}, "<|im_start|>assistant\n"},
	}
	for _, tc := range tests {
		got, err := ApplyChatTemplate("chatml", tc.msgs, tc.opts)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q (err %v), want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestChatTemplateErrors(t *testing.T) {
	tests := []struct {
		name     string
		template string
		msgs     []Message
		wantErr  string
	}{
		{"an unknown template lists the known ones", "llama3", nil, "known: chatml, qwen3"},
		{"an unknown role names the message and the known roles", "qwen3", []Message{{"user", "a"}, {"developer", "b"}}, `message 1 has role "developer"`},
		{"chatml rejects an empty role", "chatml", []Message{{"", "a"}}, `role ""`},
	}
	for _, tc := range tests {
		_, err := ApplyChatTemplate(tc.template, tc.msgs, ChatOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.name, err, tc.wantErr)
		}
	}
}
