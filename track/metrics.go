package track

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"

	"github.com/ascent-rl/ascent/metric"
)

// Metric names the dashboard charts, from package metric's table (as verl spells them).
const (
	MetricScoreMean      = metric.ScoreMean        // mean raw sequence reward
	MetricRewardsMean    = metric.RewardsMean      // mean reward after in-reward KL
	MetricAdvantagesMean = metric.AdvantagesMean   // mean advantage over valid tokens
	MetricEntropy        = metric.Entropy          // mean token entropy of the policy on the batch
	MetricPGLoss         = metric.PGLoss           // policy-gradient loss
	MetricPGClipfrac     = metric.PGClipFrac       // fraction of tokens clipped at 1+ε (upper)
	MetricPGClipfracLow  = metric.PGClipFracLower  // fraction of tokens clipped by dual-clip (lower)
	MetricPPOKL          = metric.PPOKL            // approx KL(old ‖ new) over the update
	MetricKLLoss         = metric.KLLoss           // KL-to-reference loss term
	MetricGradNorm       = metric.GradNorm         // global gradient norm before clipping
	MetricLR             = metric.LR               // learning rate
	MetricRespLenMean    = metric.RespLenMean      // mean response length in tokens
	MetricRespClipRatio  = metric.RespClipRatio    // fraction of responses cut at max length
	MetricTimeStep       = metric.TimeStep         // wall seconds of the whole step
	MetricTimeGen        = metric.TimeGen          // wall seconds of rollout generation
	MetricTimeUpdate     = metric.TimeUpdate       // wall seconds of the actor update
	MetricThroughput     = metric.Throughput       // tokens / s / device
	MetricAccuracy       = metric.Accuracy         // fraction of responses graded correct on the batch
	MetricTimeoutRatio   = metric.TimeoutRatio     // fraction of rewards whose verifier timed out
	MetricUnparsable     = metric.UnparsableRatio  // fraction of responses with no extractable answer
	MetricErrorRatio     = metric.ErrorRatio       // fraction of rewards whose verifier failed
	MetricValAccuracy    = metric.ValAccuracy      // validation accuracy (only on validation steps)
	MetricValPass1       = metric.ValPassAt + "1"  // sampled held-out pass@1 (eval.pass_k > 0)
	MetricValPass16      = metric.ValPassAt + "16" // sampled held-out pass@16 (eval.pass_k ≥ 16)
	MetricValDistinct    = metric.ValDistinctCorrect
	MetricLogpAdvCov     = metric.LogpAdvCov
)

// Row is one line of metrics.jsonl: a step and the metrics logged at it.
type Row struct {
	// Step is the training step (the "step" key of the line).
	Step int
	// Values maps metric name to value; NaN and ±Inf are allowed.
	Values map[string]float64
}

// MarshalJSON renders the row as its metrics.jsonl line (without the newline).
func (r Row) MarshalJSON() ([]byte, error) {
	line, err := encodeRow(r.Step, r.Values)
	if err != nil {
		return nil, err
	}
	return line[:len(line)-1], nil
}

// BadLine is a metrics or samples line that could not be parsed; readers skip it and report it.
type BadLine struct {
	// Path is the file the line is in.
	Path string
	// Line is the 1-based line number.
	Line int
	// Err says what is wrong with it.
	Err error
}

// String renders the bad line as "path:line: reason".
func (b BadLine) String() string { return fmt.Sprintf("%s:%d: %v", b.Path, b.Line, b.Err) }

// encodeRow renders a metrics line: {"step":N,"k1":v1,...} with keys sorted, ending in '\n'.
func encodeRow(step int, values map[string]float64) ([]byte, error) {
	keys := make([]string, 0, len(values))
	for k := range values {
		if k == "step" || k == "" {
			return nil, fmt.Errorf("metric name %q is reserved or empty", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.WriteString(`{"step":`)
	b.WriteString(strconv.Itoa(step))
	for _, k := range keys {
		kj, _ := json.Marshal(k)
		b.WriteByte(',')
		b.Write(kj)
		b.WriteByte(':')
		b.WriteString(formatValue(values[k]))
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// formatValue renders a float as JSON; non-finite values become the strings "NaN", "Infinity", "-Infinity".
func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return `"NaN"`
	case math.IsInf(v, 1):
		return `"Infinity"`
	case math.IsInf(v, -1):
		return `"-Infinity"`
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// parseRow decodes one metrics line.
func parseRow(line []byte) (Row, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		return Row{}, fmt.Errorf("not a JSON object: %w", err)
	}
	stepRaw, ok := raw["step"]
	if !ok {
		return Row{}, errors.New(`missing "step"`)
	}
	var step int
	if err := json.Unmarshal(stepRaw, &step); err != nil || step < 0 {
		return Row{}, fmt.Errorf(`"step" = %s, want a non-negative integer`, stepRaw)
	}
	row := Row{Step: step, Values: make(map[string]float64, len(raw)-1)}
	for k, v := range raw {
		if k == "step" {
			continue
		}
		f, err := parseValue(v)
		if err != nil {
			return Row{}, fmt.Errorf("metric %q: %w", k, err)
		}
		row.Values[k] = f
	}
	return row, nil
}

// parseValue decodes a number, null (NaN) or one of the strings "NaN", "Infinity", "-Infinity".
func parseValue(v json.RawMessage) (float64, error) {
	var f float64
	if err := json.Unmarshal(v, &f); err == nil {
		return f, nil
	}
	if string(v) == "null" {
		return math.NaN(), nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		switch s {
		case "NaN":
			return math.NaN(), nil
		case "Infinity", "+Infinity", "inf":
			return math.Inf(1), nil
		case "-Infinity", "-inf":
			return math.Inf(-1), nil
		}
	}
	return 0, fmt.Errorf("value %s is not a number", v)
}

// ReadMetrics reads a metrics.jsonl file. Lines that do not parse (for example a last line cut
// short by a crash) are skipped and returned in bad; err is only for I/O failures.
func ReadMetrics(path string) (rows []Row, bad []BadLine, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read metrics: %w", err)
	}
	defer f.Close()
	rows, bad, _, err = readRows(f, path, 1, false)
	return rows, bad, err
}

// ReadMetricsFrom reads the complete lines of a metrics.jsonl file from byte offset on, for
// following a live run. A final line without '\n' is still being written: it is left unread and
// next points at its start. Line numbers in bad count from the offset.
func ReadMetricsFrom(path string, offset int64) (rows []Row, bad []BadLine, next int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, offset, fmt.Errorf("read metrics: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, nil, offset, fmt.Errorf("seek %s to %d: %w", path, offset, err)
	}
	rows, bad, n, err := readRows(f, path, 1, true)
	return rows, bad, offset + n, err
}

// readRows parses lines from r; firstLine is the number of the first line. It returns the bytes
// consumed. A final line without '\n' is parsed (and reported bad only when it fails to parse)
// unless completeOnly, in which case it is left unconsumed.
func readRows(r io.Reader, path string, firstLine int, completeOnly bool) (rows []Row, bad []BadLine, consumed int64, err error) {
	br := bufio.NewReaderSize(r, 1<<16)
	n := firstLine
	for {
		line, rerr := br.ReadBytes('\n')
		if len(line) > 0 {
			complete := line[len(line)-1] == '\n'
			if !complete && completeOnly {
				return rows, bad, consumed, nil
			}
			trimmed := bytes.TrimSpace(line)
			if len(trimmed) > 0 {
				row, perr := parseRow(trimmed)
				switch {
				case perr == nil:
					rows = append(rows, row)
				case !complete:
					bad = append(bad, BadLine{Path: path, Line: n, Err: fmt.Errorf("truncated last line (%d bytes, no newline): %w", len(line), perr)})
				default:
					bad = append(bad, BadLine{Path: path, Line: n, Err: perr})
				}
			}
			consumed += int64(len(line))
			n++
		}
		if rerr == io.EOF {
			return rows, bad, consumed, nil
		}
		if rerr != nil {
			return rows, bad, consumed, fmt.Errorf("read %s: %w", path, rerr)
		}
	}
}

// Series extracts (step, value) pairs of one metric from rows, skipping steps that lack it.
func Series(rows []Row, key string) (steps []int, values []float64) {
	for _, r := range rows {
		if v, ok := r.Values[key]; ok {
			steps = append(steps, r.Step)
			values = append(values, v)
		}
	}
	return steps, values
}

// Keys returns every metric name that appears in rows, sorted.
func Keys(rows []Row) []string {
	seen := map[string]bool{}
	for _, r := range rows {
		for k := range r.Values {
			seen[k] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
