// Package data is where the prompts the RL trainer learns from come from: built-in procedurally
// generated reasoning tasks with exact answers (arith, countdown), JSONL and verl-parquet datasets,
// and a resumable, deterministic sampler that hands the trainer P prompts per step.
//
// It is used by `ascent train` (training prompts; `--resume` continues the exact data order) and
// `ascent eval` (held-out splits and benchmark files). From a run config's `data:` section:
//
//	train, val, err := cfg.Data.Open()              // data.Config: task+level, or train_files
//	s, err := data.NewSampler(train, cfg.Data.Seed, cfg.Data.Shuffle)
//	batch, err := s.Next(64)                        // 64 prompts for one RL step
//	state := s.State()                              // into state.json; s.Restore(state) on resume
//
// or directly:
//
//	task, _ := data.NewTask("arith", 1, nil)                   // level-1 arithmetic
//	src := data.NewTaskSource(task, 42, data.SplitTrain, 10000) // 10k reproducible prompts
//
// Every row is an Example in verl's shape (prompt chat list, reward_model.ground_truth, data_source,
// extra_info); the reward registry picks a verifier by Example.DataSource. See docs/data.md.
package data
