package trainer

import (
	"context"
	"fmt"
	"time"

	"github.com/ascent-rl/ascent/engine"
	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/model/tokenizer"
	"github.com/ascent-rl/ascent/rollout"
	"github.com/ascent-rl/ascent/tool"
)

// toolSet is the run's tools (rollout.tools) with their call syntax: rollouts and evaluations go
// through rollout.MultiTurn with a tool.Responder, and demonstrations are split into the policy's
// text and the tools' masked replies (docs/tools.md).
type toolSet struct {
	tools    map[string]tool.Tool
	syntax   tool.Syntax
	stop     []int // token ids a turn stops at (the syntax's closer)
	maxTurns int
	timeout  time.Duration
	tok      tokenizer.Tokenizer
}

// newToolSet builds rollout.tools; nil when none are configured.
func newToolSet(c Config, tok tokenizer.Tokenizer) (*toolSet, error) {
	r := c.Rollout
	if len(r.Tools) == 0 {
		return nil, nil
	}
	tools, err := tool.New(r.Tools, tool.Options{})
	if err != nil {
		return nil, fmt.Errorf("rollout.tools: %w", err)
	}
	name := r.ToolSyntax
	if name == "" {
		name = "hermes"
		if tok.Name() != "hf-bpe" {
			name = "tiny" // the built-in tokenizers' alphabets have no < >
		}
	}
	syn, err := tool.LookupSyntax(name)
	if err != nil {
		return nil, fmt.Errorf("rollout.tool_syntax: %w", err)
	}
	stop, err := tool.StopTokens(syn, tok.Encode)
	if err != nil {
		return nil, fmt.Errorf("rollout.tool_syntax: %w", err)
	}
	ts := &toolSet{tools: tools, syntax: syn, stop: stop, maxTurns: r.MaxTurns, tok: tok,
		timeout: time.Duration(r.ToolTimeoutS * float64(time.Second))}
	if ts.maxTurns == 0 {
		ts.maxTurns = 4
	}
	return ts, nil
}

// responder answers the calls of one batch, counting them in counts.
func (t *Trainer) responder(counts *tool.Counts) *tool.Responder {
	return &tool.Responder{Tools: t.tools.tools, Syntax: t.tools.syntax, Encode: t.tok.Encode, Decode: t.detok,
		Timeout: t.tools.timeout, Counts: counts}
}

// multiTurn is the rollout with tools: n trajectories per task of up to rollout.max_turns policy
// turns and maxTokens tokens, each turn stopping at the call syntax's closer.
func (t *Trainer) multiTurn(n int, p engine.SamplingParams, counts *tool.Counts, phase rollout.Phase) rollout.MultiTurn {
	p.StopTokens = append(append([]int{}, p.StopTokens...), t.tools.stop...)
	r := t.responder(counts)
	r.MaxTokens, r.MinLeft = p.MaxTokens, p.MaxTokens/4 // a reply leaves a quarter for the answer
	return rollout.MultiTurn{N: n, MaxTurns: t.tools.maxTurns, MaxTokens: p.MaxTokens, Params: p,
		Tool: r, Decode: t.detok, Verify: t.scorer.verify, Phase: phase}
}

// encodeDemo tokenises a demonstration as a response ending in EOS, within max_response_len; with
// tools, the tools' replies in it get LossMask 0 (the mask is nil without tools).
func (t *Trainer) encodeDemo(ctx context.Context, text string) ([]int, []float32, error) {
	if t.tools == nil {
		ids, err := t.encodeResponse(text)
		return ids, nil, err
	}
	segs, err := t.responder(nil).Segments(ctx, text)
	if err != nil {
		return nil, nil, err
	}
	var ids []int
	var mask []float32
	for _, s := range segs {
		ids = append(ids, s.IDs...)
		w := float32(1)
		if s.Reply {
			w = 0
		}
		for range s.IDs {
			mask = append(mask, w)
		}
	}
	if eos := t.tok.Specials().EOS; eos >= 0 {
		ids, mask = append(ids, eos), append(mask, 1)
	}
	if limit := t.cfg.Algo.Batch.MaxResponseLen; len(ids) > limit {
		return nil, nil, fmt.Errorf("%d tokens; algo.batch.max_response_len is %d", len(ids), limit)
	}
	return ids, mask, nil
}

// toolStats are a step's tool calls (every rollout, kept or filtered).
type toolStats struct {
	counts    tool.Counts
	responses int
}

// report writes the tool metrics; nothing when the run has no tools.
func (s *toolStats) report(m metrics) {
	if s == nil || s.responses == 0 {
		return
	}
	calls := float64(s.counts.Calls.Load())
	m[metric.ToolCallsPerResponse] = calls / float64(s.responses)
	m[metric.ToolErrorRatio], m[metric.ToolTimeoutRatio] = 0, 0
	if calls > 0 {
		m[metric.ToolErrorRatio] = float64(s.counts.Errors.Load()) / calls
		m[metric.ToolTimeoutRatio] = float64(s.counts.Timeouts.Load()) / calls
	}
}
