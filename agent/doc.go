// Package agent is the small runtime every LLM workflow in Ascent uses (PROTEUS's planner,
// PhysicsMinions, LLM-PEE): a chat client over any OpenAI-compatible endpoint with per-call
// timeouts, retries with backoff, bounded concurrency and token accounting; an X-Ascent-Role
// header on every call; embedded prompt templates per role that a directory can override; a
// resumable JSONL trace; and a hard budget. See docs/agent.md.
//
//	c, _ := agent.NewClient(agent.Config{Endpoint: "http://127.0.0.1:8000/v1", Model: "m", Workflow: "proteus"})
//	tr, _ := agent.OpenTrace("out/trace.jsonl")
//	s := agent.NewSession(c, tr, agent.Budget{MaxRounds: 8, MaxTokens: 200000})
//	reply, err := s.Call(ctx, "planner", 1, msgs, nil)
package agent
