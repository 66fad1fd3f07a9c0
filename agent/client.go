package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// RoleHeader is the HTTP header naming the workflow and role of every call, e.g.
// "proteus/planner", so a server log, a proxy or a test can tell the roles apart.
const RoleHeader = "X-Ascent-Role"

// Config configures a Client. Zero values take the defaults noted.
type Config struct {
	Endpoint    string        // base URL of the OpenAI-compatible API, e.g. http://127.0.0.1:8000/v1
	Model       string        // model name the server lists
	APIKey      string        // bearer key (default "none")
	Workflow    string        // first half of the role header, e.g. "proteus"
	Timeout     time.Duration // per-call timeout (default 120s)
	Retries     int           // retries after a failed attempt (default 3; -1 for none)
	Backoff     time.Duration // first retry delay, doubled each retry (default 500ms)
	Concurrency int           // calls in flight at once (default 4)
	Temperature float64       // sampling temperature (default 0)
	MaxTokens   int           // completion limit per call (0: the server's default)
}

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`    // "system", "user" or "assistant"
	Content string `json:"content"` // text
}

// Reply is one completed call.
type Reply struct {
	Content          string        `json:"content"`           // the assistant's text
	PromptTokens     int           `json:"prompt_tokens"`     // from usage
	CompletionTokens int           `json:"completion_tokens"` // from usage
	Latency          time.Duration `json:"latency_ns"`        // wall time of the successful attempt
	Attempts         int           `json:"attempts"`          // attempts made (1 = no retry)
}

// Client is a chat client over the OpenAI protocol. It is safe for concurrent use.
type Client struct {
	cfg    Config
	oa     openai.Client
	sem    chan struct{}
	prompt atomic.Int64
	compl  atomic.Int64
	calls  atomic.Int64
}

// NewClient checks cfg and builds a client (no network traffic).
func NewClient(cfg Config) (*Client, error) {
	if cfg.Endpoint == "" || cfg.Model == "" {
		return nil, errors.New("agent: need an endpoint URL and a model name")
	}
	if !strings.HasPrefix(cfg.Endpoint, "http://") && !strings.HasPrefix(cfg.Endpoint, "https://") {
		return nil, fmt.Errorf("agent: endpoint %q is not an http(s) URL", cfg.Endpoint)
	}
	if cfg.Workflow == "" {
		return nil, errors.New("agent: need a workflow name for the role header")
	}
	if cfg.APIKey == "" {
		cfg.APIKey = "none"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 120 * time.Second
	}
	if cfg.Retries == 0 {
		cfg.Retries = 3
	} else if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	base := strings.TrimRight(cfg.Endpoint, "/") + "/"
	c := &Client{cfg: cfg, sem: make(chan struct{}, cfg.Concurrency),
		oa: openai.NewClient(option.WithBaseURL(base), option.WithAPIKey(cfg.APIKey), option.WithMaxRetries(0))}
	return c, nil
}

// Config returns the client's configuration after defaults.
func (c *Client) Config() Config { return c.cfg }

// Usage returns the calls made and the prompt and completion tokens reported by the server.
func (c *Client) Usage() (calls, prompt, completion int) {
	return int(c.calls.Load()), int(c.prompt.Load()), int(c.compl.Load())
}

// CheckModel fails fast when the endpoint cannot be reached or does not list the model.
func (c *Client) CheckModel(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	page, err := c.oa.Models.List(ctx, option.WithHeader(RoleHeader, c.cfg.Workflow+"/models"))
	if err != nil {
		return fmt.Errorf("agent: list models at %s: %w", c.cfg.Endpoint, err)
	}
	var names []string
	for _, m := range page.Data {
		if m.ID == c.cfg.Model {
			return nil
		}
		names = append(names, m.ID)
	}
	return fmt.Errorf("agent: %s does not serve model %q; it lists: %s", c.cfg.Endpoint, c.cfg.Model, strings.Join(names, ", "))
}

// Chat sends msgs as role (header "<workflow>/<role>") and returns the reply. Transient failures
// (network errors, timeouts, 408, 429 and 5xx) are retried with exponential backoff; other client
// errors fail at once.
func (c *Client) Chat(ctx context.Context, role string, msgs []Message) (Reply, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return Reply{}, ctx.Err()
	}
	defer func() { <-c.sem }()
	params := openai.ChatCompletionNewParams{Model: c.cfg.Model, Temperature: openai.Float(c.cfg.Temperature)}
	if c.cfg.MaxTokens > 0 {
		params.MaxTokens = openai.Int(int64(c.cfg.MaxTokens))
	}
	for _, m := range msgs {
		switch m.Role {
		case "system":
			params.Messages = append(params.Messages, openai.SystemMessage(m.Content))
		case "assistant":
			params.Messages = append(params.Messages, openai.AssistantMessage(m.Content))
		case "user":
			params.Messages = append(params.Messages, openai.UserMessage(m.Content))
		default:
			return Reply{}, fmt.Errorf("agent: message role %q unknown; known: system, user, assistant", m.Role)
		}
	}
	header := option.WithHeader(RoleHeader, c.cfg.Workflow+"/"+role)
	delay := c.cfg.Backoff
	var last error
	for attempt := 1; attempt <= c.cfg.Retries+1; attempt++ {
		start := time.Now()
		cctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
		resp, err := c.oa.Chat.Completions.New(cctx, params, header)
		cancel()
		if err == nil {
			if len(resp.Choices) == 0 {
				err = errors.New("reply has no choices")
			} else {
				r := Reply{Content: resp.Choices[0].Message.Content, PromptTokens: int(resp.Usage.PromptTokens),
					CompletionTokens: int(resp.Usage.CompletionTokens), Latency: time.Since(start), Attempts: attempt}
				c.calls.Add(1)
				c.prompt.Add(int64(r.PromptTokens))
				c.compl.Add(int64(r.CompletionTokens))
				return r, nil
			}
		}
		last = err
		if ctx.Err() != nil || !transient(err) || attempt > c.cfg.Retries {
			break
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return Reply{}, ctx.Err()
		}
		delay *= 2
	}
	return Reply{}, fmt.Errorf("agent: %s/%s call to %s: %w%s", c.cfg.Workflow, role, c.cfg.Endpoint, last, serverReason(last))
}

// serverReason is the server's own error message of an API error (", server says: …"), which
// the client's error text leaves out; "" for other errors.
func serverReason(err error) string {
	var apiErr *openai.Error
	if errors.As(err, &apiErr) && apiErr.Message != "" {
		return ", server says: " + apiErr.Message
	}
	return ""
}

// transient reports whether an error is worth retrying.
func transient(err error) bool {
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		s := apiErr.StatusCode
		return s == http.StatusRequestTimeout || s == http.StatusTooManyRequests || s >= 500
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "connection") || strings.Contains(err.Error(), "EOF")
}
