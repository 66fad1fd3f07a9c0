package dash

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/track"
	"github.com/ascent-rl/ascent/track/tracktest"
)

// serve starts the dashboard on a real loopback listener and returns its base URL.
func serve(t *testing.T, root string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- ListenAndServe(ctx, root, "127.0.0.1:0", func(u string) { urls <- u }, WithPoll(50*time.Millisecond))
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	select {
	case u := <-urls:
		return u
	case err := <-done:
		t.Fatalf("server did not start: %v", err)
	}
	return ""
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestPagesRenderFromRunDirectories(t *testing.T) {
	root := t.TempDir()
	tracktest.WriteRun(t, root, "alpha", 30, true)
	tracktest.WriteRun(t, root, "beta", 12, true)
	base := serve(t, root)
	tests := []struct {
		name, path string
		code       int
		want       []string
	}{
		{"the run list shows every run", "/", 200, []string{"/run/alpha", "/run/beta", "completed", "Compare selected"}},
		{"the run view has charts and the law fit", "/run/alpha", 200, []string{`id="chart_reward"`, `id="chart_entropy"`, "chart_entropy_law", "predicted ceiling", "echarts.init", `data-keys="[`, "eval_after", "/static/echarts.min.js"}},
		{"the samples browser shows the latest step by default", "/run/alpha/samples", 200, []string{"What is 30 &#43; 0?", "correct", "4 of 4 samples"}},
		{"the samples search looks across all steps", "/run/alpha/samples?q=what+is+25", 200, []string{"What is 25 &#43; 3?", "4 of 24 samples"}},
		{"a search with no hit says so", "/run/alpha/samples?step=all&q=zzzz", 200, []string{"0 of 24 samples"}},
		{"the comparison overlays runs", "/compare?run=alpha&run=beta", 200, []string{`id="cmp_critic_score_mean"`, `"name":"alpha"`, `"name":"beta"`}},
		{"an unknown run is a 404 naming the known runs", "/run/gamma", 404, []string{`unknown run "gamma"`, "alpha, beta"}},
		{"a malformed run id is a 400", "/api/runs/..%2Fetc", 400, []string{"invalid run id"}},
		{"a bad samples step is a 400", "/run/alpha/samples?step=x", 400, []string{`step="x"`}},
		{"a step without samples is a 400", "/run/alpha/samples?step=7", 400, []string{"no samples for step 7"}},
		{"echarts is served from the binary", "/static/echarts.min.js", 200, []string{"Apache"}},
		{"the API lists runs as JSON", "/api/runs", 200, []string{`"id":"alpha"`, `"shown_status":"completed"`}},
		{"the API exports a run with its metrics", "/api/runs/beta", 200, []string{`"metrics": [`, `"actor/entropy"`, `"entropy_fit"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := get(t, base+tt.path)
			if code != tt.code {
				t.Fatalf("GET %s = %d, want %d: %.300s", tt.path, code, tt.code, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s lacks %q", tt.path, w)
				}
			}
			if strings.HasPrefix(tt.path, "/static/") {
				return
			}
			for _, cdn := range []string{"go-echarts.github.io", "cdn.", "unpkg", "jsdelivr"} {
				if strings.Contains(body, cdn) {
					t.Errorf("GET %s references %q: assets must come from the binary", tt.path, cdn)
				}
			}
		})
	}
}

func TestARunCopiedWithoutIndexOrRunJSONStillRenders(t *testing.T) {
	src := t.TempDir()
	tracktest.WriteRun(t, src, "copied", 20, true)
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "copied"), os.DirFS(filepath.Join(src, "copied"))); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(root, "copied", track.FileInfo))
	base := serve(t, root)
	if code, body := get(t, base+"/run/copied"); code != 200 || !strings.Contains(body, "chart_entropy_law") {
		t.Fatalf("GET /run/copied = %d: %.300s", code, body)
	}
	if code, body := get(t, base+"/"); code != 200 || !strings.Contains(body, "/run/copied") {
		t.Fatalf("GET / = %d", code)
	}
}

// sseEvent is one parsed server-sent event.
type sseEvent struct{ Name, Data, ID string }

// readEvents parses an SSE stream onto a channel until it ends.
func readEvents(body io.Reader) <-chan sseEvent {
	ch := make(chan sseEvent, 64)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Name != "" {
					ch <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.Name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.Data = line[6:]
			case strings.HasPrefix(line, "id: "):
				ev.ID = line[4:]
			}
		}
	}()
	return ch
}

// next waits for the next event named name.
func next(t *testing.T, ch <-chan sseEvent, name string) sseEvent {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("stream ended waiting for %q", name)
			}
			if ev.Name == name {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %q event within 10s", name)
		}
	}
}

func TestSSEStreamsANewMetricsLineAppendedToALiveRun(t *testing.T) {
	root := t.TempDir()
	run := tracktest.WriteRun(t, root, "live", 10, false)
	st, err := os.Stat(filepath.Join(root, "live", track.FileMetrics))
	if err != nil {
		t.Fatal(err)
	}
	base := serve(t, root)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/runs/live/events?offset="+itoa(st.Size()), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	events := readEvents(resp.Body)
	if ev := next(t, events, "status"); ev.Data != `"running"` {
		t.Fatalf("first status %s, want running", ev.Data)
	}

	// A line being written (no newline yet) must not be sent; once complete it is.
	if err := run.Log(11, map[string]float64{track.MetricEntropy: 0.75, track.MetricScoreMean: 0.5}); err != nil {
		t.Fatal(err)
	}
	ev := next(t, events, "metrics")
	var row map[string]any
	if err := json.Unmarshal([]byte(ev.Data), &row); err != nil {
		t.Fatalf("metrics data %q: %v", ev.Data, err)
	}
	if row["step"] != 11.0 || row[track.MetricEntropy] != 0.75 {
		t.Fatalf("streamed row %v, want step 11 with entropy 0.75", row)
	}
	st2, _ := os.Stat(filepath.Join(root, "live", track.FileMetrics))
	if ev.ID != itoa(st2.Size()) {
		t.Fatalf("event id %s, want the file size %d", ev.ID, st2.Size())
	}
	if err := run.Finish(track.StatusCompleted); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, events, "status"); ev.Data != `"completed"` {
		t.Fatalf("status after Finish %s", ev.Data)
	}
}

func TestSSEDoesNotSendAHalfWrittenLine(t *testing.T) {
	root := t.TempDir()
	tracktest.WriteRun(t, root, "r", 3, true)
	mp := filepath.Join(root, "r", track.FileMetrics)
	st, _ := os.Stat(mp)
	base := serve(t, root)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/runs/r/events?offset="+itoa(st.Size()), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := readEvents(resp.Body)
	next(t, events, "status")
	f, _ := os.OpenFile(mp, os.O_APPEND|os.O_WRONLY, 0)
	defer f.Close()
	f.WriteString(`{"step":4,"actor/entropy":`)
	time.Sleep(300 * time.Millisecond) // several polls see the partial line
	f.WriteString("0.5}\n")
	ev := next(t, events, "metrics")
	if ev.Data != `{"step":4,"actor/entropy":0.5}` {
		t.Fatalf("streamed %q, want the whole line once complete", ev.Data)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:8080", true}, {"localhost:80", true}, {"[::1]:8080", true},
		{"0.0.0.0:8080", false}, {":8080", false}, {"10.0.0.2:1", false}, {"nonsense", false},
	}
	for _, tt := range tests {
		if got := IsLoopback(tt.addr); got != tt.want {
			t.Errorf("IsLoopback(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}
