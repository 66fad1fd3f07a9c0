package eval

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

// Retry bounds the attempts made against an endpoint.
type Retry struct {
	Attempts   int           // total attempts per request (≥ 1); 5 by default
	Backoff    time.Duration // wait before the second attempt; doubled after each failure; 1 s by default
	MaxBackoff time.Duration // cap on the wait; 30 s by default
	Timeout    time.Duration // per-attempt timeout; 0 means none (long generations can take minutes)
}

// withDefaults fills zero fields.
func (r Retry) withDefaults() Retry {
	if r.Attempts <= 0 {
		r.Attempts = 5
	}
	if r.Backoff <= 0 {
		r.Backoff = time.Second
	}
	if r.MaxBackoff <= 0 {
		r.MaxBackoff = 30 * time.Second
	}
	return r
}

// newClient builds an OpenAI-compatible client for endpoint (e.g. http://127.0.0.1:8000/v1). The SDK's
// own retries are off: do() owns retries so that the bound and the error message are ours.
func newClient(endpoint, apiKey string) openai.Client {
	if apiKey == "" {
		apiKey = "EMPTY" // vLLM and SGLang accept any key when started without one
	}
	return openai.NewClient(
		option.WithBaseURL(strings.TrimRight(endpoint, "/")+"/"),
		option.WithAPIKey(apiKey),
		option.WithMaxRetries(0),
	)
}

// retryable reports whether an error may go away on retry: transport errors, timeouts, 408, 409, 429
// and 5xx. Other HTTP statuses (400 bad request, 401, 404 unknown model) fail at once.
func retryable(err error) bool {
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		s := apiErr.StatusCode
		return s == 408 || s == 409 || s == 429 || s >= 500
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	return !errors.Is(err, context.Canceled)
}

// do runs call with bounded retries and exponential backoff. The error after the last attempt names the
// endpoint, the number of attempts and the last cause.
func do[T any](ctx context.Context, r Retry, endpoint string, call func(ctx context.Context) (T, error)) (T, error) {
	r = r.withDefaults()
	var zero T
	wait := r.Backoff
	var last error
	for attempt := 1; attempt <= r.Attempts; attempt++ {
		actx, cancel := ctx, context.CancelFunc(func() {})
		if r.Timeout > 0 {
			actx, cancel = context.WithTimeout(ctx, r.Timeout)
		}
		v, err := call(actx)
		cancel()
		if err == nil {
			return v, nil
		}
		last = err
		if ctx.Err() != nil {
			return zero, fmt.Errorf("eval: endpoint %s: %w", endpoint, ctx.Err())
		}
		if !retryable(err) {
			return zero, fmt.Errorf("eval: endpoint %s: %w", endpoint, err)
		}
		if attempt == r.Attempts {
			break
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return zero, fmt.Errorf("eval: endpoint %s: %w", endpoint, ctx.Err())
		}
		wait = min(2*wait, r.MaxBackoff)
	}
	return zero, fmt.Errorf("eval: endpoint %s unreachable or failing after %d attempts: %w", endpoint, r.Attempts, last)
}
