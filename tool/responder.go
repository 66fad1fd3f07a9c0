package tool

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ascent-rl/ascent/rollout"
)

// Counts are the calls a Responder ran, safe for concurrent use.
type Counts struct {
	Calls    atomic.Int64 // calls answered (ran or refused)
	Errors   atomic.Int64 // calls answered with an error (bad call, tool error, timeout)
	Timeouts atomic.Int64 // calls whose tool passed its deadline (also in Errors)
}

// Responder is the rollout.Tool of a multi-turn rollout with tools: after each policy turn it reads
// the call the turn ends with (Syntax.Last on the turn's text), runs the tool under a deadline, and
// answers with the reply's tokens, which rollout.MultiTurn inserts with LossMask 0. A turn that
// ends without a call ends the trajectory.
type Responder struct {
	Tools  map[string]Tool             // the tools the policy may call, by name
	Syntax Syntax                      // how calls are written and answered
	Encode func(string) ([]int, error) // reply text → token ids (the policy's tokenizer)
	Decode func([]int) string          // turn tokens → text (special tokens dropped)
	// Timeout bounds each call (default 10 s); a call past it is answered "error: timeout".
	Timeout time.Duration
	// MaxOutput is the most bytes of a tool's output inserted (default 256); longer output is cut
	// and marked with "...".
	MaxOutput int
	// Counts receives every call; nil: not counted.
	Counts *Counts
	// MaxTokens is the trajectory's token budget (rollout.MultiTurn.MaxTokens) and MinLeft the
	// fewest tokens a reply must leave for the policy's next turn; a reply that leaves fewer ends
	// the trajectory instead (a turn with too few tokens left cannot finish an answer, so it is
	// not sampled). MaxTokens 0: no check.
	MaxTokens, MinLeft int
}

// Respond implements rollout.Tool.
func (r *Responder) Respond(ctx context.Context, _ rollout.Task, t *rollout.Trajectory) (rollout.Reply, error) {
	if len(t.Steps) == 0 {
		return rollout.Reply{}, errors.New("tool: trajectory has no turn to answer")
	}
	last := t.Steps[len(t.Steps)-1]
	call, ok := r.Syntax.Last(r.Decode(t.Tokens[last.Start:last.End]), r.Tools)
	if !ok {
		return rollout.Reply{Done: true}, nil
	}
	out, err := r.Run(ctx, call)
	if ctx.Err() != nil {
		return rollout.Reply{}, ctx.Err()
	}
	ids, encErr := r.encode(r.Syntax.Reply(out, err))
	if encErr != nil {
		return rollout.Reply{}, fmt.Errorf("tool %s: encode the reply: %w", call.Name, encErr)
	}
	if r.MaxTokens > 0 && len(t.Tokens)+len(ids) > r.MaxTokens-r.MinLeft {
		return rollout.Reply{Done: true}, nil
	}
	return rollout.Reply{Tokens: ids}, nil
}

// Run answers one call: the tool's output (cut to MaxOutput) or the error to show the policy.
func (r *Responder) Run(ctx context.Context, call Call) (string, error) {
	out, err := r.run(ctx, call)
	if r.Counts != nil {
		r.Counts.Calls.Add(1)
		if err != nil {
			r.Counts.Errors.Add(1)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			r.Counts.Timeouts.Add(1)
		}
	}
	return out, err
}

func (r *Responder) run(ctx context.Context, call Call) (string, error) {
	if call.Bad != "" {
		return "", errors.New(call.Bad)
	}
	t, ok := r.Tools[call.Name]
	if !ok {
		return "", fmt.Errorf("unknown tool %q; tools: %s", call.Name, strings.Join(sortedNames(r.Tools), ", "))
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := t.Call(cctx, call.Input)
	if err == nil && cctx.Err() != nil {
		err = cctx.Err()
	}
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return "", fmt.Errorf("timeout after %s: %w", timeout, context.DeadlineExceeded)
	}
	if err != nil {
		return "", err
	}
	if limit := r.maxOutput(); len(out) > limit {
		out = out[:limit] + "..."
	}
	return out, nil
}

func (r *Responder) maxOutput() int {
	if r.MaxOutput > 0 {
		return r.MaxOutput
	}
	return 256
}

// encode tokenises a reply; characters the tokenizer cannot encode (the character tokenizer's
// alphabet is small) become "?", or are dropped when "?" cannot be encoded either.
func (r *Responder) encode(text string) ([]int, error) {
	if ids, err := r.Encode(text); err == nil {
		return ids, nil
	}
	var ids []int
	q, qErr := r.Encode("?")
	for _, c := range text {
		if one, err := r.Encode(string(c)); err == nil {
			ids = append(ids, one...)
		} else if qErr == nil {
			ids = append(ids, q...)
		}
	}
	if len(ids) == 0 && text != "" {
		return nil, fmt.Errorf("the tokenizer encodes no character of %q", text)
	}
	return ids, nil
}

// StopTokens are the token ids a policy turn must stop at so that a call ends the turn: the
// closer's token when the tokenizer encodes it as one (Tiny's "}", Qwen's "</tool_call>"), else its
// last token (the turn then also stops where that token appears outside a call, and a turn that
// does not end with a call ends the trajectory).
func StopTokens(s Syntax, encode func(string) ([]int, error)) ([]int, error) {
	ids, err := encode(s.Closer())
	if err != nil {
		return nil, fmt.Errorf("tool: syntax %s: the tokenizer cannot encode its closer %q: %w", s.Name(), s.Closer(), err)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("tool: syntax %s: the closer %q encodes to no token", s.Name(), s.Closer())
	}
	return ids[len(ids)-1:], nil
}
