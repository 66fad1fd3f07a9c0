package serve

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// OpenAI's documented response layouts (platform.openai.com/docs/api-reference: "The completion
// object", "The chat completion object", "The chat completion chunk object", and the legacy
// completions logprobs), as path → JSON kind. "a[]" means every element of the list a; kinds
// joined by | are alternatives.
var (
	completionLayout = map[string]string{
		"id": "string", "object": "string", "created": "number", "model": "string", "choices": "array", "usage": "object",
		"choices[].index": "number", "choices[].text": "string", "choices[].finish_reason": "string",
		"choices[].logprobs":                "object",
		"choices[].logprobs.tokens[]":       "string",
		"choices[].logprobs.token_logprobs": "array", "choices[].logprobs.token_logprobs[]": "number",
		"choices[].logprobs.top_logprobs": "array", "choices[].logprobs.top_logprobs[]": "object",
		"choices[].logprobs.text_offset[]": "number",
		"usage.prompt_tokens":              "number", "usage.completion_tokens": "number", "usage.total_tokens": "number",
	}
	completionChunkLayout = map[string]string{
		"id": "string", "object": "string", "created": "number", "model": "string", "choices": "array",
		"choices[].index": "number", "choices[].text": "string", "choices[].finish_reason": "string|null",
		"choices[].logprobs": "object", "choices[].logprobs.tokens[]": "string", "choices[].logprobs.token_logprobs[]": "number",
		"choices[].logprobs.top_logprobs[]": "object", "choices[].logprobs.text_offset[]": "number",
		"usage": "null|object",
	}
	chatLayout = map[string]string{
		"id": "string", "object": "string", "created": "number", "model": "string", "choices": "array", "usage": "object",
		"choices[].index": "number", "choices[].finish_reason": "string",
		"choices[].message.role": "string", "choices[].message.content": "string",
		"choices[].logprobs.content":                          "array",
		"choices[].logprobs.content[].token":                  "string",
		"choices[].logprobs.content[].logprob":                "number",
		"choices[].logprobs.content[].bytes[]":                "number",
		"choices[].logprobs.content[].top_logprobs":           "array",
		"choices[].logprobs.content[].top_logprobs[].token":   "string",
		"choices[].logprobs.content[].top_logprobs[].logprob": "number",
		"choices[].logprobs.content[].top_logprobs[].bytes[]": "number",
	}
	chatChunkLayout = map[string]string{
		"id": "string", "object": "string", "created": "number", "model": "string", "choices": "array",
		"choices[].index": "number", "choices[].delta": "object", "choices[].finish_reason": "string|null",
		"choices[].logprobs.content[].token": "string", "choices[].logprobs.content[].logprob": "number",
		"choices[].logprobs.content[].bytes[]":              "number",
		"choices[].logprobs.content[].top_logprobs[].token": "string", "usage": "null|object",
	}
)

// kindOf is the JSON kind of a decoded value.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	}
	return "object"
}

// resolve returns every value at path ("a.b[].c") in v; missing keys are reported as absent.
func resolve(v any, path string) (vals []any, missing bool) {
	if path == "" {
		return []any{v}, false
	}
	head, rest, _ := strings.Cut(path, ".")
	each := strings.HasSuffix(head, "[]")
	head = strings.TrimSuffix(head, "[]")
	m, ok := v.(map[string]any)
	if !ok {
		return nil, true
	}
	x, ok := m[head]
	if !ok {
		return nil, true
	}
	if !each {
		return resolve(x, rest)
	}
	list, _ := x.([]any)
	for _, e := range list {
		got, miss := resolve(e, rest)
		if miss {
			return nil, true
		}
		vals = append(vals, got...)
	}
	return vals, false
}

// checkLayout fails for every path of layout that is missing or has another kind.
func checkLayout(t *testing.T, what string, v map[string]any, layout map[string]string) {
	t.Helper()
	for path, kinds := range layout {
		vals, missing := resolve(v, path)
		if missing {
			t.Errorf("%s: %s is missing: %v", what, path, v)
			continue
		}
		for _, x := range vals {
			if !strings.Contains("|"+kinds+"|", "|"+kindOf(x)+"|") {
				t.Errorf("%s: %s is %s (%v), want %s", what, path, kindOf(x), x, kinds)
			}
		}
	}
}

// sseChunks posts body and returns the decoded data events before [DONE] (failing without it).
func sseChunks(t *testing.T, url, body string) []map[string]any {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("HTTP %d", resp.StatusCode)
	}
	var out []map[string]any
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		if data == "[DONE]" {
			return out
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(data), &m); err != nil {
			t.Fatalf("chunk %s: %v", data, err)
		}
		out = append(out, m)
	}
	t.Fatalf("stream ended without data: [DONE] after %d chunks", len(out))
	return nil
}

func TestResponsesFollowOpenAIsDocumentedLayout(t *testing.T) {
	url, _ := startServer(t, Config{})
	chat := `"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 6, "logprobs": true, "top_logprobs": 3, "n": 2`
	tests := []struct {
		name, path, body string
		stream           bool
		layout           map[string]string
	}{
		{"a completion with logprobs 3", "/v1/completions", `{"prompt": "2+2=", "max_tokens": 6, "logprobs": 3, "n": 2}`, false, completionLayout},
		{"a completion with logprobs 0", "/v1/completions", `{"prompt": "2+2=", "max_tokens": 6, "logprobs": 0}`, false,
			map[string]string{"choices[].logprobs.token_logprobs[]": "number", "choices[].logprobs.top_logprobs": "null"}},
		{"completion chunks", "/v1/completions", `{"prompt": "2+2=", "max_tokens": 6, "logprobs": 2, "n": 2, "stream": true, "stream_options": {"include_usage": true}}`, true, completionChunkLayout},
		{"a chat completion with top_logprobs 3", "/v1/chat/completions", `{` + chat + `}`, false, chatLayout},
		{"chat chunks", "/v1/chat/completions", `{` + chat + `, "stream": true, "stream_options": {"include_usage": true}}`, true, chatChunkLayout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.stream {
				code, m := call(t, "POST", url+tc.path, "", tc.body)
				if code != 200 {
					t.Fatalf("HTTP %d: %v", code, m)
				}
				checkLayout(t, tc.name, m, tc.layout)
				return
			}
			chunks := sseChunks(t, url+tc.path, tc.body)
			if len(chunks) < 3 {
				t.Fatalf("%d chunks", len(chunks))
			}
			last := chunks[len(chunks)-1]
			if len(last["choices"].([]any)) != 0 || kindOf(last["usage"]) != "object" {
				t.Errorf("the last chunk is not the usage chunk: %v", last)
			}
			for i, ch := range chunks[:len(chunks)-1] {
				checkLayout(t, tc.name, ch, tc.layout)
				if ch["usage"] != nil {
					t.Errorf("chunk %d carries usage before the last chunk", i)
				}
			}
		})
	}
}
