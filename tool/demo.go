package tool

import (
	"context"
	"fmt"
	"strings"
)

// Segment is a piece of a demonstration: the policy's text (trained on) or a tool's reply (inserted
// by the rollout, masked out of the loss).
type Segment struct {
	Text  string // the piece's text
	Reply bool   // a tool's reply, not the policy's
	IDs   []int  // its token ids
}

// Segments splits a demonstration written in r's syntax into the policy's turns and the tools'
// replies, by replaying it: every call it makes is run, and the text after the call must be
// exactly the reply the rollout would insert — a demonstration that shows a wrong tool answer is
// an error. Each piece is encoded on its own, as a rollout produces it. Calls are not counted.
func (r *Responder) Segments(ctx context.Context, demo string) ([]Segment, error) {
	quiet := *r
	quiet.Counts = nil
	var out []Segment
	start, from := 0, 0
	closer := r.Syntax.Closer()
	for {
		k := strings.Index(demo[from:], closer)
		if k < 0 {
			break
		}
		end := from + k + len(closer)
		from = end
		call, ok := r.Syntax.Last(demo[start:end], r.Tools)
		if !ok {
			continue
		}
		res, err := quiet.Run(ctx, call)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		reply := r.Syntax.Reply(res, err)
		if !strings.HasPrefix(demo[end:], reply) {
			return nil, fmt.Errorf("tool: demonstration calls %s{%s} but does not continue with its reply %q", call.Name, call.Input, reply)
		}
		out = append(out, Segment{Text: demo[start:end]}, Segment{Text: reply, Reply: true})
		start = end + len(reply)
		from = start
	}
	if start < len(demo) {
		out = append(out, Segment{Text: demo[start:]})
	}
	for i := range out {
		var err error
		if out[i].Reply {
			out[i].IDs, err = r.encode(out[i].Text)
		} else {
			out[i].IDs, err = r.Encode(out[i].Text)
		}
		if err != nil {
			return nil, fmt.Errorf("tool: demonstration: %w", err)
		}
	}
	return out, nil
}
