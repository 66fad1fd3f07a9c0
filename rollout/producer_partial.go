package rollout

import (
	"context"
	"fmt"
	"slices"

	"github.com/ascent-rl/ascent/engine"
)

// Segmented is a Sampler for partial rollouts (trainer async.partial: continue): it generates in
// segments of at most Segment tokens and, before each segment, calls Refresh, which may put newer
// weights on S. A response whose generation spans a weight update is continued under the new
// weights from the next segment's first token: the segment re-submits the prompt plus the tokens
// generated so far (AReaL's interrupt-and-resume), so the new version re-reads the whole prefix —
// its KV cache is computed under the new weights — and each token's log-prob is exactly the
// log-prob of the version that sampled it. Sequence.Versions records that version per token.
//
// Each segment's random streams are derived from (Seed, segment), so a run is reproducible given
// the segments at which the weights changed. Stop strings are not supported (a string could
// straddle two segments); stop tokens are.
type Segmented struct {
	S       Sampler // the engine that samples each segment
	Segment int     // the most tokens a response grows by between two Refresh calls (≥ 1)
	// Context is the model's context in tokens (prompt + response); a response that reaches it is
	// finished. 0: unknown (a segment cut short by the engine is taken as the context's end).
	Context int
	// Refresh is called before every segment; it may load newer weights on S and returns the
	// weight version S holds for the segment.
	Refresh func(ctx context.Context) (int, error)
}

// Sample implements Sampler.
func (s Segmented) Sample(ctx context.Context, prompts [][]int, n int, p engine.SamplingParams) ([]engine.Sequence, error) {
	switch {
	case s.Segment < 1:
		return nil, fmt.Errorf("segmented sampler: segment of %d tokens: want ≥ 1", s.Segment)
	case len(p.Stop) > 0:
		return nil, fmt.Errorf("segmented sampler: stop strings %q could straddle two segments; use stop tokens", p.Stop)
	case p.MaxTokens <= 0:
		return nil, fmt.Errorf("segmented sampler: max_tokens = %d: expected ≥ 1", p.MaxTokens)
	}
	out := make([]engine.Sequence, len(prompts)*n)
	for i, pr := range prompts {
		for j := range n {
			out[i*n+j] = engine.Sequence{PromptIndex: i, Prompt: slices.Clone(pr), FinishReason: "length"}
		}
	}
	var live []int // rows of out still generating
	for seg := 0; ; seg++ {
		v, err := s.Refresh(ctx)
		if err != nil {
			return nil, fmt.Errorf("segmented sampler: before segment %d: %w", seg, err)
		}
		q := p
		q.Seed = p.Seed + uint64(seg)*0x9E3779B97F4A7C15
		var seqs []engine.Sequence
		if seg == 0 { // every row starts here: the engine shares each prompt's prefill across its n
			q.MaxTokens = min(s.Segment, p.MaxTokens)
			seqs, err = s.S.Sample(ctx, prompts, n, q)
			live = make([]int, len(out))
			for r := range live {
				live[r] = r
			}
		} else {
			budget := p.MaxTokens
			cont := make([][]int, len(live))
			for k, r := range live {
				cont[k] = slices.Concat(out[r].Prompt, out[r].Tokens)
				budget = min(budget, p.MaxTokens-len(out[r].Tokens))
				if s.Context > 0 {
					budget = min(budget, s.Context-len(cont[k]))
				}
			}
			q.MaxTokens = min(s.Segment, budget)
			seqs, err = s.S.Sample(ctx, cont, 1, q)
		}
		if err != nil {
			return nil, fmt.Errorf("segmented sampler: segment %d: %w", seg, err)
		}
		if len(seqs) != len(live) {
			return nil, fmt.Errorf("segmented sampler: segment %d: the sampler returned %d sequences for %d", seg, len(seqs), len(live))
		}
		var next []int
		for k, r := range live {
			o, g := &out[r], seqs[k]
			o.Tokens = append(o.Tokens, g.Tokens...)
			o.LogProbs = append(o.LogProbs, g.LogProbs...)
			for range g.Tokens {
				o.Versions = append(o.Versions, v)
			}
			o.FinishReason = g.FinishReason
			full := len(o.Tokens) >= p.MaxTokens || (s.Context > 0 && len(o.Prompt)+len(o.Tokens) >= s.Context)
			if g.FinishReason == "stop" || full || len(g.Tokens) < q.MaxTokens {
				continue // stopped, at max_tokens, or cut short by the engine's context
			}
			next = append(next, r)
		}
		if live = next; len(live) == 0 {
			return out, nil
		}
	}
}

// Continued reports whether a trajectory was sampled by more than one weight version.
func (t *Trajectory) Continued() bool {
	for _, v := range t.TokenVersions {
		if v != t.TokenVersions[0] {
			return true
		}
	}
	return false
}

// OldestVersion is the oldest weight version that sampled a token of t, or batch when t records
// no per-token versions (one version, batch's, sampled it all).
func (t *Trajectory) OldestVersion(batch int) int {
	if len(t.TokenVersions) == 0 {
		return batch
	}
	return slices.Min(t.TokenVersions)
}
