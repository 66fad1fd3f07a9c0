package track

import (
	"github.com/ascent-rl/ascent/internal/atomicfile"

	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"
)

// Run statuses. A run is running until Finish; a running run whose process is gone shows as
// interrupted when read (see RunInfo.Effective).
const (
	StatusRunning     = "running"
	StatusCompleted   = "completed"
	StatusFailed      = "failed"
	StatusInterrupted = "interrupted"
	// StatusUnknown is shown for a directory that has metrics but no run.json.
	StatusUnknown = "unknown"
)

// File names inside a run directory.
const (
	FileInfo    = "run.json"
	FileConfig  = "config.yaml"
	FileMetrics = "metrics.jsonl"
	FileSummary = "summary.json"
	DirSamples  = "samples"
	// DBName is the SQLite run store's file name under the runs root.
	DBName = "ascent.db"
)

// HeartbeatInterval is how often a live Run refreshes its heartbeat; StaleAfter is how old a
// heartbeat may be before a running run is shown as interrupted.
const (
	HeartbeatInterval = 15 * time.Second
	StaleAfter        = 2 * time.Minute
)

// RunInfo is the content of run.json: a run's identity and status.
type RunInfo struct {
	// ID is the run id, also the directory name.
	ID string `json:"id"`
	// Name is a human label (may repeat across runs).
	Name string `json:"name"`
	// Preset is the algorithm preset (grpo, dapo, justrl, ...).
	Preset string `json:"preset"`
	// GitRev is the source revision the trainer was built from.
	GitRev string `json:"git_rev"`
	// Host is the machine the run was started on.
	Host string `json:"host"`
	// PID is the process id of the writer (meaningful only on Host).
	PID int `json:"pid"`
	// Status is as last written by the writer; see Effective for what to show.
	Status string `json:"status"`
	// Start is when the run was opened.
	Start time.Time `json:"start"`
	// End is when the run finished (zero while running).
	End time.Time `json:"end,omitzero"`
	// Heartbeat is the writer's last sign of life.
	Heartbeat time.Time `json:"heartbeat"`
	// ResumedFrom lists the steps the run was resumed from, in order.
	ResumedFrom []int `json:"resumed_from,omitempty"`
}

// Effective returns the status to show: a running run whose writer is provably gone (same host
// and the pid is dead) or whose heartbeat is older than StaleAfter is interrupted.
func (i RunInfo) Effective(now time.Time) string {
	if i.Status != StatusRunning {
		return i.Status
	}
	if host, _ := os.Hostname(); host == i.Host && i.PID > 0 && !pidAlive(i.PID) {
		return StatusInterrupted
	}
	if now.Sub(i.Heartbeat) > StaleAfter {
		return StatusInterrupted
	}
	return StatusRunning
}

// pidAlive reports whether a process with this pid exists (signal 0 probe).
func pidAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// Sample is one graded rollout, a line of samples/step_N.jsonl.
type Sample struct {
	// Prompt is the prompt text the policy saw.
	Prompt string `json:"prompt"`
	// Response is the sampled completion.
	Response string `json:"response"`
	// Reward is the scalar reward it got.
	Reward float64 `json:"reward"`
	// Verdict is the verifier's verdict (correct, wrong, no_answer, timeout, error, ...).
	Verdict string `json:"verdict"`
	// GroundTruth is the reference answer.
	GroundTruth string `json:"ground_truth"`
	// Pred is the answer extracted from the response.
	Pred string `json:"pred"`
}

// validID matches run ids: they become directory names, so no separators or dot-only names.
var validID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// RunDir returns root/id after checking that id is a valid run id.
func RunDir(root, id string) (string, error) {
	if !validID.MatchString(id) {
		return "", fmt.Errorf("%w %q: want letters, digits, '.', '_' or '-' (max 128, not starting with a symbol)", ErrBadRunID, id)
	}
	return filepath.Join(root, id), nil
}

// ErrBadRunID is wrapped by errors for a malformed run id.
var ErrBadRunID = errors.New("invalid run id")

// ErrUnknownRun is wrapped by errors for a run id that has no directory under the root.
var ErrUnknownRun = errors.New("unknown run")

// ReadInfo reads root/id/run.json. A directory with metrics but no run.json (written by another
// tool) gets a synthesized RunInfo with status unknown.
func ReadInfo(root, id string) (RunInfo, error) {
	dir, err := RunDir(root, id)
	if err != nil {
		return RunInfo{}, err
	}
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		known, _ := ListRunIDs(root)
		return RunInfo{}, fmt.Errorf("%w %q in %s; known runs: %s", ErrUnknownRun, id, root, nameList(known))
	}
	b, err := os.ReadFile(filepath.Join(dir, FileInfo))
	if errors.Is(err, fs.ErrNotExist) {
		if _, merr := os.Stat(filepath.Join(dir, FileMetrics)); merr != nil {
			return RunInfo{}, fmt.Errorf("%s is not a run directory: no %s and no %s", dir, FileInfo, FileMetrics)
		}
		return RunInfo{ID: id, Name: id, Status: StatusUnknown, Start: st.ModTime()}, nil
	}
	if err != nil {
		return RunInfo{}, fmt.Errorf("read run info: %w", err)
	}
	var info RunInfo
	if err := json.Unmarshal(b, &info); err != nil {
		return RunInfo{}, fmt.Errorf("parse %s: %w", filepath.Join(dir, FileInfo), err)
	}
	if info.ID != id {
		return RunInfo{}, fmt.Errorf("%s: id %q does not match its directory name %q", filepath.Join(dir, FileInfo), info.ID, id)
	}
	return info, nil
}

// writeInfo writes run.json atomically.
func writeInfo(dir string, info RunInfo) error {
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return fmt.Errorf("encode run info: %w", err)
	}
	return writeFileAtomic(filepath.Join(dir, FileInfo), append(b, '\n'))
}

// nameList renders names for an error message.
func nameList(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	return strings.Join(names, ", ")
}

// ListRunIDs returns the ids of the run directories under root (directories holding run.json or
// metrics.jsonl), sorted.
func ListRunIDs(root string) ([]string, error) {
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	var ids []string
	for _, e := range ents {
		if !e.IsDir() || !validID.MatchString(e.Name()) {
			continue
		}
		for _, f := range []string{FileInfo, FileMetrics} {
			if _, err := os.Stat(filepath.Join(root, e.Name(), f)); err == nil {
				ids = append(ids, e.Name())
				break
			}
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// ReadConfig returns the resolved config of a run as YAML text and parsed.
func ReadConfig(root, id string) (string, map[string]any, error) {
	dir, err := RunDir(root, id)
	if err != nil {
		return "", nil, err
	}
	p := filepath.Join(dir, FileConfig)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, fmt.Errorf("run %q has no config: %s is missing (the trainer writes it at Open)", id, p)
	}
	if err != nil {
		return "", nil, fmt.Errorf("read config: %w", err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		return string(b), nil, fmt.Errorf("parse %s: %w", p, err)
	}
	return string(b), m, nil
}

// ReadSummary returns summary.json of a run, or nil when the run has none yet.
func ReadSummary(root, id string) (map[string]any, error) {
	dir, err := RunDir(root, id)
	if err != nil {
		return nil, err
	}
	p := filepath.Join(dir, FileSummary)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read summary: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse %s: %w", p, err)
	}
	return m, nil
}

// SampleSteps lists the steps that have a samples/step_N.jsonl file, ascending.
func SampleSteps(root, id string) ([]int, error) {
	dir, err := RunDir(root, id)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(filepath.Join(dir, DirSamples))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list samples: %w", err)
	}
	var steps []int
	for _, e := range ents {
		if n, ok := sampleStep(e.Name()); ok {
			steps = append(steps, n)
		}
	}
	sort.Ints(steps)
	return steps, nil
}

// sampleStep parses "step_N.jsonl".
func sampleStep(name string) (int, bool) {
	s, ok := strings.CutPrefix(name, "step_")
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, ".jsonl")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0
}

// ReadSamples reads samples/step_N.jsonl of a run; unparsable lines are skipped and returned in bad.
func ReadSamples(root, id string, step int) ([]Sample, []BadLine, error) {
	dir, err := RunDir(root, id)
	if err != nil {
		return nil, nil, err
	}
	p := filepath.Join(dir, DirSamples, fmt.Sprintf("step_%d.jsonl", step))
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		steps, _ := SampleSteps(root, id)
		return nil, nil, fmt.Errorf("run %q has no samples for step %d (%s missing); steps with samples: %v", id, step, p, steps)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read samples: %w", err)
	}
	var out []Sample
	var bad []BadLine
	for i, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var s Sample
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			bad = append(bad, BadLine{Path: p, Line: i + 1, Err: err})
			continue
		}
		out = append(out, s)
	}
	return out, bad, nil
}

// writeFileAtomic writes data to a temp file in the same directory, syncs it and renames it over path.
func writeFileAtomic(path string, data []byte) error { return atomicfile.WriteFile(path, data, 0o644) }
