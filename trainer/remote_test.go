package trainer

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/engine/openai"
	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/model/tokenizer"
	"github.com/ascent-rl/ascent/serve"
)

// Rollouts drawn from a real `ascent serve` on loopback (training stays local): the trainer pushes
// its weights to the server before the first step and after every step, and the step's samples
// come from the server.
func TestRolloutsFromARemoteServer(t *testing.T) {
	tok := tokenizer.NewTaskChar()
	// The server starts from unrelated random weights; the trainer's first sync replaces them.
	mc := model.TinyConfig()
	mc.VocabSize = tok.VocabSize()
	initDir := t.TempDir()
	if err := model.NewRandom(mc, 99).Save(initDir, "float32"); err != nil {
		t.Fatal(err)
	}
	if err := tokenizer.WriteBuiltinFile(initDir, tok); err != nil {
		t.Fatal(err)
	}
	srv, err := serve.New(serve.Config{Model: initDir, ServedModelName: "policy"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Serve(ctx, l)
	url := "http://" + l.Addr().String() + "/v1"

	cfg := smallConfig(t, "grpo", "run.steps=2", "rollout.endpoints=["+url+"]", "rollout.model=policy")
	sum, err := Run(context.Background(), cfg, "", nil, local.NewLearner, openai.Dial)
	if err != nil {
		t.Fatal(err)
	}
	rows := readMetrics(t, sum.RunDir)
	for i, m := range rows {
		if m["remote/requests"] <= 0 || m["remote/sequences"] < 16*float64(i+1) {
			t.Errorf("step %d: rollouts did not come from the server: %v", i+1, pick(m, "remote/"))
		}
		if _, ok := m["timing_s/update_weights"]; !ok {
			t.Errorf("step %d: no weight sync timing", i+1)
		}
	}
	// 1 initial sync + 1 per step.
	if v := srv.WeightsVersion(); v < 3 {
		t.Errorf("server weights version %d, want ≥ 3 (initial sync plus one per step)", v)
	}
}

func pick(m map[string]float64, prefix string) map[string]float64 {
	out := map[string]float64{}
	for k, v := range m {
		if strings.HasPrefix(k, prefix) {
			out[k] = v
		}
	}
	return out
}
