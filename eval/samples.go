package eval

import (
	"github.com/ascent-rl/ascent/internal/atomicfile"

	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// Sample is one response to one problem, with its verdict. It is the line format of samples.jsonl.
type Sample struct {
	Benchmark        string `json:"benchmark"`                   // canonical benchmark name
	ProblemID        string `json:"problem_id"`                  // problem ID within the benchmark
	SampleIndex      int    `json:"sample_index"`                // 0..k−1
	Model            string `json:"model,omitempty"`             // model name (generation) or the responses file's model field
	Prompt           string `json:"prompt,omitempty"`            // the text sent to the model (generation only)
	Response         string `json:"response"`                    // the model's output
	Gold             string `json:"gold"`                        // reference answer
	FinishReason     string `json:"finish_reason,omitempty"`     // "stop" or "length" (generation only)
	CompletionTokens int    `json:"completion_tokens,omitempty"` // tokens reported by the server, 0 if unknown
	Seed             uint64 `json:"seed,omitempty"`              // sampling seed sent with the request
	Graded           bool   `json:"graded"`                      // false for raw generations not yet scored
	Pred             string `json:"pred"`                        // extracted answer ("" when none)
	VoteKey          string `json:"vote_key"`                    // normalised answer used by maj@k
	Correct          bool   `json:"correct"`                     // final verdict (rule OR judge)
	Status           string `json:"status"`                      // verifier status: ok, unparsable, timeout, error
	GradedBy         string `json:"graded_by,omitempty"`         // "rule" or "judge" (who said correct, or judge when it was asked)
	Detail           string `json:"detail,omitempty"`            // verifier or judge detail
	PredSource       string `json:"pred_source,omitempty"`       // when set, the field the prediction was read from instead of extracted
}

// sampleKey identifies a sample for resumption.
type sampleKey struct {
	bench, id string
	index     int
}

func (s *Sample) key() sampleKey { return sampleKey{s.Benchmark, s.ProblemID, s.SampleIndex} }

// loadSamples reads samples.jsonl. A final line without a newline (a crash mid-write) is dropped and the
// file truncated to the last complete line, so appends continue cleanly. A missing file is no samples.
func loadSamples(path string) ([]Sample, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("eval: read %s: %w", path, err)
	}
	if n := bytes.LastIndexByte(data, '\n'); n+1 != len(data) {
		data = data[:n+1]
		if err := os.Truncate(path, int64(n+1)); err != nil {
			return nil, fmt.Errorf("eval: truncate partial line of %s: %w", path, err)
		}
	}
	var out []Sample
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 1<<20), maxLine)
	line := 0
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var s Sample
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			return nil, fmt.Errorf("eval: %s line %d: %w (delete the file to start over)", path, line, err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("eval: read %s: %w", path, err)
	}
	return out, nil
}

// sampleLog appends samples to samples.jsonl as they arrive; one Write per line, under a mutex.
type sampleLog struct {
	mu sync.Mutex
	f  *os.File
}

// openSampleLog opens path for appending, creating it and its directory.
func openSampleLog(path string) (*sampleLog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("eval: create %s: %w", filepath.Dir(path), err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("eval: open %s: %w", path, err)
	}
	return &sampleLog{f: f}, nil
}

// Append writes one sample as a JSON line.
func (l *sampleLog) Append(s Sample) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("eval: encode sample: %w", err)
	}
	b = append(b, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.f.Write(b); err != nil {
		return fmt.Errorf("eval: append to %s: %w", l.f.Name(), err)
	}
	return nil
}

// Close closes the file.
func (l *sampleLog) Close() error { return l.f.Close() }

// writeSamples atomically replaces path with samples, one JSON line each.
func writeSamples(path string, samples []Sample) error {
	return writeAtomic(path, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		for i := range samples {
			if err := enc.Encode(&samples[i]); err != nil {
				return err
			}
		}
		return bw.Flush()
	})
}

// writeAtomic writes a file through a temporary file in the same directory and a rename.
func writeAtomic(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("eval: create %s: %w", dir, err)
	}
	if err := atomicfile.Write(path, 0o644, write); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	return nil
}

// sortSamples orders samples by benchmark order, then problem order, then sample index.
func sortSamples(samples []Sample, benchOrder []string, problemOrder map[string]map[string]int) {
	bi := map[string]int{}
	for i, b := range benchOrder {
		bi[b] = i
	}
	sort.SliceStable(samples, func(i, j int) bool {
		a, b := &samples[i], &samples[j]
		if a.Model != b.Model {
			return a.Model < b.Model
		}
		if a.Benchmark != b.Benchmark {
			return bi[a.Benchmark] < bi[b.Benchmark]
		}
		if a.ProblemID != b.ProblemID {
			po := problemOrder[a.Benchmark]
			return po[a.ProblemID] < po[b.ProblemID]
		}
		return a.SampleIndex < b.SampleIndex
	})
}
