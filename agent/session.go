package agent

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// ParseError is a reply the workflow could not parse: the call succeeded and is in the trace
// (with its verdict "parse_error: ..."), but the reply is unusable.
type ParseError struct {
	Err error // what the workflow's parser said
}

// Error implements error.
func (e *ParseError) Error() string { return "unparsable reply: " + e.Err.Error() }

// Unwrap returns the parser's error.
func (e *ParseError) Unwrap() error { return e.Err }

// Budget is a hard limit on a run; zero fields are unlimited.
type Budget struct {
	MaxRounds int           // rounds of the workflow
	MaxTokens int           // prompt + completion tokens
	MaxWall   time.Duration // wall time
}

// Budget end reasons, as recorded in the final trace record.
const (
	EndRounds = "max_rounds"
	EndTokens = "max_tokens"
	EndWall   = "max_wall"
)

// Session is one run of a workflow: a client, a trace and a budget.
type Session struct {
	Client *Client // the endpoint client
	Trace  *Trace  // where every call is recorded
	Budget Budget  // the hard limits
	start  time.Time
	mu     sync.Mutex
	tokens int
	calls  int
	rounds int
}

// NewSession starts a session now.
func NewSession(c *Client, t *Trace, b Budget) *Session {
	return &Session{Client: c, Trace: t, Budget: b, start: time.Now()}
}

// Exhausted returns which limit is reached before round (1-based) may start, or "".
func (s *Session) Exhausted(round int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.Budget.MaxRounds > 0 && round > s.Budget.MaxRounds:
		return EndRounds
	case s.Budget.MaxTokens > 0 && s.tokens >= s.Budget.MaxTokens:
		return EndTokens
	case s.Budget.MaxWall > 0 && time.Since(s.start) >= s.Budget.MaxWall:
		return EndWall
	}
	return ""
}

// Call makes (or, resuming, replays from the trace) one call as role in round, and records it.
// parse, when given, turns the reply into the verdict written to the trace; its error is recorded
// too and returned with the reply as a *ParseError.
func (s *Session) Call(ctx context.Context, role string, round int, msgs []Message, parse func(string) (string, error)) (Reply, error) {
	key := Key(role, round, msgs)
	var rep Reply
	rec, resumed := s.Trace.lookup(key)
	if resumed {
		rep = Reply{Content: rec.Reply, PromptTokens: rec.Prompt, CompletionTokens: rec.Complete,
			Latency: time.Duration(rec.LatencyMS * float64(time.Millisecond)), Attempts: rec.Attempts}
		s.Trace.mu.Lock()
		s.Trace.resumed++
		s.Trace.mu.Unlock()
	} else {
		var err error
		if rep, err = s.Client.Chat(ctx, role, msgs); err != nil {
			_ = s.Trace.Append(Record{Kind: "call", Key: key, Role: role, Round: round, Messages: msgs, Error: err.Error()})
			return Reply{}, err
		}
	}
	s.mu.Lock()
	s.tokens += rep.PromptTokens + rep.CompletionTokens
	s.calls++
	if round > s.rounds {
		s.rounds = round
	}
	s.mu.Unlock()
	r := Record{Kind: "call", Key: key, Role: role, Round: round, Messages: msgs, Reply: rep.Content,
		Prompt: rep.PromptTokens, Complete: rep.CompletionTokens, LatencyMS: float64(rep.Latency) / float64(time.Millisecond), Attempts: rep.Attempts}
	var perr error
	if parse != nil {
		var v string
		v, perr = parse(rep.Content)
		r.Verdict = v
		if perr != nil {
			r.Verdict = "parse_error: " + perr.Error()
		}
	}
	if err := s.Trace.Append(r); err != nil {
		return rep, fmt.Errorf("agent: write trace: %w", err)
	}
	if perr != nil {
		return rep, &ParseError{perr}
	}
	return rep, nil
}

// Tokens returns the tokens spent so far (resumed calls included).
func (s *Session) Tokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens
}

// Finish writes the final record: rounds, calls, tokens, the budget end ("" when the workflow
// finished on its own) and the workflow's outcome.
func (s *Session) Finish(budgetEnd string, outcome map[string]any) error {
	s.mu.Lock()
	r := Record{Kind: "final", Rounds: s.rounds, Calls: s.calls, Tokens: s.tokens, BudgetEnd: budgetEnd, Outcome: outcome}
	s.mu.Unlock()
	return s.Trace.Append(r)
}
