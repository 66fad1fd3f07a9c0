// Package agenttest runs a scripted OpenAI-compatible server on loopback for tests of agent
// workflows: a real HTTP server (the only test double the workflows allow) whose replies a test
// scripts per call, and which records every request with its X-Ascent-Role header.
package agenttest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/ascent-rl/ascent/agent"
)

// Answer is a scripted reply: Content with HTTP 200, or Status (>= 400) as an error, after Delay.
type Answer struct {
	Content   string        // assistant text
	Status    int           // HTTP status to fail with (0: 200)
	Delay     time.Duration // wait before answering
	ToolCalls []ToolCall    // OpenAI tool_calls of the reply (finish_reason "tool_calls")
}

// ToolCall is one scripted function call.
type ToolCall struct {
	ID, Name, Arguments string // arguments: JSON object text
}

// Call is one request the server received.
type Call struct {
	Role     string          // the X-Ascent-Role header
	Messages []agent.Message // the chat messages
	Body     []byte          // the request body as sent (tools, tool_calls, tool_call_id)
}

// Server is the scripted server.
type Server struct {
	URL    string   // base URL ending in /v1
	Models []string // what /v1/models lists
	mu     sync.Mutex
	calls  []Call
	script func(n int, c Call) Answer
	srv    *httptest.Server
}

// New starts a server whose n-th chat call (0-based) is answered by script.
func New(script func(n int, c Call) Answer, models ...string) *Server {
	s := &Server{Models: models, script: script}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/models", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		var data []map[string]any
		for _, m := range s.Models {
			data = append(data, map[string]any{"id": m, "object": "model", "created": 0, "owned_by": "test"})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data})
	})
	mux.HandleFunc("/v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []agent.Message `json:"messages"`
			Model    string          `json:"model"`
		}
		body, err := io.ReadAll(r.Body)
		if err == nil {
			err = json.Unmarshal(body, &req)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c := Call{Role: r.Header.Get(agent.RoleHeader), Messages: req.Messages, Body: body}
		s.mu.Lock()
		n := len(s.calls)
		s.calls = append(s.calls, c)
		s.mu.Unlock()
		a := s.script(n, c)
		if a.Delay > 0 {
			select {
			case <-time.After(a.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if a.Status >= 400 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(a.Status)
			fmt.Fprintf(w, `{"error":{"message":"scripted failure","type":"server_error","code":"%d"}}`, a.Status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		words := len(strings.Fields(a.Content))
		prompt := 0
		for _, m := range req.Messages {
			prompt += len(strings.Fields(m.Content))
		}
		msg, finish := map[string]any{"role": "assistant", "content": a.Content}, "stop"
		if len(a.ToolCalls) > 0 {
			var calls []map[string]any
			for _, tc := range a.ToolCalls {
				calls = append(calls, map[string]any{"id": tc.ID, "type": "function",
					"function": map[string]any{"name": tc.Name, "arguments": tc.Arguments}})
			}
			msg["tool_calls"], finish = calls, "tool_calls"
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": fmt.Sprintf("chatcmpl-%d", n), "object": "chat.completion", "created": 0, "model": req.Model,
			"choices": []map[string]any{{"index": 0, "finish_reason": finish, "message": msg}},
			"usage":   map[string]any{"prompt_tokens": prompt, "completion_tokens": words, "total_tokens": prompt + words},
		})
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + "/v1"
	return s
}

// Calls returns the requests received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call{}, s.calls...)
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }
