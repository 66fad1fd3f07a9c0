package dash

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Agent traces (package agent's JSONL: one line per LLM call — role, round, request messages,
// reply, tokens, latency, parsed verdict — and a final record) are shown as conversations. They
// are read as plain JSON, so the dashboard does not depend on the agent package: /traces lists the
// trace files under the runs root (write a workflow's --out inside it), /trace/PATH shows one.

// traceCall is one call of a trace as the page shows it.
type traceCall struct {
	Kind      string         `json:"kind"`
	Role      string         `json:"role"`
	Round     int            `json:"round"`
	Messages  []traceMessage `json:"messages"`
	Reply     string         `json:"reply"`
	Prompt    int            `json:"prompt_tokens"`
	Complete  int            `json:"completion_tokens"`
	LatencyMS float64        `json:"latency_ms"`
	Verdict   string         `json:"verdict"`
	Error     string         `json:"error"`
	Rounds    int            `json:"rounds"`
	Calls     int            `json:"calls"`
	Tokens    int            `json:"tokens"`
	BudgetEnd string         `json:"budget_end"`
	Outcome   map[string]any `json:"outcome"`
}

type traceMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type tracePage struct {
	Title string
	Path  string
	Calls []traceCall
	Final *traceCall
	Bad   int
}

type tracesPage struct {
	Title string
	Files []string
}

// maxTraceFiles bounds the /traces listing.
const maxTraceFiles = 500

// tracePath resolves a trace path relative to the runs root, refusing anything outside it.
func (s *Server) tracePath(rel string) (string, error) {
	clean := filepath.Clean("/" + rel)[1:]
	if clean == "" || !strings.HasSuffix(clean, ".jsonl") {
		return "", fmt.Errorf("%w: trace path %q: want a .jsonl file under the runs root", errBadRequest, rel)
	}
	return filepath.Join(s.root, clean), nil
}

// readTrace parses a trace file; lines that are not trace records are counted.
func readTrace(path string) (tracePage, error) {
	f, err := os.Open(path)
	if err != nil {
		return tracePage{}, err
	}
	defer f.Close()
	var p tracePage
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var c traceCall
		if json.Unmarshal(sc.Bytes(), &c) != nil || (c.Kind != "call" && c.Kind != "final") {
			p.Bad++
			continue
		}
		if c.Kind == "final" {
			cc := c
			p.Final = &cc
			continue
		}
		p.Calls = append(p.Calls, c)
	}
	return p, sc.Err()
}

// trace shows one trace as a conversation.
func (s *Server) trace(w http.ResponseWriter, r *http.Request) {
	rel := r.PathValue("path")
	path, err := s.tracePath(rel)
	if err != nil {
		httpError(w, err)
		return
	}
	p, err := readTrace(path)
	if err != nil {
		if os.IsNotExist(err) {
			http.Error(w, fmt.Sprintf("no trace %s under the runs root", rel), http.StatusNotFound)
			return
		}
		httpError(w, err)
		return
	}
	if len(p.Calls) == 0 && p.Final == nil {
		httpError(w, fmt.Errorf("%w: %s holds no trace records (kind call or final)", errBadRequest, rel))
		return
	}
	p.Title, p.Path = rel+" · trace", rel
	s.render(w, "trace", p)
}

// traces lists the trace files under the runs root: .jsonl files whose first line is a trace
// record.
func (s *Server) traces(w http.ResponseWriter, r *http.Request) {
	p := tracesPage{Title: "agent traces"}
	filepath.WalkDir(s.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || len(p.Files) >= maxTraceFiles {
			return fs.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".jsonl") || d.Name() == "metrics.jsonl" {
			return nil
		}
		if isTrace(path) {
			rel, _ := filepath.Rel(s.root, path)
			p.Files = append(p.Files, filepath.ToSlash(rel))
		}
		return nil
	})
	s.render(w, "traces", p)
}

// isTrace reports whether a file's first line is an agent trace record.
func isTrace(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	if !sc.Scan() {
		return false
	}
	var c struct {
		Kind string `json:"kind"`
		Role string `json:"role"`
	}
	return json.Unmarshal(sc.Bytes(), &c) == nil && (c.Kind == "call" && c.Role != "" || c.Kind == "final")
}
