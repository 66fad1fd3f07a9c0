package agenttest

import (
	"context"
	"net"
	"testing"

	"github.com/ascent-rl/ascent/serve"
)

// ServeTiny starts a real `ascent serve` of the built-in tiny model (serve.BuiltinTiny) on
// loopback for the test and returns its OpenAI base URL; the server stops, and an error it ended
// with fails the test, at cleanup. The model's replies are nonsense: workflows over it must count
// every reply they cannot use and still finish.
func ServeTiny(t testing.TB) string {
	t.Helper()
	s, err := serve.New(serve.Config{Model: serve.BuiltinTiny})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ascent serve: %v", err)
		}
	})
	return "http://" + l.Addr().String() + "/v1"
}
