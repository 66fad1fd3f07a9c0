package agent

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/ascent-rl/ascent/internal/atomicfile"
)

// Record is one line of a trace: a call (Kind "call") or the final record (Kind "final").
type Record struct {
	Kind      string    `json:"kind"`                        // "call" or "final"
	Key       string    `json:"key,omitempty"`               // hash of role, round and request: what resumption matches on
	Role      string    `json:"role,omitempty"`              // e.g. "planner"
	Round     int       `json:"round,omitempty"`             // workflow round, from 1
	Messages  []Message `json:"messages,omitempty"`          // the request
	Reply     string    `json:"reply,omitempty"`             // the assistant's text
	Prompt    int       `json:"prompt_tokens,omitempty"`     // prompt tokens (usage)
	Complete  int       `json:"completion_tokens,omitempty"` // completion tokens (usage)
	LatencyMS float64   `json:"latency_ms,omitempty"`        // latency of the successful attempt
	Attempts  int       `json:"attempts,omitempty"`          // attempts made
	Verdict   string    `json:"verdict,omitempty"`           // what the workflow parsed from the reply
	Error     string    `json:"error,omitempty"`             // the call failed (not resumable: retried on resume)
	Time      time.Time `json:"time"`                        // when the record was written
	// Final record fields.
	Rounds    int            `json:"rounds,omitempty"`     // rounds run
	Calls     int            `json:"calls,omitempty"`      // calls made (including resumed ones)
	Tokens    int            `json:"tokens,omitempty"`     // tokens spent
	BudgetEnd string         `json:"budget_end,omitempty"` // which limit ended the run ("" when the workflow finished)
	Outcome   map[string]any `json:"outcome,omitempty"`    // workflow-specific summary
}

// Trace is a JSONL file of records. Every write replaces the file atomically, so a crash leaves
// the previous complete trace; reopening it resumes: finished calls are served from it.
type Trace struct {
	path    string
	mu      sync.Mutex
	records []Record
	done    map[string]Record // key → finished call from an earlier run
	resumed int
}

// OpenTrace opens (or creates) the trace at path, loading the finished calls of an earlier run.
// An empty path keeps the trace in memory only.
func OpenTrace(path string) (*Trace, error) {
	t := &Trace{path: path, done: map[string]Record{}}
	if path == "" {
		return t, nil
	}
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return t, nil
	}
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for line := 1; sc.Scan(); line++ {
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if r.Kind == "call" && r.Error == "" {
			t.done[r.Key] = r
		}
	}
	return t, sc.Err()
}

// Key hashes a call's identity.
func Key(role string, round int, msgs []Message) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", role, round)
	_ = json.NewEncoder(h).Encode(msgs)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// lookup returns a finished call of an earlier run.
func (t *Trace) lookup(key string) (Record, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.done[key]
	return r, ok
}

// Append adds a record and rewrites the file atomically.
func (t *Trace) Append(r Record) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if r.Time.IsZero() {
		r.Time = time.Now().UTC()
	}
	t.records = append(t.records, r)
	if t.path == "" {
		return nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, rec := range t.records {
		if err := enc.Encode(rec); err != nil {
			return err
		}
	}
	return atomicfile.WriteFile(t.path, buf.Bytes(), 0o644)
}

// Records returns a copy of this run's records.
func (t *Trace) Records() []Record {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Record{}, t.records...)
}

// Resumed returns how many calls were served from an earlier run's trace.
func (t *Trace) Resumed() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.resumed
}
