package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	oa "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/ascent-rl/ascent/engine"
)

// Sample draws n responses per prompt from the servers. Prompts are split into requests of
// Config.PromptsPerRequest prompts (each asking for all n samples), spread over the endpoints;
// a failed or timed-out request is retried, on another endpoint when one is healthy, up to
// Config.MaxAttempts times. Each request carries seed = mix(p.Seed, index of its first prompt), so
// a retry on a server with the same weights returns the same samples. The result is prompt-major
// with len(prompts)·n sequences, or an error: no sequence is dropped silently.
func (e *Engine) Sample(ctx context.Context, prompts [][]int, n int, p engine.SamplingParams) ([]engine.Sequence, error) {
	switch {
	case n <= 0:
		return nil, fmt.Errorf("remote sample: n = %d: expected ≥ 1", n)
	case p.MaxTokens <= 0:
		return nil, fmt.Errorf("remote sample: max_tokens = %d: expected ≥ 1", p.MaxTokens)
	}
	for i, pr := range prompts {
		if len(pr) == 0 {
			return nil, fmt.Errorf("remote sample: prompt %d is empty", i)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([]engine.Sequence, len(prompts)*n)
	var wg sync.WaitGroup
	var errOnce sync.Once
	var firstErr error
	for lo := 0; lo < len(prompts); lo += e.cfg.PromptsPerRequest {
		hi := min(lo+e.cfg.PromptsPerRequest, len(prompts))
		wg.Add(1)
		go func() {
			defer wg.Done()
			seqs, err := e.withRetries(ctx, prompts[lo:hi], n, p, mixSeed(p.Seed, uint64(lo)))
			if err != nil {
				errOnce.Do(func() {
					firstErr = fmt.Errorf("remote sample: prompts %d..%d: %w", lo, hi-1, err)
					cancel()
				})
				return
			}
			for i := range seqs {
				seqs[i].PromptIndex += lo
				out[lo*n+i] = seqs[i]
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// mixSeed derives a request's seed (SplitMix64 of seed and the first prompt's index), kept within
// 63 bits because servers read it as a signed integer.
func mixSeed(seed, first uint64) uint64 {
	z := seed + 0x9e3779b97f4a7c15*(first+1)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return (z ^ z>>31) & (1<<63 - 1)
}

// permanentError marks a failure that retrying cannot fix (a 4xx other than 408/429, a server
// that does not return token ids).
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// withRetries runs one request until it succeeds, fails permanently, or runs out of attempts.
func (e *Engine) withRetries(ctx context.Context, prompts [][]int, n int, p engine.SamplingParams, seed uint64) ([]engine.Sequence, error) {
	var errs []error
	for attempt := 0; attempt < e.cfg.MaxAttempts; attempt++ {
		if attempt > 0 {
			e.retries.Add(1)
			wait := min(e.cfg.Backoff<<min(attempt-1, 6), 5*time.Second)
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		ep, err := e.acquire(ctx)
		if err != nil {
			return nil, err
		}
		actx, cancel := context.WithTimeout(ctx, e.cfg.RequestTimeout)
		e.requests.Add(1)
		seqs, err := e.request(actx, ep, prompts, n, p, seed)
		timedOut := errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil
		cancel()
		var perm *permanentError
		switch {
		case err == nil:
			e.release(ep, false)
			return seqs, nil
		case ctx.Err() != nil: // the caller gave up: not the endpoint's fault
			e.release(ep, false)
			return nil, ctx.Err()
		case errors.As(err, &perm):
			e.release(ep, false)
			return nil, fmt.Errorf("%s: %w", ep.base, err)
		case timedOut:
			e.timeouts.Add(1)
			err = fmt.Errorf("no answer within %v: %w", e.cfg.RequestTimeout, err)
		}
		e.failures.Add(1)
		e.release(ep, true)
		errs = append(errs, fmt.Errorf("attempt %d on %s: %w", attempt+1, ep.base, err))
	}
	return nil, fmt.Errorf("%d attempts failed: %w", e.cfg.MaxAttempts, errors.Join(errs...))
}

// request sends one /v1/completions request with token-id prompts and parses the sequences.
func (e *Engine) request(ctx context.Context, ep *endpoint, prompts [][]int, n int, p engine.SamplingParams, seed uint64) ([]engine.Sequence, error) {
	ids := make([][]int64, len(prompts))
	for i, pr := range prompts {
		ids[i] = make([]int64, len(pr))
		for j, t := range pr {
			ids[i][j] = int64(t)
		}
	}
	body := oa.CompletionNewParams{
		Model:       oa.CompletionNewParamsModel(e.cfg.Model),
		Prompt:      oa.CompletionNewParamsPromptUnion{OfArrayOfTokenArrays: ids},
		N:           oa.Int(int64(n)),
		MaxTokens:   oa.Int(int64(p.MaxTokens)),
		Temperature: oa.Float(p.Temperature),
		Seed:        oa.Int(int64(seed)),
		Logprobs:    oa.Int(0),
	}
	if p.TopP > 0 && p.TopP < 1 {
		body.TopP = oa.Float(p.TopP)
	}
	if len(p.Stop) > 0 {
		body.Stop = oa.CompletionNewParamsStopUnion{OfStringArray: p.Stop}
	}
	opts := []option.RequestOption{option.WithJSONSet("return_token_ids", true)}
	if p.TopK > 0 {
		opts = append(opts, option.WithJSONSet("top_k", p.TopK))
	}
	if len(p.StopTokens) > 0 {
		opts = append(opts, option.WithJSONSet("stop_token_ids", p.StopTokens))
	}
	if p.IgnoreEOS {
		opts = append(opts, option.WithJSONSet("ignore_eos", true))
	}
	res, err := ep.client.Completions.New(ctx, body, opts...)
	if err != nil {
		var apiErr *oa.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 && apiErr.StatusCode != 408 && apiErr.StatusCode != 429 {
			return nil, &permanentError{err}
		}
		return nil, err
	}
	return e.parse(res, prompts, n)
}

// parse turns a completion response into prompt-major sequences, checking that every choice is
// there with its token ids and one log-prob per token.
func (e *Engine) parse(res *oa.Completion, prompts [][]int, n int) ([]engine.Sequence, error) {
	if len(res.Choices) != len(prompts)*n {
		return nil, fmt.Errorf("response has %d choices for %d prompts × n=%d", len(res.Choices), len(prompts), n)
	}
	choices := slices.Clone(res.Choices)
	sort.SliceStable(choices, func(a, b int) bool { return choices[a].Index < choices[b].Index })
	out := make([]engine.Sequence, len(choices))
	for i, c := range choices {
		if int(c.Index) != i {
			return nil, fmt.Errorf("response choice indices are not 0..%d (got %d at position %d)", len(choices)-1, c.Index, i)
		}
		raw, ok := c.JSON.ExtraFields["token_ids"]
		if !ok || raw.Raw() == "" || raw.Raw() == "null" {
			return nil, &permanentError{fmt.Errorf("choice %d has no token_ids: the server must support return_token_ids (vLLM ≥ 0.10.2, ascent serve)", i)}
		}
		var toks []int
		if err := json.Unmarshal([]byte(raw.Raw()), &toks); err != nil {
			return nil, fmt.Errorf("choice %d token_ids: %w", i, err)
		}
		lps := c.Logprobs.TokenLogprobs
		if len(lps) != len(toks) {
			return nil, fmt.Errorf("choice %d has %d token ids but %d token_logprobs", i, len(toks), len(lps))
		}
		if pr, ok := c.JSON.ExtraFields["prompt_token_ids"]; ok && pr.Raw() != "" && pr.Raw() != "null" {
			var got []int
			if err := json.Unmarshal([]byte(pr.Raw()), &got); err == nil && !slices.Equal(got, prompts[i/n]) {
				return nil, fmt.Errorf("choice %d echoes prompt_token_ids %v, not the %d tokens sent", i, got, len(prompts[i/n]))
			}
		}
		fr := string(c.FinishReason)
		if fr != "stop" && fr != "length" {
			return nil, fmt.Errorf("choice %d finish_reason %q: expected stop or length", i, fr)
		}
		lp32 := make([]float32, len(lps))
		for k, x := range lps {
			lp32[k] = float32(x)
		}
		out[i] = engine.Sequence{PromptIndex: i / n, Prompt: slices.Clone(prompts[i/n]), Tokens: toks, LogProbs: lp32, FinishReason: fr}
		e.tokens.Add(int64(len(toks)))
	}
	e.sequences.Add(int64(len(out)))
	return out, nil
}
