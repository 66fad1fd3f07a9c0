package dash

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ascent-rl/ascent/track"
	"github.com/ascent-rl/ascent/track/tracktest"
)

// The end-to-end test drives a real headless Chromium over the DevTools protocol against the
// dashboard serving generated runs. `make test` installs Debian's chromium (scripts/system-packages.txt); without a
// browser the test fails unless ASCENT_SKIP_BROWSER=1.

// browser is a headless Chromium and a DevTools connection to its one page.
type browser struct {
	cmd  *exec.Cmd
	conn *websocket.Conn
	id   int
}

var devtoolsRe = regexp.MustCompile(`DevTools listening on (ws://\S+)`)

// startBrowser launches Chromium and attaches to its page target.
func startBrowser(t *testing.T, ctx context.Context) *browser {
	t.Helper()
	if os.Getenv("ASCENT_SKIP_BROWSER") == "1" {
		t.Skip("ASCENT_SKIP_BROWSER=1")
	}
	var bin string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Fatal("no chromium on PATH: install it with `make deps` (scripts/system-packages.txt) or set ASCENT_SKIP_BROWSER=1")
	}
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
		"--user-data-dir="+t.TempDir(), "--remote-debugging-port=0", "--window-size=1400,1800", "about:blank")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // so its helper processes end with it
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	b := &browser{cmd: cmd}
	t.Cleanup(b.close)
	wsURL := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := devtoolsRe.FindStringSubmatch(sc.Text()); m != nil {
				wsURL <- m[1]
			}
		}
	}()
	var browserWS string
	select {
	case browserWS = <-wsURL:
	case <-time.After(20 * time.Second):
		t.Fatal("chromium did not print its DevTools address within 20s")
	}
	// The page target's socket: http://host:port/json/list.
	hostPort := strings.TrimPrefix(browserWS, "ws://")
	hostPort = hostPort[:strings.IndexByte(hostPort, '/')]
	var targets []struct {
		Type  string `json:"type"`
		WSURL string `json:"webSocketDebuggerUrl"`
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := http.Get("http://" + hostPort + "/json/list")
		if err == nil {
			json.NewDecoder(resp.Body).Decode(&targets)
			resp.Body.Close()
		}
		if len(targets) > 0 && targets[0].Type == "page" || time.Now().After(deadline) {
			break
		}
		targets = nil
		time.Sleep(100 * time.Millisecond)
	}
	var pageWS string
	for _, tg := range targets {
		if tg.Type == "page" {
			pageWS = tg.WSURL
		}
	}
	if pageWS == "" {
		t.Fatalf("no page target in %+v", targets)
	}
	conn, _, err := websocket.Dial(ctx, pageWS, nil)
	if err != nil {
		t.Fatalf("dial devtools %s: %v", pageWS, err)
	}
	conn.SetReadLimit(64 << 20) // screenshots
	b.conn = conn
	return b
}

// close ends the browser process group that this test started.
func (b *browser) close() {
	if b.conn != nil {
		b.conn.Close(websocket.StatusNormalClosure, "")
	}
	if b.cmd.Process != nil {
		syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
		b.cmd.Wait()
	}
}

// call sends a DevTools command and waits for its result, skipping events.
func (b *browser) call(ctx context.Context, method string, params any, result any) error {
	b.id++
	msg, _ := json.Marshal(map[string]any{"id": b.id, "method": method, "params": params})
	if err := b.conn.Write(ctx, websocket.MessageText, msg); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	for {
		_, data, err := b.conn.Read(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		var resp struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(data, &resp); err != nil || resp.ID != b.id {
			continue
		}
		if resp.Error != nil {
			return fmt.Errorf("%s: %s", method, resp.Error.Message)
		}
		if result != nil {
			return json.Unmarshal(resp.Result, result)
		}
		return nil
	}
}

// eval evaluates a JS expression returning a JSON string and decodes it into out.
func (b *browser) eval(ctx context.Context, expr string, out any) error {
	var r struct {
		Result struct {
			Value any `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	if err := b.call(ctx, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &r); err != nil {
		return err
	}
	if r.Exception != nil {
		return fmt.Errorf("evaluate %q: %s", expr, r.Exception.Text)
	}
	s, ok := r.Result.Value.(string)
	if !ok {
		return fmt.Errorf("evaluate %q: got %v, want a JSON string", expr, r.Result.Value)
	}
	return json.Unmarshal([]byte(s), out)
}

// pageState is what the dashboard's app.js exposes plus DOM facts.
type pageState struct {
	Ready    bool   `json:"ready"`
	Charts   int    `json:"charts"`
	Points   int    `json:"points"`
	LastStep int    `json:"lastStep"`
	Events   int    `json:"events"`
	Status   string `json:"status"`
	Canvases int    `json:"canvases"`
	StepText string `json:"stepText"`
	Hits     string `json:"hits"`
}

const stateJS = `JSON.stringify(Object.assign({}, window.ascentState || {}, {
	canvases: document.querySelectorAll("canvas").length,
	stepText: (document.getElementById("laststep") || {}).textContent || "",
	hits: (document.getElementById("hits") || {dataset: {}}).dataset.hits || ""}))`

// waitFor polls the page state until ok accepts it.
func (b *browser) waitFor(ctx context.Context, t *testing.T, what string, ok func(pageState) bool) pageState {
	t.Helper()
	var st pageState
	deadline := time.Now().Add(10 * time.Second)
	for {
		st = pageState{}
		err := b.eval(ctx, stateJS, &st)
		if err == nil && ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: last state %+v (err %v)", what, st, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (b *browser) navigate(ctx context.Context, t *testing.T, url string) {
	t.Helper()
	if err := b.call(ctx, "Page.navigate", map[string]any{"url": url}, nil); err != nil {
		t.Fatal(err)
	}
}

func (b *browser) screenshot(ctx context.Context, t *testing.T, path string) {
	t.Helper()
	var shot struct {
		Data string `json:"data"`
	}
	if err := b.call(ctx, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot); err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil || img.Bounds().Dx() < 500 {
		t.Fatalf("screenshot is not a usable PNG: %v", err)
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

func TestBrowserRendersChartsAndUpdatesThemLive(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b := startBrowser(t, ctx)

	root := t.TempDir()
	tracktest.WriteRun(t, root, "done", 30, true)
	live := tracktest.WriteRun(t, root, "live", 10, false)
	defer live.Finish(track.StatusCompleted)
	base := serve(t, root)
	shots := t.TempDir()

	// A live run: charts render with data, then a new metrics line shows up without a reload.
	b.navigate(ctx, t, base+"/run/live")
	st := b.waitFor(ctx, t, "charts of the live run", func(s pageState) bool {
		return s.Ready && s.Charts >= 10 && s.Points > 0 && s.Canvases >= s.Charts && s.Status == track.StatusRunning
	})
	before := st.Points
	if err := live.Log(11, tracktest.Metrics(11)); err != nil {
		t.Fatal(err)
	}
	st = b.waitFor(ctx, t, "step 11 to arrive over SSE", func(s pageState) bool { return s.LastStep == 11 })
	if st.Points <= before || st.StepText != "step 11" || st.Events != 1 {
		t.Fatalf("after a live line: %+v (points before %d)", st, before)
	}
	b.screenshot(ctx, t, filepath.Join(shots, "live.png"))

	// A finished run: every chart with data plus the entropy-law chart.
	b.navigate(ctx, t, base+"/run/done")
	st = b.waitFor(ctx, t, "charts of the finished run", func(s pageState) bool {
		return s.Ready && s.Charts >= 10 && s.Points > 0 && s.Status == track.StatusCompleted
	})
	var law struct {
		Series int `json:"series"`
		Points int `json:"points"`
	}
	lawJS := `JSON.stringify((function(){var i=echarts.getInstanceByDom(document.getElementById("chart_entropy_law"));
		var s=i.getOption().series; return {series:s.length, points:s.reduce(function(n,x){return n+x.data.length},0)};})())`
	if err := b.eval(ctx, lawJS, &law); err != nil || law.Series != 3 || law.Points < 10 {
		t.Fatalf("entropy law chart: %+v (%v), want observed, fit and ceiling series", law, err)
	}
	b.screenshot(ctx, t, filepath.Join(shots, "done.png"))

	// The run list loads its script (which polls /api/runs for statuses).
	b.navigate(ctx, t, base+"/")
	b.waitFor(ctx, t, "the run list", func(s pageState) bool { return s.Ready })

	// The comparison overlays both runs; the samples browser finds a prompt.
	b.navigate(ctx, t, base+"/compare?run=done&run=live")
	b.waitFor(ctx, t, "comparison charts", func(s pageState) bool { return s.Ready && s.Charts >= 5 && s.Points > 0 })
	b.navigate(ctx, t, base+"/run/done/samples?q=What+is+25")
	b.waitFor(ctx, t, "sample search hits", func(s pageState) bool { return s.Ready && s.Hits == "4" })
}
