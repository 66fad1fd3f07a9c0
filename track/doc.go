// Package track records training runs and reads them back: the run directory format, the metrics
// JSONL log (verl's metric names), the SQLite run store, TensorBoard event files and the
// entropy–performance law fit. The commands that use it are `ascent runs` and `ascent dash`:
//
//	ascent runs list --runs ./runs
//	ascent runs show RUN --runs ./runs
//	ascent dash --runs ./runs            # web dashboard on http://127.0.0.1:8080
//
// # Run directory format
//
// This is THE on-disk format of a run. Everything the dashboard and `ascent runs` show is read from
// these files; the SQLite store is only an index over them and is rebuilt from them when missing.
//
//	RUNS_ROOT/<run-id>/run.json                 run metadata and status (RunInfo), rewritten atomically
//	RUNS_ROOT/<run-id>/config.yaml              the resolved config (YAML), written once at Open
//	RUNS_ROOT/<run-id>/metrics.jsonl            one JSON object per logged step: {"step": N, "<metric>": value, ...}
//	RUNS_ROOT/<run-id>/samples/step_N.jsonl     one Sample per line: {"prompt","response","reward","verdict","ground_truth","pred"}
//	RUNS_ROOT/<run-id>/summary.json             {"eval_before": x, "eval_after": y, ...}, written atomically
//	RUNS_ROOT/<run-id>/checkpoints/...          model checkpoints (written by the trainer, not by this package)
//	RUNS_ROOT/<run-id>/events.out.tfevents.*    TensorBoard scalars (one file per process that wrote the run)
//	RUNS_ROOT/ascent.db                         SQLite run store (an index; safe to delete)
//
// Metric names follow verl (see the constants in metrics.go): critic/score/mean, actor/entropy,
// actor/pg_clipfrac, response_length/mean, timing_s/step, perf/throughput, val/accuracy, ...
// A metrics line is written with one write(2) call so a reader never sees two interleaved lines; a
// crash can leave at most a truncated last line, which readers report and skip. Non-finite values
// are written as the JSON strings "NaN", "Infinity" and "-Infinity".
//
// # Writing a run (the trainer's side)
//
//	run, err := track.Open(root, track.RunMeta{Name: "gsm8k-grpo", Preset: "grpo", ConfigYAML: cfg})
//	fmt.Println(track.DashHint(root))
//	for step := 1; ...; step++ {
//	    run.Log(step, map[string]float64{track.MetricEntropy: h, track.MetricScoreMean: r})
//	    run.LogSamples(step, samples)
//	    // at a checkpoint: run.Sync()
//	}
//	run.Finish(track.StatusCompleted)
//
// A resumed run calls Resume(root, id, step): metrics beyond the resumed step are cut so the files
// equal those of an uninterrupted run.
package track
