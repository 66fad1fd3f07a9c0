package data

import (
	"fmt"
	"strings"
)

// Config is the data section of a run config (`data:` in run.yaml): where training and validation
// prompts come from, and how the sampler orders them. Field tags match the config package
// (koanf/YAML keys).
type Config struct {
	// Task is a built-in task name ("arith", "countdown"); empty to train from TrainFiles.
	Task string `yaml:"task" json:"task"`
	// Level is the task's difficulty preset, 1..5.
	Level int `yaml:"level" json:"level"`
	// Overrides replaces fields of the level preset, keyed by their JSON names
	// (e.g. {operands: 4, ops: "+*"}); unknown keys are an error.
	Overrides map[string]any `yaml:"overrides" json:"overrides,omitempty"`
	// TaskSeed selects the generated problems (the same seed always gives the same problems).
	TaskSeed uint64 `yaml:"task_seed" json:"task_seed"`
	// TrainSize is how many training problems a built-in task provides per epoch (>= 1).
	TrainSize int `yaml:"train_size" json:"train_size"`
	// ValSize is how many held-out problems a built-in task provides for validation (>= 0).
	ValSize int `yaml:"val_size" json:"val_size"`
	// TrainFiles are JSONL or parquet files read in order into one training set (when Task is empty).
	TrainFiles []string `yaml:"train_files" json:"train_files,omitempty"`
	// ValFiles are JSONL or parquet files read in order into one validation set (optional).
	ValFiles []string `yaml:"val_files" json:"val_files,omitempty"`
	// DefaultDataSource is the data_source of file rows that have none ("" makes them an error).
	DefaultDataSource string `yaml:"default_data_source" json:"default_data_source,omitempty"`
	// PromptSuffix is appended to every file prompt; "justrl" means JustRLSuffix. Built-in task
	// prompts are left alone (they are sized for tiny contexts).
	PromptSuffix string `yaml:"prompt_suffix" json:"prompt_suffix,omitempty"`
	// Shuffle permutes each epoch (verl's data.shuffle).
	Shuffle bool `yaml:"shuffle" json:"shuffle"`
	// Seed seeds the sampler's epoch permutations.
	Seed uint64 `yaml:"seed" json:"seed"`
}

// DefaultConfig is the newcomer's run: level-1 arith, 10,000 training and 256 held-out problems.
func DefaultConfig() Config {
	return Config{Task: "arith", Level: 1, TrainSize: 10000, ValSize: 256, Shuffle: true}
}

// Validate checks the fields that do not need the files or the task registry's presets.
func (c Config) Validate() error {
	switch {
	case c.Task == "" && len(c.TrainFiles) == 0:
		return fmt.Errorf("data: config: task is empty and train_files is empty; set one (tasks: %s)", strings.Join(TaskNames(), ", "))
	case c.Task != "" && len(c.TrainFiles) > 0:
		return fmt.Errorf("data: config: task = %q and train_files are both set; choose one", c.Task)
	case c.Task != "" && c.TrainSize < 1:
		return fmt.Errorf("data: config: train_size = %d, want >= 1", c.TrainSize)
	case c.Task != "" && c.ValSize < 0:
		return fmt.Errorf("data: config: val_size = %d, want >= 0", c.ValSize)
	}
	if c.Task != "" {
		if _, err := LookupTask(c.Task); err != nil {
			return err
		}
	}
	return nil
}

// suffix resolves PromptSuffix.
func (c Config) suffix() string {
	if strings.EqualFold(c.PromptSuffix, "justrl") {
		return JustRLSuffix
	}
	return c.PromptSuffix
}

// Open builds the training and validation sources. For a task, train is SplitTrain indices
// 0..TrainSize-1 and val is SplitTest indices 0..ValSize-1 (nil when ValSize is 0); for files,
// val is nil when ValFiles is empty.
func (c Config) Open() (train, val Source, err error) {
	if err := c.Validate(); err != nil {
		return nil, nil, err
	}
	if c.Task != "" {
		task, err := NewTask(c.Task, c.Level, c.Overrides)
		if err != nil {
			return nil, nil, err
		}
		train = NewTaskSource(task, c.TaskSeed, SplitTrain, c.TrainSize)
		if c.ValSize > 0 {
			val = NewTaskSource(task, c.TaskSeed, SplitTest, c.ValSize)
		}
		return train, val, nil
	}
	opts := LoadOptions{DefaultDataSource: c.DefaultDataSource, PromptSuffix: c.suffix()}
	td, err := LoadFiles(c.TrainFiles, opts)
	if err != nil {
		return nil, nil, err
	}
	if len(c.ValFiles) > 0 {
		vd, err := LoadFiles(c.ValFiles, opts)
		if err != nil {
			return nil, nil, err
		}
		return td, vd, nil
	}
	return td, nil, nil
}

// LoadFiles reads several dataset files, in order, into one Dataset.
func LoadFiles(paths []string, opts LoadOptions) (*Dataset, error) {
	out := &Dataset{Name: strings.Join(paths, ",")}
	for _, p := range paths {
		d, err := LoadFile(p, opts)
		if err != nil {
			return nil, err
		}
		out.Examples = append(out.Examples, d.Examples...)
	}
	if len(out.Examples) == 0 {
		return nil, fmt.Errorf("data: %s: no rows", out.Name)
	}
	return out, nil
}
