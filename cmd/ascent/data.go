package main

// ascent data filter: P1's learnability filter (package eval): k rollouts per problem with a
// model, and the problems it always solves (pass rate above --max-pass) or never solves are
// dropped; the kept rows carry their pass rate in extra_info.
//
//	ascent data filter --in train.jsonl --out learnable.jsonl --endpoint http://127.0.0.1:8000/v1 --model M --k 88
//	ascent data filter --in train.parquet --out learnable.jsonl --model runs/r1/ckpt --k 16
//
// ascent data export: a built-in task's problems as a JSONL file, exactly as a run with a given
// run.seed draws them (its held-out set, or the start of its training source).
//
//	ascent data export --task physics --level 2 --split test --n 1000 --run-seed 1 --out test.jsonl

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/eval"
	"github.com/ascent-rl/ascent/internal/atomicfile"
	"github.com/ascent-rl/ascent/trainer"
)

func init() {
	var f evalFlags
	var in, outFile, rates, dataSource string
	var k int
	var maxPass float64
	var keepUnsolved bool
	filter := &cobra.Command{
		Use:   "filter",
		Short: "Drop the problems a model always or never solves (P1's learnability filter)",
		Long: `Sample --k responses per problem of --in (JSONL or verl parquet) from a model — an OpenAI-compatible
--endpoint with --model NAME, or a local checkpoint --model DIR — score them through the reward
registry (each row's data_source), and write to --out the rows whose pass rate is in (0, --max-pass]
(P1: 88 rollouts, 0.7), each with extra_info.pass_rate and pass_k. --rates writes every row's rate.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if in == "" || outFile == "" {
				return fmt.Errorf("data filter: --in FILE and --out FILE are required")
			}
			ds, err := data.LoadFile(in, data.LoadOptions{DefaultDataSource: dataSource})
			if err != nil {
				return err
			}
			gen, err := hiphoGenerator(f)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			conc := f.concurrency
			if f.endpoint == "" {
				conc = 1 // the local engine serialises sampling
			}
			kept, rs, err := eval.FilterLearnable(ctx, ds.Examples, gen, eval.LearnabilityOptions{K: k, MaxPass: maxPass, KeepUnsolved: keepUnsolved,
				Sampling: eval.SamplingParams{Temperature: f.temperature, TopP: f.topP, MaxTokens: f.maxTokens, Seed: f.seed}, Concurrency: conc, Progress: cmd.ErrOrStderr()})
			if err != nil {
				return err
			}
			if err := data.WriteJSONL(outFile, kept); err != nil {
				return err
			}
			if rates != "" {
				var b []byte
				for _, r := range rs {
					line, _ := json.Marshal(r)
					b = append(append(b, line...), '\n')
				}
				if err := atomicfile.WriteFile(rates, b, 0o644); err != nil {
					return err
				}
			}
			always, never := 0, 0
			for _, r := range rs {
				switch {
				case r.Rate > maxPass:
					always++
				case r.Rate == 0:
					never++
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "data filter: %d of %d problems kept (%d above pass rate %g, %d never solved%s) → %s\n",
				len(kept), len(rs), always, maxPass, never, map[bool]string{true: ", kept", false: ""}[keepUnsolved], outFile)
			return nil
		},
	}
	fl := filter.Flags()
	fl.StringVar(&in, "in", "", "problems: JSONL or verl parquet (required)")
	fl.StringVar(&outFile, "out", "", "the kept rows, JSONL (required)")
	fl.StringVar(&rates, "rates", "", "also write every row's pass rate here (JSONL)")
	fl.StringVar(&dataSource, "data-source", "", "data_source for rows without one")
	fl.IntVar(&k, "k", 8, "rollouts per problem (P1: 88)")
	fl.Float64Var(&maxPass, "max-pass", 0.7, "drop problems solved more often than this")
	fl.BoolVar(&keepUnsolved, "keep-unsolved", false, "keep problems the model never solved (P1 drops them)")
	fl.StringVar(&f.endpoint, "endpoint", "", "OpenAI-compatible base URL")
	fl.StringVar(&f.model, "model", "", "model name at --endpoint, or without --endpoint a checkpoint directory")
	fl.StringVar(&f.api, "api", "chat", "endpoint API: chat or completions")
	fl.StringVar(&f.apiKey, "api-key", os.Getenv("OPENAI_API_KEY"), "API key")
	fl.StringVar(&f.tokenizer, "tokenizer", "", "with a checkpoint --model: tokenizer.json path or built-in name")
	fl.StringVar(&f.chatTemplate, "chat-template", "none", "with a checkpoint --model: chat template (none: the raw prompt, as the built-in tasks train)")
	fl.Float64Var(&f.temperature, "temperature", 1, "sampling temperature")
	fl.Float64Var(&f.topP, "top-p", 1, "nucleus sampling mass")
	fl.IntVar(&f.maxTokens, "max-tokens", 1024, "maximum new tokens per response")
	fl.Uint64Var(&f.seed, "seed", 0, "sampling seed")
	fl.IntVar(&f.concurrency, "concurrency", 16, "requests in flight (endpoint)")
	fl.IntVar(&f.retries, "retries", 5, "attempts per request")
	root := &cobra.Command{Use: "data", Short: "Dataset tools: the learnability filter, built-in task export"}
	root.AddCommand(filter, exportCmd())
	rootCmd.AddCommand(root)
}

// exportCmd is `ascent data export`.
func exportCmd() *cobra.Command {
	var task, split, outFile string
	var level, n int
	var runSeed uint64
	var distinct bool
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write a built-in task's problems to JSONL, as a run with --run-seed draws them",
		Long: `Writes the first --n problems of a built-in task's --split (train or test) to --out (JSONL, with
prompt_text and demonstration), drawn with the data seed of a run whose run.seed is --run-seed:
the test split is that run's held-out set with eval.problems = --n, the train split the start of
its training source; with --distinct the test split holds each problem once, as a run with
eval.distinct (the p1 recipe) evaluates. Feed the train file to ascent data filter and train on
what it keeps with data.train_file, keeping the held-out set with data.val_file (docs/p1.md).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if task == "" || outFile == "" || n < 1 {
				return fmt.Errorf("data export: --task NAME, --out FILE and --n ≥ 1 are required")
			}
			sp := data.Split(split)
			if sp != data.SplitTrain && sp != data.SplitTest {
				return fmt.Errorf("data export: --split %q; known: train, test", split)
			}
			exs, err := trainer.TaskExamples(task, level, nil, sp, n, runSeed, distinct)
			if err != nil {
				return err
			}
			if err := data.WriteJSONL(outFile, exs); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "data export: %d %s problems of %s level %d (run seed %d) → %s\n", len(exs), split, task, level, runSeed, outFile)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&task, "task", "", "built-in task (required)")
	fl.IntVar(&level, "level", 1, "difficulty level")
	fl.StringVar(&split, "split", "train", "train or test")
	fl.IntVar(&n, "n", 1000, "problems to write")
	fl.Uint64Var(&runSeed, "run-seed", 1, "the run.seed whose data the problems are")
	fl.StringVar(&outFile, "out", "", "output JSONL (required)")
	fl.BoolVar(&distinct, "distinct", false, "test split: each problem once (a run with eval.distinct, the p1 recipe)")
	return cmd
}
