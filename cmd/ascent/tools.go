package main

// ascent tools: the tools a policy calls between turns (package tool, docs/tools.md).
//
//	ascent tools list
//	ascent tools eval --endpoint http://127.0.0.1:8000/v1 --model NAME --problems 100 --out runs/tools-eval

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/engine/openai"
	"github.com/ascent-rl/ascent/internal/atomicfile"
	"github.com/ascent-rl/ascent/reward"
	"github.com/ascent-rl/ascent/tool"
)

// toolsEvalFlags are the flags of `ascent tools eval`.
type toolsEvalFlags struct {
	endpoint, model, apiKey, task, syntax, out string
	tools                                      []string
	level, problems, maxTurns, maxTokens, conc int
	seed                                       uint64
	temperature                                float64
	timeout                                    time.Duration
}

func init() {
	root := &cobra.Command{Use: "tools", Short: "Tools the policy calls between turns: list them, evaluate a served model with them"}
	root.AddCommand(&cobra.Command{Use: "list", Short: "List the tools and call syntaxes", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "tools: %s\nsyntaxes: tiny (\\calc{...}), hermes (<tool_call>{json}</tool_call>)\n", strings.Join(tool.Names(), ", "))
			return nil
		}})
	var f toolsEvalFlags
	ev := &cobra.Command{
		Use:   "eval",
		Short: "Evaluate a served model (vLLM, SGLang, ascent serve) on a built-in task's held-out problems with tools",
		Long: `Each held-out problem is a chat conversation with the OpenAI tools list; the model's tool_calls (or
calls written in its text in --syntax, for servers without a tool-call parser) are answered with
tool messages until it answers without a call or --max-turns turns are taken. The last answer is
scored by the task's verifier. Outputs in --out: conversations.jsonl and results.json.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runToolsEval(cmd, f) },
	}
	fl := ev.Flags()
	fl.StringVar(&f.endpoint, "endpoint", "", "OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 (required)")
	fl.StringVar(&f.model, "model", "", "served model name (required)")
	fl.StringVar(&f.apiKey, "api-key", os.Getenv("OPENAI_API_KEY"), "API key (default $OPENAI_API_KEY)")
	fl.StringVar(&f.task, "task", "toolarith", "built-in task whose held-out split is evaluated")
	fl.IntVar(&f.level, "level", 1, "the task's difficulty level")
	fl.IntVar(&f.problems, "problems", 100, "held-out problems")
	fl.Uint64Var(&f.seed, "seed", 1, "the task's seed (a run's run.seed evaluates on the same problems)")
	fl.StringSliceVar(&f.tools, "tools", []string{"calc"}, "tools offered, by name")
	fl.StringVar(&f.syntax, "syntax", "hermes", "syntax of calls written in the reply's text (tiny, hermes)")
	fl.IntVar(&f.maxTurns, "max-turns", 4, "assistant turns per problem")
	fl.IntVar(&f.maxTokens, "max-tokens", 512, "completion tokens per turn")
	fl.Float64Var(&f.temperature, "temperature", 0, "sampling temperature (0: greedy)")
	fl.IntVar(&f.conc, "concurrency", 8, "conversations in flight")
	fl.DurationVar(&f.timeout, "request-timeout", 2*time.Minute, "per-request timeout")
	fl.StringVar(&f.out, "out", "", "output directory (required)")
	root.AddCommand(ev)
	rootCmd.AddCommand(root)
}

// toolsEvalRecord is one line of conversations.jsonl.
type toolsEvalRecord struct {
	ID           string              `json:"id"`
	GroundTruth  string              `json:"ground_truth"`
	Correct      bool                `json:"correct"`
	Pred         string              `json:"pred"`
	Conversation openai.Conversation `json:"conversation"`
	Error        string              `json:"error,omitempty"`
}

func runToolsEval(cmd *cobra.Command, f toolsEvalFlags) error {
	if f.out == "" || f.endpoint == "" || f.model == "" {
		return fmt.Errorf("tools eval: --endpoint, --model and --out are required")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	task, err := data.NewTask(f.task, f.level, nil)
	if err != nil {
		return fmt.Errorf("tools eval: --task: %w", err)
	}
	tools, err := tool.New(f.tools, tool.Options{})
	if err != nil {
		return fmt.Errorf("tools eval: --tools: %w", err)
	}
	syn, err := tool.LookupSyntax(f.syntax)
	if err != nil {
		return fmt.Errorf("tools eval: --syntax: %w", err)
	}
	var counts tool.Counts
	chat, err := openai.NewToolChat(openai.ToolChatConfig{Endpoint: f.endpoint, Model: f.model, APIKey: f.apiKey, Tools: tools,
		Inline: syn, MaxTurns: f.maxTurns, MaxTokens: f.maxTokens, Temperature: f.temperature, Timeout: f.timeout, Counts: &counts})
	if err != nil {
		return err
	}
	src := data.NewTaskSource(task, f.seed, data.SplitTest, f.problems)
	recs := make([]toolsEvalRecord, f.problems)
	sem := make(chan struct{}, max(1, f.conc))
	var wg sync.WaitGroup
	for i := range recs {
		ex, err := src.At(i)
		if err != nil {
			return err
		}
		var msgs []openai.ChatMessage
		for _, m := range ex.Prompt {
			msgs = append(msgs, openai.ChatMessage{Role: m.Role, Content: m.Content})
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r := toolsEvalRecord{ID: ex.ID, GroundTruth: ex.GroundTruth}
			conv, err := chat.Run(ctx, msgs)
			r.Conversation = conv
			if err != nil {
				r.Error = err.Error()
			} else {
				res := reward.Score(ctx, reward.Request{DataSource: ex.DataSource, Solution: conv.Final, GroundTruth: ex.GroundTruth, ExtraInfo: ex.ExtraInfo})
				r.Correct, r.Pred = res.Correct, res.Pred
			}
			recs[i] = r
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	var buf bytes.Buffer
	correct, failed := 0, 0
	for _, r := range recs {
		if r.Correct {
			correct++
		}
		if r.Error != "" {
			failed++
		}
		b, _ := json.Marshal(r)
		buf.Write(append(b, '\n'))
	}
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(f.out, "conversations.jsonl"), buf.Bytes(), 0o644); err != nil {
		return err
	}
	calls := counts.Calls.Load()
	res := map[string]any{"endpoint": f.endpoint, "model": f.model, "task": f.task, "level": f.level, "problems": f.problems,
		"accuracy": float64(correct) / float64(max(1, f.problems)), "calls_per_response": float64(calls) / float64(max(1, f.problems)),
		"tool_error_ratio": float64(counts.Errors.Load()) / float64(max(1, calls)), "failed_conversations": failed}
	b, _ := json.MarshalIndent(res, "", "  ")
	if err := atomicfile.WriteFile(filepath.Join(f.out, "results.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s: %d/%d correct (%.1f%%) with %s, %.2f calls per problem, %.1f%% tool errors, %d conversations failed\n",
		f.model, correct, f.problems, 100*res["accuracy"].(float64), strings.Join(f.tools, ","), res["calls_per_response"], 100*res["tool_error_ratio"].(float64), failed)
	if failed > 0 {
		return fmt.Errorf("tools eval: %d of %d conversations failed (see %s)", failed, f.problems, filepath.Join(f.out, "conversations.jsonl"))
	}
	return nil
}
