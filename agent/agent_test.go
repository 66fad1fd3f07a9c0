package agent_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/agent"
	"github.com/ascent-rl/ascent/agent/agenttest"
)

func client(t *testing.T, url string, cfg agent.Config) *agent.Client {
	t.Helper()
	cfg.Endpoint, cfg.Model, cfg.Workflow = url, "m", "demo"
	if cfg.Backoff == 0 {
		cfg.Backoff = time.Millisecond
	}
	c, err := agent.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEveryCallCarriesTheRoleHeaderAndCountsTokens(t *testing.T) {
	srv := agenttest.New(func(n int, c agenttest.Call) agenttest.Answer { return agenttest.Answer{Content: "two words"} }, "m")
	defer srv.Close()
	c := client(t, srv.URL, agent.Config{})
	msgs := []agent.Message{{Role: "system", Content: "be brief"}, {Role: "user", Content: "hello there"}}
	for _, role := range []string{"solver", "verifier"} {
		r, err := c.Chat(context.Background(), role, msgs)
		if err != nil || r.Content != "two words" || r.PromptTokens != 4 || r.CompletionTokens != 2 || r.Attempts != 1 {
			t.Fatalf("reply %+v, %v", r, err)
		}
	}
	calls := srv.Calls()
	if len(calls) != 2 || calls[0].Role != "demo/solver" || calls[1].Role != "demo/verifier" {
		t.Fatalf("calls %+v", calls)
	}
	if n, p, cpl := c.Usage(); n != 2 || p != 8 || cpl != 4 {
		t.Fatalf("usage %d %d %d", n, p, cpl)
	}
}

func TestTransientFailuresAreRetriedAndClientErrorsAreNot(t *testing.T) {
	cases := []struct {
		name     string
		answers  []agenttest.Answer
		timeout  time.Duration
		wantErr  bool
		attempts int
		calls    int
	}{
		{"a 503 then success", []agenttest.Answer{{Status: 503}, {Content: "ok"}}, time.Second, false, 2, 2},
		{"a timeout then success", []agenttest.Answer{{Delay: 2 * time.Second, Content: "late"}, {Content: "ok"}}, 200 * time.Millisecond, false, 2, 2},
		{"a 400 fails at once", []agenttest.Answer{{Status: 400}, {Content: "ok"}}, time.Second, true, 0, 1},
		{"always 500 gives up after the retries", []agenttest.Answer{{Status: 500}, {Status: 500}, {Status: 500}}, time.Second, true, 0, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := agenttest.New(func(n int, _ agenttest.Call) agenttest.Answer { return tc.answers[min(n, len(tc.answers)-1)] }, "m")
			defer srv.Close()
			c := client(t, srv.URL, agent.Config{Timeout: tc.timeout, Retries: 2})
			r, err := c.Chat(context.Background(), "r", []agent.Message{{Role: "user", Content: "q"}})
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v", err)
			}
			if err != nil && (!strings.Contains(err.Error(), srv.URL) || !strings.Contains(err.Error(), "server says: scripted failure")) {
				t.Errorf("error %q does not name the endpoint and the server's reason", err)
			}
			if !tc.wantErr && (r.Attempts != tc.attempts || r.Content != "ok") {
				t.Errorf("reply %+v", r)
			}
			if got := len(srv.Calls()); got != tc.calls {
				t.Errorf("server saw %d calls, want %d", got, tc.calls)
			}
		})
	}
}

func TestCheckModelFailsFastOnAnUnlistedModelOrADeadEndpoint(t *testing.T) {
	srv := agenttest.New(nil, "other-a", "other-b")
	c := client(t, srv.URL, agent.Config{})
	if err := c.CheckModel(context.Background()); err == nil || !strings.Contains(err.Error(), "other-a") {
		t.Fatalf("want an error listing the served models, got %v", err)
	}
	srv.Close()
	start := time.Now()
	if err := c.CheckModel(context.Background()); err == nil || !strings.Contains(err.Error(), srv.URL) {
		t.Fatalf("want an error naming the URL, got %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("a dead endpoint did not fail fast")
	}
}

func TestConcurrencyIsBounded(t *testing.T) {
	var inFlight, peak int
	mu := make(chan struct{}, 1)
	srv := agenttest.New(func(int, agenttest.Call) agenttest.Answer {
		mu <- struct{}{}
		inFlight++
		peak = max(peak, inFlight)
		<-mu
		time.Sleep(30 * time.Millisecond)
		mu <- struct{}{}
		inFlight--
		<-mu
		return agenttest.Answer{Content: "x"}
	}, "m")
	defer srv.Close()
	c := client(t, srv.URL, agent.Config{Concurrency: 2})
	done := make(chan error, 6)
	for i := 0; i < 6; i++ {
		go func() {
			_, err := c.Chat(context.Background(), "r", []agent.Message{{Role: "user", Content: "q"}})
			done <- err
		}()
	}
	for i := 0; i < 6; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if peak > 2 {
		t.Fatalf("%d calls in flight with a limit of 2", peak)
	}
}

func TestAnInterruptedRunResumesFromItsTraceWithoutRepeatingCalls(t *testing.T) {
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	fail := true
	srv := agenttest.New(func(n int, c agenttest.Call) agenttest.Answer {
		if fail && n == 2 {
			return agenttest.Answer{Status: 400} // the run dies at its third call
		}
		return agenttest.Answer{Content: "answer to " + c.Messages[0].Content}
	}, "m")
	defer srv.Close()
	run := func() (int, error) {
		tr, err := agent.OpenTrace(path)
		if err != nil {
			t.Fatal(err)
		}
		s := agent.NewSession(client(t, srv.URL, agent.Config{}), tr, agent.Budget{MaxRounds: 4})
		round := 1
		for ; s.Exhausted(round) == ""; round++ {
			msg := []agent.Message{{Role: "user", Content: "q" + string(rune('0'+round))}}
			if _, err := s.Call(context.Background(), "worker", round, msg, func(r string) (string, error) { return "seen", nil }); err != nil {
				return tr.Resumed(), err
			}
		}
		return tr.Resumed(), s.Finish(s.Exhausted(round), map[string]any{"rounds": round - 1})
	}
	if _, err := run(); err == nil {
		t.Fatal("first run should fail at its third call")
	}
	fail = false
	resumed, err := run()
	if err != nil {
		t.Fatal(err)
	}
	if resumed != 2 {
		t.Errorf("resumed %d calls, want 2", resumed)
	}
	if n := len(srv.Calls()); n != 3+2 { // 2 ok + 1 failed, then calls 3 and 4 only
		t.Errorf("server saw %d calls, want 5", n)
	}
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 5 || !strings.Contains(lines[4], `"kind":"final"`) || !strings.Contains(lines[4], `"budget_end":"max_rounds"`) {
		t.Fatalf("trace:\n%s", b)
	}
	if !strings.Contains(lines[0], `"verdict":"seen"`) || !strings.Contains(lines[0], `"role":"worker"`) {
		t.Errorf("call record %s", lines[0])
	}
}

func TestTheTokenBudgetEndsARun(t *testing.T) {
	srv := agenttest.New(func(int, agenttest.Call) agenttest.Answer {
		return agenttest.Answer{Content: "five words in this reply"}
	}, "m")
	defer srv.Close()
	tr, _ := agent.OpenTrace("")
	s := agent.NewSession(client(t, srv.URL, agent.Config{}), tr, agent.Budget{MaxTokens: 12})
	round := 1
	for ; s.Exhausted(round) == ""; round++ {
		if _, err := s.Call(context.Background(), "w", round, []agent.Message{{Role: "user", Content: "one two"}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if s.Exhausted(round) != agent.EndTokens || round != 3 {
		t.Fatalf("ended %q at round %d", s.Exhausted(round), round)
	}
}

func TestPromptsAreEmbeddedAndOverridableByADirectory(t *testing.T) {
	p := agent.Prompts{Workflow: "proteus"}
	got, err := p.Render("judge", map[string]any{"Statement": "S", "Evidence": "E", "Axes": "novelty"})
	if err != nil || !strings.Contains(got, "Hypothesis: S") {
		t.Fatalf("%q %v", got, err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "judge.tmpl"), []byte("custom {{.Statement}}"), 0o644)
	p.Dir = dir
	if got, _ := p.Render("judge", map[string]any{"Statement": "S"}); got != "custom S" {
		t.Fatalf("override gave %q", got)
	}
	if _, err := p.Render("nobody", nil); err == nil || !strings.Contains(err.Error(), "planner") {
		t.Fatalf("want an error listing the roles, got %v", err)
	}
}
