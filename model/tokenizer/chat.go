package tokenizer

import (
	"fmt"
	"sort"
	"strings"
)

// Message is one chat turn.
type Message struct {
	Role    string `json:"role"`    // "system", "user", "assistant" or "tool"
	Content string `json:"content"` // the turn's text
}

// ChatOptions are the template variables besides the messages.
type ChatOptions struct {
	// AddGenerationPrompt appends "<|im_start|>assistant\n" so that the model answers next.
	AddGenerationPrompt bool
	// DisableThinking is Qwen3's enable_thinking=false: the generation prompt gets an empty
	// "<think>\n\n</think>\n\n" block. Ignored by "chatml".
	DisableThinking bool
}

// chatTemplates maps template names to renderers.
var chatTemplates = map[string]func([]Message, ChatOptions) (string, error){
	"chatml": renderChatML,
	"qwen3":  renderQwen3,
}

// ChatTemplates returns the names accepted by ApplyChatTemplate, sorted.
func ChatTemplates() []string {
	names := make([]string, 0, len(chatTemplates))
	for n := range chatTemplates {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ApplyChatTemplate renders messages as a prompt string.
//
//   - "chatml": each turn as "<|im_start|>{role}\n{content}<|im_end|>\n" (Qwen2/Qwen2.5 format,
//     without Qwen2.5's default system prompt: pass one explicitly for parity);
//   - "qwen3": Qwen3's own template (tools left out): system first, tool turns wrapped in
//     <tool_response> inside a user turn, earlier assistant turns with their <think> part
//     removed, and "<think>\n…\n</think>\n\n" kept on assistant turns after the last user query.
func ApplyChatTemplate(template string, msgs []Message, opts ChatOptions) (string, error) {
	render, ok := chatTemplates[template]
	if !ok {
		return "", fmt.Errorf("tokenizer: unknown chat template %q; known: %s", template, strings.Join(ChatTemplates(), ", "))
	}
	return render(msgs, opts)
}

// EncodeChat renders messages with template and encodes the result with tok.
func EncodeChat(tok Tokenizer, template string, msgs []Message, opts ChatOptions) ([]int, error) {
	text, err := ApplyChatTemplate(template, msgs, opts)
	if err != nil {
		return nil, err
	}
	return tok.Encode(text)
}

// checkRole accepts the four roles the Qwen templates know.
func checkRole(i int, m Message) error {
	switch m.Role {
	case "system", "user", "assistant", "tool":
		return nil
	}
	return fmt.Errorf("tokenizer: chat message %d has role %q; known: system, user, assistant, tool", i, m.Role)
}

func renderChatML(msgs []Message, opts ChatOptions) (string, error) {
	var sb strings.Builder
	for i, m := range msgs {
		if err := checkRole(i, m); err != nil {
			return "", err
		}
		sb.WriteString("<|im_start|>" + m.Role + "\n" + m.Content + "<|im_end|>\n")
	}
	if opts.AddGenerationPrompt {
		sb.WriteString("<|im_start|>assistant\n")
	}
	return sb.String(), nil
}

func renderQwen3(msgs []Message, opts ChatOptions) (string, error) {
	var sb strings.Builder
	for i, m := range msgs {
		if err := checkRole(i, m); err != nil {
			return "", err
		}
	}
	if len(msgs) > 0 && msgs[0].Role == "system" {
		sb.WriteString("<|im_start|>system\n" + msgs[0].Content + "<|im_end|>\n")
	}
	lastQuery := len(msgs) - 1
	for i := len(msgs) - 1; i >= 0; i-- {
		c := msgs[i].Content
		if msgs[i].Role == "user" && !(strings.HasPrefix(c, "<tool_response>") && strings.HasSuffix(c, "</tool_response>")) {
			lastQuery = i
			break
		}
	}
	for i, m := range msgs {
		switch {
		case m.Role == "user" || (m.Role == "system" && i > 0):
			sb.WriteString("<|im_start|>" + m.Role + "\n" + m.Content + "<|im_end|>\n")
		case m.Role == "assistant":
			content, reasoning := m.Content, ""
			if strings.Contains(content, "</think>") {
				parts := strings.Split(content, "</think>")
				content = strings.TrimLeft(parts[len(parts)-1], "\n")
				before := strings.Split(strings.TrimRight(parts[0], "\n"), "<think>")
				reasoning = strings.TrimLeft(before[len(before)-1], "\n")
			}
			if i > lastQuery && (i == len(msgs)-1 || reasoning != "") {
				sb.WriteString("<|im_start|>assistant\n<think>\n" + strings.Trim(reasoning, "\n") + "\n</think>\n\n" + strings.TrimLeft(content, "\n"))
			} else {
				sb.WriteString("<|im_start|>assistant\n" + content)
			}
			sb.WriteString("<|im_end|>\n")
		case m.Role == "tool":
			if i == 0 || msgs[i-1].Role != "tool" {
				sb.WriteString("<|im_start|>user")
			}
			sb.WriteString("\n<tool_response>\n" + m.Content + "\n</tool_response>")
			if i == len(msgs)-1 || msgs[i+1].Role != "tool" {
				sb.WriteString("<|im_end|>\n")
			}
		}
	}
	if opts.AddGenerationPrompt {
		sb.WriteString("<|im_start|>assistant\n")
		if opts.DisableThinking {
			sb.WriteString("<think>\n\n</think>\n\n")
		}
	}
	return sb.String(), nil
}
