package data

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Task is a built-in procedurally generated reasoning task with exact answers.
type Task interface {
	// Name is the registry name, e.g. "arith".
	Name() string
	// DataSource is the data_source the reward registry maps to a verifier, e.g. "ascent/arith".
	DataSource() string
	// Generate returns the i-th example of split from seed. It is a pure function of
	// (task config, seed, split, i): any index can be reproduced without generating the others,
	// and it is safe to call from several goroutines.
	Generate(seed uint64, split Split, i int) (Example, error)
}

// TaskInfo describes a registered task.
type TaskInfo struct {
	// Name is the registry key.
	Name string
	// DataSource is the data_source of every example the task generates.
	DataSource string
	// Description is one line for `ascent` help text.
	Description string
	// Levels is the number of difficulty presets, numbered 1..Levels.
	Levels int
	// New builds the task at a difficulty level with optional overrides of the config fields,
	// keyed by their JSON names (e.g. {"operands": 4}); unknown keys are an error.
	New func(level int, overrides map[string]any) (Task, error)
}

var tasks = map[string]TaskInfo{}

// RegisterTask adds a task to the registry. It panics on a duplicate name: that is a programming
// error caught at start-up, like database/sql.Register.
func RegisterTask(info TaskInfo) {
	if _, dup := tasks[info.Name]; dup {
		panic("data: task " + info.Name + " registered twice")
	}
	tasks[info.Name] = info
}

// TaskNames returns the registered task names, sorted.
func TaskNames() []string {
	names := make([]string, 0, len(tasks))
	for n := range tasks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LookupTask returns the registered task called name, or an error listing the known names.
func LookupTask(name string) (TaskInfo, error) {
	info, ok := tasks[name]
	if !ok {
		return TaskInfo{}, fmt.Errorf("data: unknown task %q; known: %s", name, strings.Join(TaskNames(), ", "))
	}
	return info, nil
}

// NewTask builds the task called name at a difficulty level (1..Levels) with optional config
// overrides keyed by JSON field name.
func NewTask(name string, level int, overrides map[string]any) (Task, error) {
	info, err := LookupTask(name)
	if err != nil {
		return nil, err
	}
	if level < 1 || level > info.Levels {
		return nil, fmt.Errorf("data: task %s: level %d out of range [1, %d]", name, level, info.Levels)
	}
	return info.New(level, overrides)
}

// applyOverrides decodes overrides (JSON field names) onto cfg, rejecting unknown fields.
func applyOverrides(task string, cfg any, overrides map[string]any) error {
	if len(overrides) == 0 {
		return nil
	}
	raw, err := json.Marshal(overrides)
	if err != nil {
		return fmt.Errorf("data: task %s: overrides: %w", task, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(cfg); err != nil {
		return fmt.Errorf("data: task %s: overrides: %w", task, err)
	}
	return nil
}

// TaskSource is a Source over the first N examples of one split of a task from one seed.
type TaskSource struct {
	// Task generates the examples.
	Task Task
	// Seed selects the stream; the same seed always yields the same examples.
	Seed uint64
	// Split is train or test.
	Split Split
	// N is the number of examples (indices 0..N-1).
	N int
}

// NewTaskSource returns a Source of n examples of task's split from seed.
func NewTaskSource(task Task, seed uint64, split Split, n int) *TaskSource {
	return &TaskSource{Task: task, Seed: seed, Split: split, N: n}
}

// Len returns N.
func (s *TaskSource) Len() int { return s.N }

// At generates example i.
func (s *TaskSource) At(i int) (Example, error) {
	if i < 0 || i >= s.N {
		return Example{}, fmt.Errorf("data: task %s: index %d out of range [0, %d)", s.Task.Name(), i, s.N)
	}
	return s.Task.Generate(s.Seed, s.Split, i)
}

// maxSplitAttempts bounds the candidates drawn for one index while looking for a problem of the
// requested split; with HeldOutPercent=10 a test index needs about 10 on average.
const maxSplitAttempts = 2000

// splitID maps a split to the number mixed into the random stream.
func splitID(s Split) uint64 {
	if s == SplitTest {
		return 2
	}
	return 1
}

// exampleID formats the ID of a generated example.
func exampleID(task string, split Split, seed uint64, i int) string {
	return fmt.Sprintf("%s-%s-%d-%d", task, split, seed, i)
}

// HeldOut returns up to n distinct problems of task's split from seed: the split's examples in
// index order, each prompt kept the first time it appears, so a benchmark never counts one problem
// twice. A task whose split holds fewer than n distinct problems gives all it finds within
// max(20·n, 2000) draws (a level-2 physics held-out split has 81, say), fewer than n; a task
// without repeats in its first n examples gives exactly NewTaskSource(task, seed, split, n)'s.
func HeldOut(task Task, seed uint64, split Split, n int) ([]Example, error) {
	src := NewTaskSource(task, seed, split, max(20*n, 2000))
	seen := make(map[string]struct{}, n)
	out := make([]Example, 0, n)
	for i := 0; i < src.Len() && len(out) < n; i++ {
		ex, err := src.At(i)
		if err != nil {
			return nil, fmt.Errorf("data: task %s: %s example %d: %w", task.Name(), split, i, err)
		}
		key := ex.Key()
		if _, dup := seen[key]; dup {
			continue
		}
		seen[key] = struct{}{}
		out = append(out, ex)
	}
	return out, nil
}
