package rollout

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestBufferHandsBatchesOverInStepOrderWithinItsCapacity(t *testing.T) {
	b, err := NewBuffer[string](4)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := b.Put(ctx, 1, 2, "one", time.Second); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, 2, 2, "two", time.Second); err != nil {
		t.Fatal(err)
	}
	if got := b.Fill(); got != 1 {
		t.Fatalf("fill %v, want 1", got)
	}
	// A third batch does not fit until the learner takes one.
	done := make(chan error, 1)
	go func() { done <- b.Put(ctx, 3, 2, "three", 5*time.Second) }()
	select {
	case err := <-done:
		t.Fatalf("put into a full buffer returned %v before any take", err)
	case <-time.After(50 * time.Millisecond):
	}
	if v, err := b.Take(ctx, 1, time.Second); err != nil || v != "one" {
		t.Fatalf("take 1: %q, %v", v, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if held := b.Held(); strings.Join(held, ",") != "two,three" {
		t.Fatalf("held %v", held)
	}
}

// The failure users of asynchronous pipelines report most: a buffer that never fills and a learner
// that waits forever. Here every wait ends at its deadline with what it waited for.
func TestBufferWaitsEndAtTheirDeadlineWithAnExplanation(t *testing.T) {
	b, _ := NewBuffer[int](2)
	ctx := context.Background()
	if err := b.Put(ctx, 1, 1, 1, time.Second); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := b.Take(ctx, 2, 100*time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "step 2's batch (buffer holds 1/2 groups of steps [1])") {
		t.Fatalf("take of a batch never produced: %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("took %v to time out", el)
	}
	if err := b.Put(ctx, 2, 2, 2, 50*time.Millisecond); err == nil || !strings.Contains(err.Error(), "room for step 2's 2 groups") {
		t.Fatalf("put into a full buffer: %v", err)
	}
}

func TestBufferRefusesWhatWouldLoseOrDoubleCountGroups(t *testing.T) {
	b, _ := NewBuffer[int](2)
	ctx := context.Background()
	cases := []struct {
		name string
		put  func() error
		want string
	}{
		{"a batch larger than the buffer", func() error { return b.Put(ctx, 1, 3, 0, time.Second) }, "more than the capacity"},
		{"the same step twice", func() error {
			if err := b.Put(ctx, 2, 1, 0, time.Second); err != nil {
				return err
			}
			return b.Put(ctx, 2, 1, 0, time.Second)
		}, "already held"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.put(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
	if _, err := NewBuffer[int](0); err == nil {
		t.Fatal("a buffer of 0 groups was accepted")
	}
}

// A failed producer closes the buffer with its error; the waiting learner gets that error at once.
func TestClosingTheBufferWakesTheWaitingSide(t *testing.T) {
	b, _ := NewBuffer[int](1)
	cause := errors.New("sampler died")
	go func() {
		time.Sleep(20 * time.Millisecond)
		b.Close(cause)
	}()
	start := time.Now()
	if _, err := b.Take(context.Background(), 1, time.Minute); !errors.Is(err, cause) {
		t.Fatalf("take after close: %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("close did not wake the waiter")
	}
}
