package openai

import (
	"encoding/json"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeShutsDownGracefullyOnSIGINT runs the real `ascent serve` binary, sends SIGINT while a
// request is being served, and checks that the request still completes and the process exits 0.
func TestServeShutsDownGracefullyOnSIGINT(t *testing.T) {
	url, cmd := subprocess(t, "--model", "builtin:tiny")
	root := strings.TrimSuffix(url, "/v1")
	type answer struct {
		code int
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		resp, err := http.Post(url+"/completions", "application/json",
			strings.NewReader(`{"prompt": "long", "max_tokens": 400, "n": 8, "ignore_eos": true}`))
		if err != nil {
			got <- answer{err: err}
			return
		}
		resp.Body.Close()
		got <- answer{code: resp.StatusCode}
	}()
	for deadline := time.Now().Add(10 * time.Second); ; { // until the server has accepted it
		var m struct {
			Requests int `json:"requests"`
		}
		if resp, err := http.Get(root + "/metrics"); err == nil {
			json.NewDecoder(resp.Body).Decode(&m)
			resp.Body.Close()
		}
		if m.Requests > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the request never reached the server")
		}
		time.Sleep(time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	a := <-got
	if a.err != nil || a.code != 200 {
		t.Errorf("request in flight during shutdown: HTTP %d, %v; want 200", a.code, a.err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("ascent serve exited with %v after SIGINT, want status 0", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("ascent serve still running 20 s after SIGINT")
	}
}
