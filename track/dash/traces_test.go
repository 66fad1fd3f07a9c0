package dash

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/agent"
)

// A trace written by the agent runtime itself shows as a conversation: roles, verdicts, the
// request and the reply, and the final record's budget end.
func TestAgentTracesShowAsConversations(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "minions1", "traces")
	os.MkdirAll(dir, 0o755)
	tr, err := agent.OpenTrace(filepath.Join(dir, "IPhO_2025_1_A_1.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	recs := []agent.Record{
		{Kind: "call", Role: "solver", Round: 1, Messages: []agent.Message{{Role: "user", Content: "Find the <speed> of the cart."}}, Reply: `v = \boxed{3} m/s`, Prompt: 12, Complete: 7, LatencyMS: 42},
		{Kind: "call", Role: "physics_verifier", Round: 1, Messages: []agent.Message{{Role: "user", Content: "Check it."}}, Reply: "units fine\nVERDICT: PASS", Verdict: "PASS"},
		{Kind: "final", Rounds: 1, Calls: 2, Tokens: 40, BudgetEnd: "max_tokens", Outcome: map[string]any{"status": "budget_ended"}},
	}
	for _, r := range recs {
		if err := tr.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(root, "minions1", "other.jsonl"), []byte(`{"id": 1}`+"\n"), 0o644)
	s, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, list := get("/traces")
	if code != 200 || !strings.Contains(list, "minions1/traces/IPhO_2025_1_A_1.jsonl") || strings.Contains(list, "other.jsonl") {
		t.Fatalf("/traces %d:\n%s", code, list)
	}
	code, page := get("/trace/minions1/traces/IPhO_2025_1_A_1.jsonl")
	for _, want := range []string{"solver", "physics_verifier", "verdict <span class=\"verdict\">PASS", "Find the &lt;speed&gt; of the cart.", `\boxed{3} m/s`, "budget ended: max_tokens", "2 calls"} {
		if code != 200 || !strings.Contains(page, want) {
			t.Errorf("/trace page (%d) lacks %q", code, want)
		}
	}
	for path, wantCode := range map[string]int{
		"/trace/minions1/other.jsonl":       400, // not a trace
		"/trace/minions1/missing.jsonl":     404,
		"/trace/../../etc/passwd.jsonl":     404, // cleaned to the root: no such file under it
		"/trace/minions1/traces/notjsonl.x": 400,
	} {
		if code, body := get(path); code != wantCode {
			t.Errorf("%s: %d %s, want %d", path, code, body, wantCode)
		}
	}
}
