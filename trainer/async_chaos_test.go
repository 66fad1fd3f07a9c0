package trainer

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/engine/openai"
	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/model/tokenizer"
	"github.com/ascent-rl/ascent/serve"
	"github.com/ascent-rl/ascent/track"
)

// fleetServer is an `ascent serve` on loopback that the test can kill like a crashed process
// (listener and open connections closed at once), optionally the moment a completion request
// arrives once armed, before that request is answered.
type fleetServer struct {
	url   string
	hs    *http.Server
	armed atomic.Bool
	once  sync.Once
	dead  chan struct{}
}

func startFleetServer(t *testing.T, initDir string) *fleetServer {
	t.Helper()
	srv, err := serve.New(serve.Config{Model: initDir, ServedModelName: "policy"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fleetServer{url: "http://" + l.Addr().String() + "/v1", dead: make(chan struct{})}
	h := srv.Handler()
	f.hs = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.armed.Load() && strings.HasSuffix(r.URL.Path, "/completions") {
			// The request is in flight when the server dies: its connection is closed before any
			// byte of the reply is written. (Killing from another goroutine while serving raced
			// with a fast reply that reached the client first, and then nothing failed.)
			f.kill()
			return
		}
		h.ServeHTTP(w, r)
	})}
	go f.hs.Serve(l)
	t.Cleanup(func() { f.kill(); srv.Close() })
	return f
}

func (f *fleetServer) kill() {
	f.once.Do(func() {
		f.hs.Close()
		close(f.dead)
	})
}

// Chaos: one of two rollout servers dies mid-run with a request in flight. The run goes on with
// the other: the request is retried there with the same seed, and since both servers hold the
// same weights every step trains on exactly the rollouts of a run where nothing died — nothing in
// the buffer is lost or counted twice.
func TestAsyncRunSurvivesARolloutServerKilledMidRun(t *testing.T) {
	tok := tokenizer.NewTaskChar()
	mc := model.TinyConfig()
	mc.VocabSize = tok.VocabSize()
	initDir := t.TempDir()
	if err := model.NewRandom(mc, 99).Save(initDir, "float32"); err != nil {
		t.Fatal(err)
	}
	if err := tokenizer.WriteBuiltinFile(initDir, tok); err != nil {
		t.Fatal(err)
	}
	run := func(name string, chaos bool) (string, map[string]float64) {
		a, b := startFleetServer(t, initDir), startFleetServer(t, initDir)
		cfg := smallConfig(t, "grpo", "run.steps=5", "sft.steps=4", "async.max_staleness=1",
			"rollout.endpoints=["+a.url+","+b.url+"]", "rollout.model=policy")
		cfg.Run.Name = name
		var eng *openai.Engine
		dial := func(endpoints []string, model, apiKey string) (Remote, error) {
			e, err := openai.New(openai.Config{Endpoints: endpoints, Model: model, APIKey: apiKey, PromptsPerRequest: 1,
				MaxConcurrency: 2, Backoff: 10 * time.Millisecond, SyncTimeout: 5 * time.Second})
			eng = e
			return e, err
		}
		tr, err := open(cfg, "", io.Discard, learnerFunc(local.NewLearner), dial)
		if err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		defer close(stop)
		if chaos {
			go func() { // arm the victim once step 2 is logged
				for {
					select {
					case <-stop:
						return
					default:
					}
					if log, err := os.ReadFile(filepath.Join(tr.runDir, "metrics.jsonl")); err == nil && strings.Count(string(log), "\n") >= 2 {
						b.armed.Store(true)
						return
					}
					time.Sleep(5 * time.Millisecond)
				}
			}()
		}
		sum, err := tr.loop(context.Background())
		tr.run.Finish(track.StatusCompleted)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if chaos {
			select {
			case <-b.dead:
			default:
				t.Fatal("the victim was never killed: the test proves nothing")
			}
		}
		return sum.RunDir, eng.Metrics()
	}
	refDir, _ := run("calm", false)
	chaosDir, m := run("chaos", true)
	if m["remote/failures"] == 0 || m["remote/retries"] == 0 || m["remote/sync_failures"] == 0 {
		t.Errorf("remote metrics %v: want the killed server's in-flight request failed and retried, and its syncs failed", pick(m, "remote/"))
	}
	want, got := readMetrics(t, refDir), readMetrics(t, chaosDir)
	if len(got) != 5 || len(want) != 5 {
		t.Fatalf("%d and %d steps logged, want 5", len(got), len(want))
	}
	for i := range want {
		g := deterministic(got[i])
		for k, v := range deterministic(want[i]) {
			if strings.HasPrefix(k, "remote/") || k == "update_weights/bytes" {
				continue
			}
			if g[k] != v {
				t.Errorf("step %d: %s = %v after the kill, %v in the calm run", i+1, k, g[k], v)
			}
		}
	}
}
