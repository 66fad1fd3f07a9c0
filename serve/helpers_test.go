package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/model/tokenizer"
)

// startServer runs a Server for cfg (builtin:tiny unless cfg.Model is set) on a real loopback
// listener and returns its root URL; the server shuts down when the test ends.
func startServer(t *testing.T, cfg Config) (string, *Server) {
	t.Helper()
	if cfg.Model == "" {
		cfg.Model = BuiltinTiny
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + l.Addr().String(), s
}

// call sends a request with a raw body and returns the status and the decoded JSON answer.
func call(t *testing.T, method, url, key, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v: %s", method, url, err, data)
	}
	return resp.StatusCode, m
}

// post marshals body and POSTs it, failing the test unless the answer is 200.
func post(t *testing.T, url string, body any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	code, m := call(t, http.MethodPost, url, "", string(b))
	if code != http.StatusOK {
		t.Fatalf("POST %s: HTTP %d: %v", url, code, m)
	}
	return m
}

// tokenIDs reads a JSON list of numbers.
func tokenIDs(t *testing.T, v any) []int {
	t.Helper()
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("token ids: expected a list, got %T %v", v, v)
	}
	out := make([]int, len(list))
	for i, x := range list {
		out[i] = int(x.(float64))
	}
	return out
}

// saveTiny writes a builtin:tiny-shaped checkpoint with weights from seed into a temp dir.
func saveTiny(t *testing.T, seed uint64) string {
	t.Helper()
	dir := t.TempDir()
	if err := model.NewRandom(TinyConfig(), seed).Save(dir, "float32"); err != nil {
		t.Fatalf("save checkpoint: %v", err)
	}
	return dir
}

// mustByte is the byte tokenizer builtin:tiny uses.
func mustByte() tokenizer.Tokenizer { return tokenizer.NewByte() }
