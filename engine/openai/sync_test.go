package openai

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/serve"
)

// hangingSyncServer answers /get_model_info but never answers a weight update (a weight broadcast
// with no timeout, as the failure reports have it).
func hangingSyncServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/get_model_info"):
			json.NewEncoder(w).Encode(map[string]any{"model_path": "/nowhere"})
		case strings.HasSuffix(r.URL.Path, "/update_weights_from_disk"):
			select {
			case <-r.Context().Done():
			case <-time.After(30 * time.Second):
			}
		default:
			http.NotFound(w, r)
		}
	})}
	go hs.Serve(l)
	t.Cleanup(func() { hs.Close() })
	return "http://" + l.Addr().String() + "/v1"
}

// A weight sync that one server never answers ends at Config.SyncTimeout; the servers that loaded
// the weights go on sampling and the other is left out (it serves other weights). Only a sync that
// reaches no server fails.
func TestASyncPastItsDeadlineLeavesTheServerOutOfSampling(t *testing.T) {
	dir := saveTiny(t, 3)
	good, _ := inProcess(t, serve.Config{Model: dir, Tokenizer: "byte"})
	hang := hangingSyncServer(t)
	cases := []struct {
		name      string
		endpoints []string
		wantErr   string
	}{
		{"one of two servers hangs", []string{hang, good}, ""},
		{"the only server hangs", []string{hang}, "no server loaded"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := New(Config{Endpoints: c.endpoints, SyncTimeout: 300 * time.Millisecond, PromptsPerRequest: 1, Backoff: 5 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			m, err := e.SyncWeights(ctx(t), dir)
			if el := time.Since(start); el > 10*time.Second {
				t.Fatalf("the sync took %v with a 300 ms deadline", el)
			}
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), "no answer within 300ms") {
					t.Fatalf("error %v, want %q naming the deadline", err, c.wantErr)
				}
				if _, err := e.Sample(ctx(t), testPrompts, 1, engine.SamplingParams{MaxTokens: 2}); err == nil || !strings.Contains(err.Error(), "no endpoint holds the weights") {
					t.Fatalf("sampling after a sync that reached nobody: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m["remote/endpoints_in_sync"] != 1 || e.Metrics()["remote/sync_failures"] != 1 {
				t.Fatalf("metrics %v %v: want 1 server in sync and 1 sync failure", m, e.Metrics())
			}
			seqs, err := e.Sample(ctx(t), testPrompts, 2, engine.SamplingParams{Temperature: 1, MaxTokens: 4})
			if err != nil {
				t.Fatal(err)
			}
			checkSeqs(t, seqs, testPrompts, 2, 4)
			if f := e.Metrics()["remote/failures"]; f != 0 {
				t.Errorf("%v failed requests: the out-of-sync server was sampled from", f)
			}
		})
	}
}
