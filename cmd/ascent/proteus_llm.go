package main

// The --planner llm flags of `ascent proteus` (see proteus.go and docs/agent.md).

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/ascent-rl/ascent/agent"
	"github.com/ascent-rl/ascent/agent/proteusllm"
	"github.com/ascent-rl/ascent/proteus"
)

// llmPlannerFlags configures the LLM planner.
type llmPlannerFlags struct {
	endpoint, model, apiKey, prompts string
	rounds, tokens, judgeCalls       int
	axes                             []string
	wall, timeout                    time.Duration
}

func (l *llmPlannerFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&l.endpoint, "endpoint", "", "OpenAI-compatible base URL for --planner llm, e.g. http://127.0.0.1:8000/v1")
	f.StringVar(&l.model, "model", "", "model name the endpoint serves (--planner llm)")
	f.StringVar(&l.apiKey, "api-key", "", "bearer key for the endpoint (default: none)")
	f.StringVar(&l.prompts, "prompts", "", "directory of prompt templates overriding the embedded ones (planner.tmpl, planner_system.tmpl)")
	f.IntVar(&l.rounds, "max-rounds", 8, "LLM planner budget: rounds")
	f.IntVar(&l.tokens, "max-tokens", 400000, "LLM planner budget: prompt + completion tokens")
	f.DurationVar(&l.wall, "max-wall", 30*time.Minute, "LLM planner budget: wall time")
	f.DurationVar(&l.timeout, "call-timeout", 120*time.Second, "timeout of one LLM call")
	f.IntVar(&l.judgeCalls, "judge-max-calls", 200, "rubric judge: new calls per run (cached scores are free)")
	f.StringSliceVar(&l.axes, "judge-axes", proteusllm.DefaultAxes, "rubric judge: axes scored 1-5")
}

// run runs the LLM planner on study, tracing into out/trace.jsonl (resumed when present), and
// returns a function that adds the planner's figures to the summary.
func (l *llmPlannerFlags) run(ctx context.Context, study *proteus.Study, out string) (func(*proteus.Summary), error) {
	c, err := l.client(ctx)
	if err != nil {
		return nil, err
	}
	tr, err := agent.OpenTrace(filepath.Join(out, "trace.jsonl"))
	if err != nil {
		return nil, err
	}
	p := &proteusllm.Planner{Session: agent.NewSession(c, tr, agent.Budget{MaxRounds: l.rounds, MaxTokens: l.tokens, MaxWall: l.wall}),
		Prompts: agent.Prompts{Workflow: "proteus", Dir: l.prompts}}
	st, err := p.Run(ctx, study)
	if err != nil {
		return nil, err
	}
	return func(s *proteus.Summary) {
		s.Calls, s.Tokens, s.Rejected, s.BudgetReason = st.Rounds, p.Session.Tokens(), st.Rejected, st.BudgetEnd
	}, nil
}

// client builds the endpoint client and checks that it serves the model.
func (l *llmPlannerFlags) client(ctx context.Context) (*agent.Client, error) {
	if l.endpoint == "" || l.model == "" {
		return nil, fmt.Errorf("--planner llm and --judge need --endpoint URL and --model NAME")
	}
	c, err := agent.NewClient(agent.Config{Endpoint: l.endpoint, Model: l.model, APIKey: l.apiKey, Workflow: "proteus", Timeout: l.timeout})
	if err != nil {
		return nil, err
	}
	return c, c.CheckModel(ctx)
}

// judge scores the study's hypotheses with the rubric judge, tracing into out/judge_trace.jsonl.
func (l *llmPlannerFlags) judge(ctx context.Context, study *proteus.Study, out string) (int, error) {
	c, err := l.client(ctx)
	if err != nil {
		return 0, err
	}
	tr, err := agent.OpenTrace(filepath.Join(out, "judge_trace.jsonl"))
	if err != nil {
		return 0, err
	}
	j := &proteusllm.Judge{Session: agent.NewSession(c, tr, agent.Budget{}), Prompts: agent.Prompts{Workflow: "proteus", Dir: l.prompts},
		Axes: l.axes, Cache: filepath.Join(out, "judge_cache.json"), MaxCalls: l.judgeCalls}
	st, err := j.Score(ctx, study)
	return st.Scored, err
}
