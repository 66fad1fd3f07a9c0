package env

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// crashCatalog serves simulators that panic on their crashAt-th step of episodes with task 1.
type crashCatalog struct{ crashAt int }

func (c crashCatalog) Suites(ctx context.Context) ([]SuiteInfo, error) { return SimSuites(), nil }
func (c crashCatalog) NewEnv(context.Context) (Env, error) {
	return &crashEnv{Sim: NewSim(), at: c.crashAt}, nil
}

type crashEnv struct {
	*Sim
	at, n int
}

func (e *crashEnv) Step(ctx context.Context, chunk [][]float32, opt StepOptions) (*StepResult, error) {
	e.n++
	if e.ep.Task == 1 && e.n == e.at {
		panic("physics exploded")
	}
	return e.Sim.Step(ctx, chunk, opt)
}

func serve(t *testing.T, cat Catalog) (*httptest.Server, *Client) {
	srv := NewServer(cat)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })
	c := NewClient(ts.URL)
	c.HTTP.Timeout = 10 * time.Second
	return ts, c
}

func reset(t *testing.T, c *Client, ep Episode) *RemoteEnv {
	t.Helper()
	e, _ := c.NewEnv(context.Background())
	if _, err := e.Reset(context.Background(), ep); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e.(*RemoteEnv)
}

var idleChunk = [][]float32{{0, 0, 0, -1}, {0, 0, 0, -1}}

func TestServerChecksChunksAndFields(t *testing.T) {
	ts, c := serve(t, SimCatalog{})
	e := reset(t, c, Episode{Suite: "pick", Task: 1, Trial: 2})
	post := func(body string) (int, string) {
		resp, err := http.Post(ts.URL+PathBatchStep, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	cases := []struct {
		name, body string
		code       int
		want       []string
	}{
		{"a short row is an item error naming env and step", `{"items":[{"env_id":"` + e.ID() + `","actions":[[0,0]]}]}`,
			200, []string{"sim:pick/1/2", "step 0", "row 0 has 2 dims, want 4"}},
		{"an unknown env id is an item error", `{"items":[{"env_id":"nope","actions":[[0,0,0,0]]}]}`, 200, []string{"env nope: unknown env_id"}},
		{"a duplicate env id is an item error", `{"items":[{"env_id":"` + e.ID() + `","actions":[[0,0,0,0]]},{"env_id":"` + e.ID() + `","actions":[[0,0,0,0]]}]}`,
			200, []string{"appears twice"}},
		{"an unknown field is a 400 naming it", `{"items":[],"record_frame":true}`, 400, []string{"unknown field", "record_frame"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := post(tc.body)
			if code != tc.code {
				t.Fatalf("status %d: %s", code, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("answer %s lacks %q", body, w)
				}
			}
		})
	}
}

func TestARemoteEnvThatDiesIsAnErrorForThatEnvOnly(t *testing.T) {
	_, c := serve(t, crashCatalog{crashAt: 2})
	var envs []Env
	for task := 0; task < 3; task++ {
		envs = append(envs, reset(t, c, Episode{Suite: "pick", Task: task, Trial: 7}))
	}
	chunks := [][][]float32{idleChunk, idleChunk, idleChunk}
	for n := 0; n < 3; n++ {
		_, errs := StepAll(context.Background(), envs, chunks, StepOptions{})
		for i, err := range errs {
			dead := i == 1 && n >= 1
			if dead != (err != nil) {
				t.Fatalf("decision %d env %d: error %v", n, i, err)
			}
			if dead && (!strings.Contains(err.Error(), "simulator crashed: physics exploded") || !strings.Contains(err.Error(), "pick/1/7")) {
				t.Fatalf("error %v", err)
			}
		}
	}
	var st StateResponse
	if err := c.call(context.Background(), http.MethodGet, PathEnvs+"/"+envs[1].(*RemoteEnv).ID()+"/state", nil, &st); err != nil || st.Active {
		t.Fatalf("state of the crashed env: %+v, %v", st, err)
	}
	// The same crash inside RunEpisodes is counted as an error and the other episodes go on.
	eps := []Episode{{Suite: "pick", Task: 0, Trial: 1}, {Suite: "pick", Task: 1, Trial: 1}, {Suite: "pick", Task: 2, Trial: 1}}
	rs, sum, err := RunEpisodes(context.Background(), c, RandomPolicy{}, eps, RunOptions{Parallel: 3})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Errors != 1 || rs[1].Err == "" || rs[0].Err != "" || rs[0].FinishStep != 160 {
		t.Fatalf("summary %+v results %+v", sum, rs)
	}
}

func TestAClosedOrVanishedEnvIsReported(t *testing.T) {
	ts, c := serve(t, SimCatalog{})
	e := reset(t, c, Episode{Suite: "push", Task: 0, Trial: 3})
	other := reset(t, c, Episode{Suite: "push", Task: 0, Trial: 3})
	if err := c.call(context.Background(), http.MethodDelete, PathEnvs+"/"+e.ID(), nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Step(context.Background(), idleChunk, StepOptions{}); err == nil || !strings.Contains(err.Error(), "unknown env_id") {
		t.Fatalf("stepping a deleted env: %v", err)
	}
	ts.Close()
	if _, err := other.Step(context.Background(), idleChunk, StepOptions{}); err == nil || !strings.Contains(err.Error(), "step 0") {
		t.Fatalf("stepping after the server went away: %v", err)
	}
	if _, err := other.Step(context.Background(), idleChunk, StepOptions{}); err == nil {
		t.Fatal("a dead env stepped again without error")
	}
}

func TestCreateRetriesServerErrorsButNotBadInput(t *testing.T) {
	srv := NewServer(SimCatalog{})
	defer srv.Close()
	var calls, fail atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == PathEnvs && r.Method == http.MethodPost {
			calls.Add(1)
			if fail.Add(-1) >= 0 {
				writeErr(w, http.StatusServiceUnavailable, errString("warming up"))
				return
			}
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	defer ts.Close()
	c := NewClient(ts.URL)
	c.RetryBackoff = time.Millisecond
	cases := []struct {
		name      string
		failures  int32
		ep        Episode
		wantCalls int32
		wantErr   string
	}{
		{"two 503s then success", 2, Episode{Suite: "pick"}, 3, ""},
		{"more 503s than retries", 9, Episode{Suite: "pick"}, 4, "after 4 attempts"},
		{"a 400 is not retried", 0, Episode{Suite: "nope"}, 1, "unknown suite"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls.Store(0)
			fail.Store(tc.failures)
			e, _ := c.NewEnv(context.Background())
			defer e.Close()
			_, err := e.Reset(context.Background(), tc.ep)
			if calls.Load() != tc.wantCalls {
				t.Errorf("%d create calls, want %d", calls.Load(), tc.wantCalls)
			}
			if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("error %v, want %q", err, tc.wantErr)
			}
		})
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func TestHealthAndImageRoundTrip(t *testing.T) {
	_, c := serve(t, SimCatalog{})
	reset(t, c, Episode{Suite: "long"})
	h, err := c.Health(context.Background())
	if err != nil || h.Status != "ok" || h.Envs != 1 {
		t.Fatalf("health %+v %v", h, err)
	}
	s := NewSim()
	obs, _ := s.Reset(context.Background(), Episode{Suite: "long", Task: 2, Trial: 5})
	wi := EncodeImage(obs.Image)
	b, _ := json.Marshal(wi)
	var back WireImage
	json.Unmarshal(b, &back)
	img, err := DecodeImage(back)
	if err != nil || !bytes.Equal(img.Pix, obs.Image.Pix) {
		t.Fatalf("raw image round trip: %v", err)
	}
	var pb bytes.Buffer
	png.Encode(&pb, obs.Image)
	img, err = DecodeImage(WireImage{Height: 64, Width: 64, Channels: 3, Encoding: "png", Data: pb.Bytes()})
	if err != nil || !bytes.Equal(img.Pix, obs.Image.Pix) {
		t.Fatalf("png image round trip: %v", err)
	}
}

func TestLoopbackOnly(t *testing.T) {
	for addr, ok := range map[string]bool{"127.0.0.1:8765": true, "localhost:1": true, "[::1]:80": true,
		"0.0.0.0:8765": false, ":8765": false, "10.0.0.2:80": false} {
		if got := LoopbackOnly(addr) == nil; got != ok {
			t.Errorf("LoopbackOnly(%q) ok=%v, want %v", addr, got, ok)
		}
	}
}

// shortChunkCatalog declares chunks of 2 rows for every suite.
type shortChunkCatalog struct{ SimCatalog }

func (shortChunkCatalog) Suites(ctx context.Context) ([]SuiteInfo, error) {
	ss := SimSuites()
	for i := range ss {
		ss[i].ChunkLen = 2
	}
	return ss, nil
}

func TestTheClientTakesChunkShapesFromTheServersSuites(t *testing.T) {
	_, c := serve(t, shortChunkCatalog{})
	e := reset(t, c, Episode{Suite: "pick"})
	if k, d := e.Shape(); k != 2 || d != 4 {
		t.Fatalf("shape %d×%d, want 2×4", k, d)
	}
	cs, _ := RandomPolicy{}.Act(context.Background(), []Decision{{Env: e}})
	if len(cs[0]) != 2 {
		t.Fatalf("the random policy made %d rows for a 2-row env", len(cs[0]))
	}
	if _, err := e.Step(context.Background(), [][]float32{{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}}, StepOptions{}); err == nil || !strings.Contains(err.Error(), "want 1..2") {
		t.Fatalf("a 3-row chunk: %v", err)
	}
}

func TestDecodeImageRefusesBadShapes(t *testing.T) {
	cases := []struct {
		name string
		wi   WireImage
		want string
	}{
		{"a short raw payload", WireImage{Height: 2, Width: 2, Channels: 3, Encoding: "raw", Data: []byte{1}}, "with 1 bytes"},
		{"a huge side", WireImage{Height: 1 << 40, Width: 1 << 40, Channels: 3, Encoding: "raw"}, "want sides in 1..8192"},
		{"four channels", WireImage{Height: 1, Width: 1, Channels: 4, Encoding: "raw", Data: []byte{1, 2, 3, 4}}, "channels 3"},
		{"an unknown encoding", WireImage{Height: 1, Width: 1, Channels: 3, Encoding: "jpeg"}, `encoding "jpeg"`},
		{"a broken png", WireImage{Height: 1, Width: 1, Channels: 3, Encoding: "png", Data: []byte("nope")}, "png"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := DecodeImage(c.wi); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

func TestIdleEnvsAreSweptAtCreate(t *testing.T) {
	srv := NewServer(SimCatalog{})
	srv.IdleTimeout = 50 * time.Millisecond
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	c := NewClient(ts.URL)
	old := reset(t, c, Episode{Suite: "pick"})
	time.Sleep(120 * time.Millisecond)
	reset(t, c, Episode{Suite: "pick", Trial: 1})
	if n := srv.Len(); n != 1 {
		t.Fatalf("%d envs live after the sweep, want 1", n)
	}
	if _, err := old.Step(context.Background(), idleChunk, StepOptions{}); err == nil || !strings.Contains(err.Error(), "unknown env_id") {
		t.Fatalf("stepping a swept env: %v", err)
	}
}

func TestADeadServerStopsARunAfterMaxErrors(t *testing.T) {
	ts, c := serve(t, SimCatalog{})
	c.CreateRetries, c.RetryBackoff = 1, time.Millisecond
	ts.Close()
	eps := make([]Episode, 200)
	for i := range eps {
		eps[i] = Episode{Suite: "pick", Trial: i}
	}
	rs, _, err := RunEpisodes(context.Background(), c, RandomPolicy{}, eps, RunOptions{Parallel: 4, MaxErrors: 5})
	if err == nil || !strings.Contains(err.Error(), "more than 5") || !strings.Contains(err.Error(), "create pick/0/") {
		t.Fatalf("error %v", err)
	}
	if rs[5].Err == "" || rs[6].Err != "" {
		t.Fatalf("the run went on past the error budget: %+v", rs[5:7])
	}
}
