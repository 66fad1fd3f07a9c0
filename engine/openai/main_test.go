package openai

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/serve"
)

// ascentBin is the `ascent` binary TestMain builds for the subprocess tests.
var ascentBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ascent-openai-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ascentBin = filepath.Join(dir, "ascent")
	build := exec.Command("go", "build", "-o", ascentBin, "github.com/ascent-rl/ascent/cmd/ascent")
	build.Env = append(os.Environ(), "GOEXPERIMENT=simd")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build ascent: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// inProcess runs a serve.Server on a loopback listener and returns its OpenAI base URL and a
// function that kills it at once (listener and open connections closed, like a crashed server).
func inProcess(t *testing.T, cfg serve.Config) (string, func()) {
	t.Helper()
	if cfg.Model == "" {
		cfg.Model = serve.BuiltinTiny
	}
	s, err := serve.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: s.Handler()}
	go hs.Serve(l)
	kill := func() { hs.Close() }
	t.Cleanup(func() { kill(); s.Close() })
	return "http://" + l.Addr().String() + "/v1", kill
}

// subprocess starts `ascent serve` with args on a free loopback port, waits until /health answers,
// and returns the base URL and the process (killed when the test ends).
func subprocess(t *testing.T, args ...string) (string, *exec.Cmd) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(ascentBin, append([]string{"serve", "--addr", addr}, args...)...)
	var log lockedBuffer
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("ascent serve %s log:\n%s", addr, log.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("ascent serve on %s not healthy after 30 s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "http://" + addr + "/v1", cmd
}

// lockedBuffer is an io.Writer safe for the process's output copier and the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// saveTiny writes a builtin:tiny-shaped checkpoint with weights from seed.
func saveTiny(t *testing.T, seed uint64) string {
	t.Helper()
	dir := t.TempDir()
	if err := model.NewRandom(serve.TinyConfig(), seed).Save(dir, "float32"); err != nil {
		t.Fatal(err)
	}
	return dir
}

// slowServer is a real HTTP server on loopback whose completions never answer before the client
// gives up (a stuck endpoint); other paths 404.
func slowServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/completions") {
			select {
			case <-r.Context().Done():
			case <-time.After(30 * time.Second):
			}
			return
		}
		http.NotFound(w, r)
	})}
	go hs.Serve(l)
	t.Cleanup(func() { hs.Close() })
	return "http://" + l.Addr().String() + "/v1"
}

// ctx returns a context that ends with the test or after 60 s.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}
