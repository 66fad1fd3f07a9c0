package hipho

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/ascent-rl/ascent/internal/atomicfile"
)

// judgeInstructions is the step-level grading prompt: one criterion, the problem, the official
// answers and the solution; the reply ends with the awarded points in \boxed{}.
const judgeInstructions = `You are an experienced physics olympiad grader. Grade the student's solution against ONE criterion of the official marking scheme. Award points only for what the solution actually writes; follow the criterion's point values and partial-credit rules exactly.

<Problem>
%s
</Problem>

<Official answers>
%s</Official answers>

<Criterion>
%s
</Criterion>

<Student solution>
%s
</Student solution>

Explain briefly, then end your reply with the points awarded for this criterion as a number in \boxed{}, e.g. \boxed{0.2}.`

// judgeTail is how much of the end of a solution the judge sees (after any </think>).
const judgeTail = 12000

// JudgeConfig configures an OpenAIJudge. Zero fields take the defaults in brackets.
type JudgeConfig struct {
	Endpoint    string        // base URL, e.g. http://127.0.0.1:8001/v1
	Model       string        // judge model name
	APIKey      string        // ["EMPTY"]
	Timeout     time.Duration // per attempt [2 min]
	Attempts    int           // attempts per call [4]
	Backoff     time.Duration // wait before the second attempt, doubled each time [1 s]
	Concurrency int           // calls in flight at once [8]
	MaxTokens   int           // reply budget [2048]
	CacheDir    string        // on-disk cache of replies keyed by a hash of the request; "" = none
}

// JudgeStats counts an OpenAIJudge's work.
type JudgeStats struct {
	Calls     int64 `json:"calls"`      // HTTP requests sent (retries included)
	Retries   int64 `json:"retries"`    // attempts after the first
	CacheHits int64 `json:"cache_hits"` // replies served from the cache (no call)
	Failures  int64 `json:"failures"`   // requests that failed after every attempt
}

// OpenAIJudge is a Judge backed by an OpenAI-compatible chat endpoint (vLLM, SGLang, …), with
// per-attempt timeouts, bounded retries on transient errors, bounded concurrency and an on-disk
// cache, so that rerunning a grading costs no calls.
type OpenAIJudge struct {
	cfg    JudgeConfig
	client openai.Client
	sem    chan struct{}
	stats  struct{ calls, retries, hits, failures atomic.Int64 }
}

// NewOpenAIJudge checks cfg and returns the judge.
func NewOpenAIJudge(cfg JudgeConfig) (*OpenAIJudge, error) {
	if cfg.Endpoint == "" || cfg.Model == "" {
		return nil, fmt.Errorf("hipho judge: endpoint and model are required (got %q, %q)", cfg.Endpoint, cfg.Model)
	}
	if cfg.APIKey == "" {
		cfg.APIKey = "EMPTY"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 4
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.MaxTokens <= 0 {
		cfg.MaxTokens = 2048
	}
	if cfg.CacheDir != "" {
		if err := os.MkdirAll(cfg.CacheDir, 0o755); err != nil {
			return nil, fmt.Errorf("hipho judge: cache: %w", err)
		}
	}
	j := &OpenAIJudge{cfg: cfg, sem: make(chan struct{}, cfg.Concurrency)}
	j.client = openai.NewClient(option.WithBaseURL(strings.TrimRight(cfg.Endpoint, "/")+"/"),
		option.WithAPIKey(cfg.APIKey), option.WithMaxRetries(0))
	return j, nil
}

// Stats returns the judge's counters so far.
func (j *OpenAIJudge) Stats() JudgeStats {
	return JudgeStats{Calls: j.stats.calls.Load(), Retries: j.stats.retries.Load(), CacheHits: j.stats.hits.Load(), Failures: j.stats.failures.Load()}
}

// JudgePrompt is the user message sent for a request.
func JudgePrompt(req JudgeRequest) string {
	resp := req.Response
	if i := strings.LastIndex(resp, "</think>"); i >= 0 {
		resp = resp[i+len("</think>"):]
	}
	if len(resp) > judgeTail {
		resp = resp[len(resp)-judgeTail:]
	}
	return fmt.Sprintf(judgeInstructions, req.Problem, req.Reference, req.Criterion, strings.TrimSpace(resp))
}

// Judge implements Judge.
func (j *OpenAIJudge) Judge(ctx context.Context, req JudgeRequest) (string, error) {
	prompt := JudgePrompt(req)
	key := j.cacheKey(prompt)
	if reply, ok := j.cached(key); ok {
		j.stats.hits.Add(1)
		return reply, nil
	}
	select {
	case j.sem <- struct{}{}:
		defer func() { <-j.sem }()
	case <-ctx.Done():
		return "", ctx.Err()
	}
	reply, err := j.call(ctx, prompt)
	if err != nil {
		j.stats.failures.Add(1)
		return "", err
	}
	j.store(key, reply)
	return reply, nil
}

// call sends prompt with bounded retries and exponential backoff.
func (j *OpenAIJudge) call(ctx context.Context, prompt string) (string, error) {
	wait := j.cfg.Backoff
	var last error
	for attempt := 1; attempt <= j.cfg.Attempts; attempt++ {
		if attempt > 1 {
			j.stats.retries.Add(1)
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return "", fmt.Errorf("hipho judge %s: %w", j.cfg.Endpoint, ctx.Err())
			}
			wait *= 2
		}
		j.stats.calls.Add(1)
		actx, cancel := context.WithTimeout(ctx, j.cfg.Timeout)
		res, err := j.client.Chat.Completions.New(actx, openai.ChatCompletionNewParams{
			Model:       j.cfg.Model,
			Messages:    []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)},
			Temperature: openai.Float(0),
			MaxTokens:   openai.Int(int64(j.cfg.MaxTokens)),
		})
		cancel()
		if err == nil && len(res.Choices) == 0 {
			err = errors.New("reply has no choices")
		}
		if err == nil {
			return res.Choices[0].Message.Content, nil
		}
		last = err
		if ctx.Err() != nil || !transient(err) {
			break
		}
	}
	return "", fmt.Errorf("hipho judge %s (model %s): failed: %w", j.cfg.Endpoint, j.cfg.Model, last)
}

// transient reports whether an error may go away on retry: transport errors, timeouts, 408, 409,
// 429 and 5xx; other HTTP statuses fail at once.
func transient(err error) bool {
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		s := apiErr.StatusCode
		return s == 408 || s == 409 || s == 429 || s >= 500
	}
	return !errors.Is(err, context.Canceled) // transport errors and per-attempt timeouts
}

// cacheKey hashes everything that determines the reply.
func (j *OpenAIJudge) cacheKey(prompt string) string {
	b, _ := json.Marshal(struct {
		Model, Prompt string
		MaxTokens     int
		Temperature   float64
	}{j.cfg.Model, prompt, j.cfg.MaxTokens, 0})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// cacheEntry is one cached reply on disk.
type cacheEntry struct {
	Model string `json:"model"`
	Reply string `json:"reply"`
}

func (j *OpenAIJudge) cached(key string) (string, bool) {
	if j.cfg.CacheDir == "" {
		return "", false
	}
	b, err := os.ReadFile(filepath.Join(j.cfg.CacheDir, key+".json"))
	if err != nil {
		return "", false
	}
	var e cacheEntry
	if json.Unmarshal(b, &e) != nil {
		return "", false
	}
	return e.Reply, true
}

func (j *OpenAIJudge) store(key, reply string) {
	if j.cfg.CacheDir == "" {
		return
	}
	b, _ := json.Marshal(cacheEntry{Model: j.cfg.Model, Reply: reply})
	_ = atomicfile.WriteFile(filepath.Join(j.cfg.CacheDir, key+".json"), b, 0o644) // a failed write only costs a call later
}
