package trainer

import (
	"fmt"

	"github.com/ascent-rl/ascent/data"
)

// p1Recipe turns the default recipe into P1's on the built-in physics task (docs/p1.md): worked
// demonstrations for the SFT warm-up, then the p1 preset (GSPO + sequence-level truncated IS) on
// two-part problems graded sub-answer by sub-answer (the physics reward: the fraction right). The
// compact prompts are ≤ 31 tokens and the demonstrations, which work the arithmetic one operation
// at a time, ≤ 85 with EOS, which the tiny model's 64-token context cannot hold, so the recipe
// gives the tiny model a 128-token context; everything else keeps the default recipe's tiny-model
// scaling (ScaleForTinyModel). The default math recipe is
// untouched: only preset p1 calls this.
//
// The budget is smaller than the default recipe's (issue #15: ≤ 10 minutes a run on two cores):
// 300 SFT steps (39.1% mean sub-answer held-out with the worked demonstrations, 19.0% after 100),
// then 50 RL steps of 16 prompts × 8 responses in four mini-batches at twice the default learning
// rate, 500 held-out problems; about 6.5 minutes of two cores (docs/benchmarks.md, session 11).
func p1Recipe(c *Config) {
	c.Data = DataConfig{Task: "physics", Level: 2, TrainSize: 20000}
	c.Model.Context = 128
	c.Run.Steps = 50
	c.SFT.Steps = 300
	c.Eval.Problems, c.Eval.Distinct = 500, true
	c.Algo.Batch.MaxPromptLen, c.Algo.Batch.MaxResponseLen = 36, 92
	c.Algo.Batch.Prompts, c.Algo.Batch.MiniBatchPrompts = 16, 4
	c.Algo.Optim.LR = 2e-4
}

// TaskExamples returns the first n examples of a built-in task's split exactly as a run with
// run.seed = runSeed draws them (the same data seed): the test split is that run's held-out set
// (eval.problems = n, eval.distinct = distinct), the train split the first n problems of its
// training source, repeats included. `ascent data export` writes them to a file, e.g. for
// the learnability filter (P1 filters the training set offline, then trains on the kept problems
// and evaluates on the same held-out set).
func TaskExamples(task string, level int, options map[string]any, split data.Split, n int, runSeed uint64, distinct bool) ([]data.Example, error) {
	t, err := data.NewTask(task, level, options)
	if err != nil {
		return nil, err
	}
	out, err := splitExamples(t, streamSeed(runSeed, "data"), split, n, distinct && split == data.SplitTest)
	if err != nil {
		return nil, fmt.Errorf("data.task %s: %w", task, err)
	}
	return out, nil
}
