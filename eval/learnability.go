package eval

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/reward"
)

// LearnabilityOptions configure the pass-rate filter of P1 (spec applications §1.2): k rollouts
// per problem with a given model, and the problems it always or never solves are dropped.
type LearnabilityOptions struct {
	K            int            // rollouts per problem (P1: 88)
	MaxPass      float64        // drop problems whose pass rate is above this (P1: 0.7)
	KeepUnsolved bool           // keep problems with pass rate 0 (P1 drops them)
	Sampling     SamplingParams // the rollouts' sampling (temperature > 0, or every rollout is the same)
	Concurrency  int            // generations in flight (default 8)
	Progress     io.Writer      // one line per 10% of problems; nil: quiet
}

// PassRate is one problem's measured pass rate.
type PassRate struct {
	ID     string  `json:"id"`
	Solved int     `json:"solved"`
	K      int     `json:"k"`
	Rate   float64 `json:"pass_rate"`
	Kept   bool    `json:"kept"`
}

// FilterLearnable samples K responses per example from gen, scores them through the reward
// registry (the example's data_source) and returns the examples whose pass rate is in
// (0, MaxPass] (or [0, MaxPass] with KeepUnsolved), each with extra_info "pass_rate" and "pass_k",
// plus every example's rate. A generation error stops the filter: a rate from fewer than K samples
// would not be a rate.
func FilterLearnable(ctx context.Context, examples []data.Example, gen Generator, opt LearnabilityOptions) ([]data.Example, []PassRate, error) {
	if opt.K < 1 || opt.MaxPass < 0 || opt.MaxPass > 1 {
		return nil, nil, fmt.Errorf("eval: learnability filter: k %d must be ≥ 1 and max pass rate %v in [0, 1]", opt.K, opt.MaxPass)
	}
	conc := max(opt.Concurrency, 1)
	if opt.Concurrency == 0 {
		conc = 8
	}
	type job struct{ ex, s int }
	solved := make([]int, len(examples))
	errs := make([]error, len(examples))
	var mu sync.Mutex
	next := make(chan job)
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for j := range next {
				ex := examples[j.ex]
				p := opt.Sampling
				p.Seed = opt.Sampling.Seed + uint64(j.ex)*1_000_003 + uint64(j.s)
				g, err := gen.Generate(ctx, promptOf(ex), p)
				mu.Lock()
				if err != nil {
					if errs[j.ex] == nil {
						errs[j.ex] = fmt.Errorf("eval: learnability filter: row %q, sample %d: %w", ex.ID, j.s, err)
					}
				} else if reward.Score(ctx, reward.Request{DataSource: ex.DataSource, Solution: g.Text, GroundTruth: ex.GroundTruth, ExtraInfo: ex.ExtraInfo}).Correct {
					solved[j.ex]++
				}
				mu.Unlock()
			}
		})
	}
	step := max(len(examples)/10, 1)
	for i := range examples {
		for s := range opt.K {
			next <- job{i, s}
		}
		if opt.Progress != nil && (i+1)%step == 0 {
			fmt.Fprintf(opt.Progress, "learnability: %d/%d problems queued\n", i+1, len(examples))
		}
	}
	close(next)
	wg.Wait()
	var kept []data.Example
	rates := make([]PassRate, len(examples))
	for i, ex := range examples {
		if errs[i] != nil {
			return nil, nil, errs[i]
		}
		r := float64(solved[i]) / float64(opt.K)
		keep := r <= opt.MaxPass && (r > 0 || opt.KeepUnsolved)
		rates[i] = PassRate{ID: ex.ID, Solved: solved[i], K: opt.K, Rate: r, Kept: keep}
		if keep {
			info := map[string]any{}
			for k, v := range ex.ExtraInfo {
				info[k] = v
			}
			info["pass_rate"], info["pass_k"] = r, opt.K
			ex.ExtraInfo = info
			kept = append(kept, ex)
		}
	}
	return kept, rates, nil
}

// promptOf is the text a generator is given for an example: its plain prompt, else its last user
// turn.
func promptOf(ex data.Example) string {
	if ex.PromptText != "" {
		return ex.PromptText
	}
	for i := len(ex.Prompt) - 1; i >= 0; i-- {
		if ex.Prompt[i].Role == "user" {
			return ex.Prompt[i].Content
		}
	}
	return ""
}
