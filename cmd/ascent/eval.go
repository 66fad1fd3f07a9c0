package main

// ascent eval: the benchmark harness (package eval).
//
//	ascent eval --bench justrl9 --endpoint http://127.0.0.1:8000/v1 --model NAME --out runs/eval1
//	ascent eval --responses gens.jsonl --group-by model --out runs/rescore
//	ascent eval --list

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/eval"
	"github.com/ascent-rl/ascent/model"
	"github.com/ascent-rl/ascent/model/tokenizer"
)

// evalFlags are the flags of `ascent eval`.
type evalFlags struct {
	bench, endpoint, model, api, apiKey, k, suffix, out                string
	responses, groupBy, predField, judgeEndpoint, judgeModel, judgeKey string
	tokenizer, chatTemplate                                            string
	temperature, topP                                                  float64
	maxTokens, concurrency, retries, bootstrap                         int
	seed                                                               uint64
	timeout                                                            time.Duration
	regrade, list                                                      bool
}

func init() {
	var f evalFlags
	var h hiphoFlags
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Score a model on math benchmarks (avg@k, pass@k, maj@k), or re-score existing responses",
		Long: `Generate k samples per problem from an OpenAI-compatible server (vLLM, SGLang, ...) and score them,
or re-score responses someone else generated (--responses), without any model.

The defaults are JustRL's evaluation protocol: the nine benchmarks of its table (--bench justrl9),
temperature 0.7, top-p 0.9, 31,744 new tokens, k = 32 for AIME24/25, AMC23, HMMT25, BRUMO25, CMIMC25
and k = 4 for MATH-500, Minerva, OlympiadBench, prompt = problem + " Please reason step by step, and
put your final answer within \boxed{}.". Reruns with the same --out resume from samples.jsonl.

Outputs in --out: samples.jsonl (every sample with its extracted answer and verdict), results.json,
report.md. See docs/eval.md.

--bench hipho (all 13 scored exams) or hipho:IPhO_2025,F=MA_2025 scores physics olympiads as
contestants: P1's prompt, every sub-answer graded with units (answer-level), the official marking
schemes graded by a judge when --judge-endpoint is set (--grading auto|answer|step), points per
exam and the medal against the official thresholds. Responses come from a model or from
--responses FILE ({"id": <problem id>, "response": <text>, optional "exam", "model"} lines).`,
		Example: `  ascent eval --bench justrl9 --endpoint http://127.0.0.1:8000/v1 --model JustRL-DeepSeek-1.5B --out runs/eval
  ascent eval --bench aime2024,math500 --k aime2024=8 --endpoint http://127.0.0.1:8000/v1 --model m --out runs/quick
  ascent eval --responses tora_gsm8k.jsonl --group-by model --out runs/tora
  ascent eval --bench hipho:IPhO_2025 --responses responses.jsonl --grading answer --out runs/hipho`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runEval(cmd, f, h) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.bench, "bench", "justrl9", "benchmarks: names, groups (justrl9) or .jsonl/.parquet paths, comma-separated")
	fl.BoolVar(&f.list, "list", false, "list the embedded benchmarks and exit")
	fl.StringVar(&f.endpoint, "endpoint", "", "OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1")
	fl.StringVar(&f.model, "model", "", "model name served at --endpoint, or without --endpoint a checkpoint directory (HF layout) sampled in-process by the local engine")
	fl.StringVar(&f.tokenizer, "tokenizer", "", "with a checkpoint --model: tokenizer.json path or built-in name (default: the checkpoint directory)")
	fl.StringVar(&f.chatTemplate, "chat-template", "chatml", "with a checkpoint --model: chat template for the single user turn ("+strings.Join(tokenizer.ChatTemplates(), ", ")+", or none)")
	fl.StringVar(&f.api, "api", "chat", "endpoint API: chat (server applies the chat template) or completions (raw prompt)")
	fl.StringVar(&f.apiKey, "api-key", os.Getenv("OPENAI_API_KEY"), "API key (default $OPENAI_API_KEY; local servers accept any)")
	fl.StringVar(&f.k, "k", "", `samples per problem: "8" for every benchmark, or "aime2024=64,math500=8" (default: the protocol's k)`)
	fl.Float64Var(&f.temperature, "temperature", 0.7, "sampling temperature")
	fl.Float64Var(&f.topP, "top-p", 0.9, "nucleus sampling mass")
	fl.IntVar(&f.maxTokens, "max-tokens", 31744, "maximum new tokens per response")
	fl.Uint64Var(&f.seed, "seed", 0, "run seed; each sample gets a seed derived from it")
	fl.StringVar(&f.suffix, "suffix", eval.JustRLSuffix, "instruction appended to each problem (\"none\" for the bare problem)")
	fl.IntVar(&f.concurrency, "concurrency", 32, "requests in flight")
	fl.IntVar(&f.retries, "retries", 5, "attempts per request before giving up (exponential backoff from 1 s)")
	fl.DurationVar(&f.timeout, "request-timeout", 0, "per-attempt timeout (0: none)")
	fl.StringVar(&f.out, "out", "", "output directory (required)")
	fl.StringVar(&f.responses, "responses", "", "re-score this JSONL of responses (problem_id/id, response, optional sample_index, gold, benchmark, model)")
	fl.StringVar(&f.groupBy, "group-by", "", `with --responses: "model" reports each model separately`)
	fl.StringVar(&f.predField, "pred-field", "", "with --responses: compare this field (an already-extracted answer) instead of extracting from response")
	fl.StringVar(&f.judgeEndpoint, "judge-endpoint", "", "LLM judge asked when the rule checker says wrong (off when empty)")
	fl.StringVar(&f.judgeModel, "judge-model", "", "judge model name (JustRL: CompassVerifier-3B)")
	fl.StringVar(&f.judgeKey, "judge-api-key", "", "judge API key (default: --api-key)")
	fl.IntVar(&f.bootstrap, "bootstrap", 1000, "bootstrap resamples for the 95% intervals (0: off)")
	fl.BoolVar(&f.regrade, "regrade", true, "grade samples already graded on disk again (false keeps their verdicts, saving judge calls)")
	addHiPhOFlags(fl, &h)
	rootCmd.AddCommand(cmd)
}

// runEval dispatches to listing, HiPhO, re-scoring or generation.
func runEval(cmd *cobra.Command, f evalFlags, h hiphoFlags) error {
	w := cmd.OutOrStdout()
	if f.list {
		fmt.Fprintf(w, "benchmarks: %s\ngroups: %s (JustRL's nine)\n", strings.Join(eval.Names(), ", "), strings.Join(eval.GroupNames(), ", "))
		return nil
	}
	if f.out == "" {
		return fmt.Errorf("eval: --out DIR is required")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if f.bench == "hipho" || strings.HasPrefix(f.bench, "hipho:") {
		return runHiPhO(ctx, cmd, f, h)
	}
	retry := eval.Retry{Attempts: f.retries, Timeout: f.timeout}
	var grader eval.Grader = eval.NewRuleGrader()
	if f.judgeEndpoint != "" || f.judgeModel != "" {
		if f.judgeEndpoint == "" || f.judgeModel == "" {
			return fmt.Errorf("eval: the judge needs both --judge-endpoint and --judge-model")
		}
		key := f.judgeKey
		if key == "" {
			key = f.apiKey
		}
		grader = eval.NewJudgeGrader(grader, f.judgeEndpoint, f.judgeModel, key, retry)
	}
	score := eval.ScoreOptions{Regrade: f.regrade, Bootstrap: f.bootstrap, Seed: f.seed}

	if f.responses != "" {
		opt := eval.RescoreOptions{GroupBy: f.groupBy, PredField: f.predField, Score: score}
		if cmd.Flags().Changed("bench") {
			opt.Benchmark = f.bench
		}
		g, err := eval.Rescore(ctx, f.responses, f.out, opt, grader)
		if err != nil {
			return err
		}
		for _, k := range g.Order {
			if g.GroupBy != "" {
				fmt.Fprintf(w, "\n%s = %s\n", g.GroupBy, k)
			}
			if err := eval.FormatTable(w, g.Groups[k]); err != nil {
				return err
			}
		}
		fmt.Fprintf(w, "wrote %s/{results.json,report.md,samples.jsonl}\n", f.out)
		return nil
	}

	if _, err := eval.ExpandNames(f.bench); err != nil {
		return err
	}
	kAll, kPer, err := parseK(f.k)
	if err != nil {
		return err
	}
	var gen eval.Generator
	switch {
	case f.endpoint != "":
		if gen, err = eval.NewOpenAIGenerator(f.endpoint, f.model, f.apiKey, eval.API(f.api), retry); err != nil {
			return err
		}
	case f.model != "":
		if gen, err = localGenerator(f); err != nil {
			return err
		}
		f.concurrency = 1 // the local engine serialises sampling
	default:
		return fmt.Errorf("eval: give --endpoint URL and --model NAME, or --model CHECKPOINT_DIR, to generate; or --responses FILE to re-score")
	}
	res, err := eval.Run(ctx, eval.RunOptions{
		Benchmarks: []string{f.bench}, K: kPer, KAll: kAll, Concurrency: f.concurrency, OutDir: f.out,
		Sampling: eval.SamplingParams{Temperature: f.temperature, TopP: f.topP, MaxTokens: f.maxTokens, Seed: f.seed},
		Suffix:   f.suffix, Score: score, Progress: cmd.ErrOrStderr(), API: f.api, Endpoint: f.endpoint,
	}, gen, grader)
	if err != nil {
		return err
	}
	if err := eval.FormatTable(w, res); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s/{results.json,report.md,samples.jsonl}\n", f.out)
	return nil
}

// localGenerator loads a checkpoint directory into the local engine with its tokenizer and chat template.
func localGenerator(f evalFlags) (eval.Generator, error) {
	st, err := os.Stat(f.model)
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("eval: --model %q without --endpoint must be a checkpoint directory (config.json + model.safetensors): %v", f.model, err)
	}
	params, err := model.Load(f.model)
	if err != nil {
		return nil, err
	}
	tokSpec := f.tokenizer
	if tokSpec == "" {
		tokSpec = f.model
	}
	tok, err := tokenizer.Open(tokSpec)
	if err != nil {
		return nil, err
	}
	eng, err := local.New(params, local.Config{})
	if err != nil {
		return nil, err
	}
	stops := append([]int{params.Config.EOSTokenID}, params.Config.EOSTokenIDs...)
	if e := tok.Specials().EOS; e >= 0 {
		stops = append(stops, e)
	}
	g := &eval.EngineGenerator{Engine: eng, Codec: tokenizer.PromptCodec{Tokenizer: tok}, StopTokens: stops, ModelName: f.model}
	if f.chatTemplate != "none" {
		tmpl := f.chatTemplate
		if !slices.Contains(tokenizer.ChatTemplates(), tmpl) {
			return nil, fmt.Errorf("eval: unknown --chat-template %q; known: %s, none", tmpl, strings.Join(tokenizer.ChatTemplates(), ", "))
		}
		g.Template = func(prompt string) (string, error) {
			return tokenizer.ApplyChatTemplate(tmpl, []tokenizer.Message{{Role: "user", Content: prompt}}, tokenizer.ChatOptions{AddGenerationPrompt: true})
		}
	}
	return g, nil
}

// parseK reads --k: "" (protocol defaults), "8" (every benchmark), or "name=8,name2=4" (canonical names
// or aliases), possibly mixed ("4,aime2024=32": 4 for all but AIME24).
func parseK(s string) (all int, per map[string]int, err error) {
	per = map[string]int{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, named := strings.Cut(part, "=")
		if !named {
			val = name
		}
		n, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil || n < 1 {
			return 0, nil, fmt.Errorf("eval: --k %q: %q is not a positive integer", s, val)
		}
		if !named {
			all = n
			continue
		}
		per[eval.CanonicalName(strings.TrimSpace(name))] = n
	}
	return all, per, nil
}
