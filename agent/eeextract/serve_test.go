package eeextract

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/agent"
	"github.com/ascent-rl/ascent/agent/agenttest"
	"github.com/ascent-rl/ascent/serve"
)

// TestExtractionOverAscentServe runs the extraction against a real `ascent serve` of the built-in
// tiny model on loopback: its replies are nonsense, so every one must be counted (malformed or
// parsed with its spans dropped) and the run must finish.
func TestExtractionOverAscentServe(t *testing.T) {
	ont, sents := fixture(t, 6, 2)
	url := agenttest.ServeTiny(t)
	ctx := context.Background()
	c, err := agent.NewClient(agent.Config{Endpoint: url, Model: serve.BuiltinTiny,
		Workflow: "llmpee", MaxTokens: 24, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckModel(ctx); err != nil {
		t.Fatal(err)
	}
	// the tiny model's context is 512 bytes: short templates through the override directory
	dir := t.TempDir()
	for role, src := range map[string]string{
		RoleDetect:    "Events of {{range .Types}}{{.Name}} {{end}}in: {{.Text}} JSON:",
		RoleArguments: "Roles of {{.Type.Name}} at {{.Trigger.Text}} in: {{.Text}} JSON:",
	} {
		if err := os.WriteFile(filepath.Join(dir, role+".tmpl"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tr, _ := agent.OpenTrace("")
	x := &Extractor{Session: agent.NewSession(c, tr, agent.Budget{}), Ontology: ont, K: 6, Size: 3,
		Prompts: agent.Prompts{Workflow: PromptWorkflow, Dir: dir}}
	pred, st, err := x.Run(ctx, sents)
	if err != nil {
		t.Fatal(err)
	}
	if len(pred) != len(sents) || st.Sentences != len(sents) || st.Partitions == 0 {
		t.Fatalf("%d predictions, stats %+v; want %d sentences with detect calls", len(pred), st, len(sents))
	}
	parsed := 0
	for _, r := range tr.Records() {
		if r.Kind == "call" && r.Verdict != "" && r.Verdict[:min(len(r.Verdict), 12)] != "parse_error:" {
			parsed++
		}
	}
	if st.Malformed+parsed != st.Calls {
		t.Errorf("%d malformed + %d parsed replies of %d calls: some reply was not counted", st.Malformed, parsed, st.Calls)
	}
	t.Logf("tiny model: %d calls, %d malformed, drops %+v", st.Calls, st.Malformed, st.Drops)
}
