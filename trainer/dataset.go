package trainer

import (
	"fmt"

	"github.com/ascent-rl/ascent/data"
)

// openData builds the training sampler, the held-out set and the demonstration lookup, and checks
// that the method's needs (demonstrations for HPT and the SFT warm-up) are met by the data.
func (t *Trainer) openData() error {
	c := t.cfg
	var train data.Source
	var val []data.Example
	if c.Data.TrainFile != "" {
		opts := data.LoadOptions{PromptSuffix: data.ResolveSuffix(c.Data.PromptSuffix)}
		ds, err := data.LoadFile(c.Data.TrainFile, opts)
		if err != nil {
			return fmt.Errorf("data.train_file: %w", err)
		}
		train = ds
		if c.Data.ValFile != "" {
			vs, err := data.LoadFile(c.Data.ValFile, opts)
			if err != nil {
				return fmt.Errorf("data.val_file: %w", err)
			}
			val = vs.Examples
		}
	} else {
		task, err := data.NewTask(c.Data.Task, c.Data.Level, c.Data.TaskOptions)
		if err != nil {
			return fmt.Errorf("data.task: %w", err)
		}
		seed := streamSeed(c.Run.Seed, "data")
		train = data.NewTaskSource(task, seed, data.SplitTrain, c.Data.TrainSize)
		if val, err = splitExamples(task, seed, data.SplitTest, c.Eval.Problems, c.Eval.Distinct); err != nil {
			return fmt.Errorf("data.task %s: %w", c.Data.Task, err)
		}
	}
	if len(val) > c.Eval.Problems {
		val = val[:c.Eval.Problems]
	}
	t.val = val
	t.distinctVal = distinctProblems(len(val), func(i int) (data.Example, error) { return val[i], nil })
	if c.Data.TrainFile == "" {
		t.distinctTrain = distinctProblems(train.Len(), train.At)
	}
	s, err := data.NewSampler(train, streamSeed(c.Run.Seed, "order"), true)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	t.train = s
	t.demos = &demoSource{src: train}
	needDemo := c.SFT.Steps > 0 || c.Algo.Reward.Switch.Enabled
	if needDemo {
		if err := t.demos.check(); err != nil {
			why := "sft.steps > 0"
			if c.Algo.Reward.Switch.Enabled {
				why = fmt.Sprintf("preset %s routes failed prompts to their demonstration", c.Preset)
			}
			return fmt.Errorf("data: %s needs a demonstration on every row: %w", why, err)
		}
	}
	return nil
}

// splitExamples is the first n examples of a built-in task's split from seed, repeats included,
// or with distinct its first n distinct ones (data.HeldOut): a run's held-out set and the start
// of its training source, as TaskExamples exports them.
func splitExamples(task data.Task, seed uint64, split data.Split, n int, distinct bool) ([]data.Example, error) {
	if distinct {
		return data.HeldOut(task, seed, split, n)
	}
	src := data.NewTaskSource(task, seed, split, n)
	out := make([]data.Example, n)
	for i := range out {
		var err error
		if out[i], err = src.At(i); err != nil {
			return nil, fmt.Errorf("%s example %d: %w", split, i, err)
		}
	}
	return out, nil
}

// distinctProblems counts the distinct prompts among n examples (0 if one cannot be read: the
// count is informational, and reading the data reports that error where it matters).
func distinctProblems(n int, at func(int) (data.Example, error)) int {
	seen := make(map[string]struct{}, n)
	for i := 0; i < n; i++ {
		ex, err := at(i)
		if err != nil {
			return 0
		}
		seen[ex.Key()] = struct{}{}
	}
	return len(seen)
}

// demoSource hands out demonstrations for the SFT warm-up.
type demoSource struct {
	src data.Source
}

// check verifies (on the first rows) that demonstrations exist.
func (d *demoSource) check() error {
	n := min(d.src.Len(), 64)
	for i := 0; i < n; i++ {
		ex, err := d.src.At(i)
		if err != nil {
			return err
		}
		if ex.Demonstration == "" {
			return fmt.Errorf("row %d (id %q) has no demonstration", i, ex.ID)
		}
	}
	return nil
}

// batch returns the demonstrations of SFT step `step` (a deterministic walk through the source).
func (d *demoSource) batch(step, rows int) ([]data.Example, error) {
	out := make([]data.Example, 0, rows)
	for i := 0; i < rows; i++ {
		idx := int(streamSeed(uint64(step), "sft", i) % uint64(d.src.Len()))
		ex, err := d.src.At(idx)
		if err != nil {
			return nil, err
		}
		out = append(out, ex)
	}
	return out, nil
}
