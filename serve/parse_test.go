package serve

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ascent-rl/ascent/model/tokenizer"
)

func TestStreamedPiecesConcatenateToTheTextAndAreValidUTF8(t *testing.T) {
	s := &Server{tok: tokenizer.NewByte()}
	w := &weights{config: TinyConfig()}
	tests := []struct {
		name string
		text string
		stop bool // a stop token follows the text
	}{
		{"ASCII gives one byte per piece", "hello", false},
		{"a two-byte character is held until complete", "héllo", false},
		{"a four-byte character at the end is flushed", "ok 🙂", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vis, _ := s.tok.Encode(tc.text)
			toks := vis
			if tc.stop {
				toks = append(slices.Clone(vis), w.config.EOSTokenID)
			}
			c := s.newCollector(w, genParams{n: 1}, [][]int{{1}})
			var pieces []string
			for i, tok := range toks {
				ev := event{seq: 0, tok: tok}
				if i == len(toks)-1 {
					ev.finish = map[bool]string{true: "stop", false: "length"}[tc.stop]
				}
				c.add([]event{ev})
				if p, ok := c.piece(&c.choices[0]); ok {
					pieces = append(pieces, p)
				}
			}
			if got := strings.Join(pieces, ""); got != tc.text {
				t.Errorf("pieces %q join to %q, want %q", pieces, got, tc.text)
			}
			if want := utf8.RuneCountInString(tc.text); len(pieces) != want {
				t.Errorf("%d pieces, want one per character (%d)", len(pieces), want)
			}
			for i, p := range pieces {
				if !utf8.ValidString(p) || p == "" {
					t.Errorf("piece %d %q is empty or not valid UTF-8", i, p)
				}
			}
		})
	}
}

// FuzzCompletionsBody sends arbitrary bodies to /v1/completions: the answer is always JSON with
// status 200, 400 or 413, never a panic.
func FuzzCompletionsBody(f *testing.F) {
	for _, seed := range []string{
		`{"prompt": "a", "max_tokens": 2}`,
		`{"prompt": [[1, 2], [3]], "n": 2, "max_tokens": 1, "logprobs": 0, "return_token_ids": true}`,
		`{"prompt": ["x", "y"], "stop": "z", "max_tokens": 2, "stream": true}`,
		`{"prompt": [], "max_tokens": 1}`, `{"prompt": [[]]}`, `{"prompt": [-1]}`, `{"stop": 3}`,
		`{"prompt": "a", "max_tokens": 0}`, `[]`, `null`, `{"prompt": "a"} {}`, `{"prompt": {"a": 1}}`,
	} {
		f.Add(seed)
	}
	s, err := New(Config{Model: BuiltinTiny, MaxTokens: 4})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(s.Close)
	h := s.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/completions", strings.NewReader(body)))
		switch rec.Code {
		case 200, 400, 413:
		default:
			t.Fatalf("body %q: HTTP %d: %s", body, rec.Code, rec.Body)
		}
		if rec.Header().Get("Content-Type") == "application/json" && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("body %q: answer is not JSON: %s", body, rec.Body)
		}
	})
}
