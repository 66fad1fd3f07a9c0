package hipho

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// scripted is an OpenAI-compatible chat server on loopback whose reply to a prompt is decided by
// reply (a status code other than 200 sends an error). It records the requests it served.
type scripted struct {
	srv      *httptest.Server
	requests atomic.Int64
	inFlight atomic.Int64
	maxIn    atomic.Int64
}

func newScripted(t *testing.T, delay time.Duration, reply func(n int64, prompt string) (int, string)) *scripted {
	t.Helper()
	s := &scripted{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.requests.Add(1)
		in := s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		for {
			m := s.maxIn.Load()
			if in <= m || s.maxIn.CompareAndSwap(m, in) {
				break
			}
		}
		if r.URL.Path != "/v1/chat/completions" {
			http.Error(w, "not found: "+r.URL.Path, 404)
			return
		}
		var req struct {
			Model    string `json:"model"`
			Messages []struct {
				Content string `json:"content"`
			} `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) == 0 {
			http.Error(w, "bad request", 400)
			return
		}
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		code, text := reply(n, req.Messages[len(req.Messages)-1].Content)
		if code != 200 {
			http.Error(w, `{"error":{"message":"scripted failure"}}`, code)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": fmt.Sprint("c", n), "object": "chat.completion", "created": 1, "model": req.Model,
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": text}}},
		})
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *scripted) judge(t *testing.T, cfg JudgeConfig) *OpenAIJudge {
	t.Helper()
	cfg.Endpoint, cfg.Model = s.srv.URL+"/v1", "judge-test"
	if cfg.Backoff == 0 {
		cfg.Backoff = time.Millisecond
	}
	j, err := NewOpenAIJudge(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// criterionOf is the criterion text inside a judge prompt.
func criterionOf(prompt string) string {
	_, after, _ := strings.Cut(prompt, "<Criterion>\n")
	c, _, _ := strings.Cut(after, "\n</Criterion>")
	return c
}

func synthetic(schemes ...[]string) *Problem {
	u := "m"
	return &Problem{ID: "T_1", Exam: "T", Question: "Find x.", Answer: []string{`\boxed{$x = 2$}`},
		AnswerType: []string{"Expression"}, Unit: []*string{&u}, Points: []float64{2},
		Marking: Marking{Present: true, Schemes: schemes}}
}

func TestGradeStepsThroughAScriptedServer(t *testing.T) {
	awards := map[string]string{
		"Award 1 pt if A.":   `A is there. \boxed{1}`,
		"Award 1 pt if B.":   `B is there, generously \boxed{5}`, // clamped to 1
		"Award 0.5 pt if C.": `\boxed{0.5}`,
		"Award 2 pt if D.":   `Awarded: 1.5`,
		"Award 1 pt if E.":   "I cannot decide.", // unparsable: its scheme is incomplete
	}
	s := newScripted(t, 0, func(_ int64, prompt string) (int, string) {
		if r, ok := awards[criterionOf(prompt)]; ok {
			return 200, r
		}
		return 200, "unknown criterion"
	})
	cases := []struct {
		name       string
		p          *Problem
		score      float64
		best       int
		unparsable int
	}{
		{"points are clamped to each criterion's allocation", synthetic([]string{"Award 1 pt if A.", "Award 1 pt if B."}), 2, 0, 0},
		{"the best alternative scheme counts", synthetic([]string{"Award 1 pt if A.", "Award 0.5 pt if C."}, []string{"Award 2 pt if D."}), 1.5, 0, 0},
		{"a later scheme can be the best", synthetic([]string{"Award 0.5 pt if C."}, []string{"Award 2 pt if D."}), 1.5, 1, 0},
		{"an unparsable reply is counted and leaves its scheme out", synthetic([]string{"Award 2 pt if D.", "Award 1 pt if E."}, []string{"Award 0.5 pt if C."}), 0.5, 1, 1},
		{"no complete scheme scores nothing step-level", synthetic([]string{"Award 1 pt if E."}), 0, -1, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := GradeSteps(context.Background(), s.judge(t, JudgeConfig{}), nil, c.p, "x = 2")
			if err != nil {
				t.Fatal(err)
			}
			if !near(g.Score, c.score) || g.Best != c.best || g.Unparsable != c.unparsable {
				t.Fatalf("score %g best %d unparsable %d; want %g %d %d (%+v)", g.Score, g.Best, g.Unparsable, c.score, c.best, c.unparsable, g)
			}
		})
	}
}

func TestJudgeCacheMakesARerunFree(t *testing.T) {
	s := newScripted(t, 0, func(int64, string) (int, string) { return 200, `\boxed{1}` })
	dir := t.TempDir()
	p := synthetic([]string{"Award 1 pt if A.", "Award 1 pt if B."})
	for run, want := range []JudgeStats{{Calls: 2}, {CacheHits: 2}} {
		j := s.judge(t, JudgeConfig{CacheDir: dir})
		g, err := GradeSteps(context.Background(), j, nil, p, "x = 2")
		if err != nil || g.Score != 2 {
			t.Fatalf("run %d: %v %+v", run, err, g)
		}
		if j.Stats() != want {
			t.Fatalf("run %d: stats %+v, want %+v", run, j.Stats(), want)
		}
	}
	if s.requests.Load() != 2 {
		t.Fatalf("server saw %d requests, want 2", s.requests.Load())
	}
	// A different response is a different request.
	j := s.judge(t, JudgeConfig{CacheDir: dir})
	if _, err := GradeSteps(context.Background(), j, nil, p, "x = 3"); err != nil || j.Stats().Calls != 2 {
		t.Fatalf("new response: %v %+v", err, j.Stats())
	}
}

func TestJudgeRetriesTimeoutsAndConcurrency(t *testing.T) {
	req := JudgeRequest{Criterion: "Award 1 pt if A.", Problem: "p", Reference: "r", Response: "s"}
	t.Run("transient failures are retried", func(t *testing.T) {
		s := newScripted(t, 0, func(n int64, _ string) (int, string) {
			if n <= 2 {
				return 503, ""
			}
			return 200, `\boxed{1}`
		})
		j := s.judge(t, JudgeConfig{Attempts: 3})
		if r, err := j.Judge(context.Background(), req); err != nil || r != `\boxed{1}` {
			t.Fatalf("%q %v", r, err)
		}
		if st := j.Stats(); st.Calls != 3 || st.Retries != 2 || st.Failures != 0 {
			t.Fatalf("%+v", st)
		}
	})
	t.Run("a bad request fails at once and is counted", func(t *testing.T) {
		s := newScripted(t, 0, func(int64, string) (int, string) { return 400, "" })
		j := s.judge(t, JudgeConfig{Attempts: 4})
		g, err := GradeSteps(context.Background(), j, nil, synthetic([]string{"Award 1 pt if A."}), "s")
		if err != nil || g.Errors != 1 || g.Criteria[0].Status != StatusJudgeError || !strings.Contains(g.Criteria[0].Reply, "400") {
			t.Fatalf("%v %+v", err, g)
		}
		if st := j.Stats(); st.Calls != 1 || st.Failures != 1 {
			t.Fatalf("%+v", st)
		}
	})
	t.Run("each attempt has a timeout", func(t *testing.T) {
		s := newScripted(t, 2*time.Second, func(int64, string) (int, string) { return 200, `\boxed{1}` })
		j := s.judge(t, JudgeConfig{Attempts: 2, Timeout: 50 * time.Millisecond})
		start := time.Now()
		if _, err := j.Judge(context.Background(), req); err == nil {
			t.Fatal("no timeout")
		}
		if time.Since(start) > time.Second || j.Stats().Calls != 2 {
			t.Fatalf("took %v, %+v", time.Since(start), j.Stats())
		}
	})
	t.Run("calls in flight are bounded", func(t *testing.T) {
		s := newScripted(t, 30*time.Millisecond, func(int64, string) (int, string) { return 200, `\boxed{1}` })
		j := s.judge(t, JudgeConfig{Concurrency: 2})
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				r := req
				r.Response = fmt.Sprint(i)
				if _, err := j.Judge(context.Background(), r); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if m := s.maxIn.Load(); m > 2 || m < 1 || s.requests.Load() != 8 {
			t.Fatalf("max in flight %d, requests %d", m, s.requests.Load())
		}
	})
}
