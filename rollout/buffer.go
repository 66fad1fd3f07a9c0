package rollout

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Buffer is the bounded hand-over between an asynchronous rollout producer and the learner: the
// producer puts each RL step's batch (its groups, with what else the learner needs, T) under the
// step's number; the learner takes them step by step. Capacity counts groups, so a producer that
// runs ahead holds at most Capacity groups that the learner has not taken.
//
// Every wait has a deadline and ends early when either side fails (Close): a stuck producer makes
// Take fail with an error that says what it waited for and how full the buffer was, instead of
// hanging (the failure reported by AReaL and verl users as a buffer stuck at 125/128).
type Buffer[T any] struct {
	capacity int

	mu      sync.Mutex
	items   map[int]bufItem[T] // step → batch
	used    int                // groups held
	changed chan struct{}      // closed and replaced on every change
	err     error              // set by Close
}

type bufItem[T any] struct {
	groups int
	v      T
}

// ErrBufferClosed is wrapped by Put and Take after Close(nil).
var ErrBufferClosed = errors.New("rollout buffer closed")

// NewBuffer creates a buffer holding at most capacity groups (≥ 1).
func NewBuffer[T any](capacity int) (*Buffer[T], error) {
	if capacity < 1 {
		return nil, fmt.Errorf("rollout buffer: capacity %d groups: want ≥ 1", capacity)
	}
	return &Buffer[T]{capacity: capacity, items: map[int]bufItem[T]{}, changed: make(chan struct{})}, nil
}

// Capacity is the most groups the buffer holds.
func (b *Buffer[T]) Capacity() int { return b.capacity }

// Put stores step's batch of groups groups, waiting while it does not fit. It fails after timeout,
// when ctx ends, when the buffer is closed, for a batch larger than the capacity, and for a step
// already held.
func (b *Buffer[T]) Put(ctx context.Context, step, groups int, v T, timeout time.Duration) error {
	if groups > b.capacity {
		return fmt.Errorf("rollout buffer: step %d has %d groups, more than the capacity of %d", step, groups, b.capacity)
	}
	return b.wait(ctx, timeout, func() (bool, error) {
		if _, dup := b.items[step]; dup {
			return false, fmt.Errorf("rollout buffer: step %d is already held (a batch would be counted twice)", step)
		}
		if b.used+groups > b.capacity {
			return false, nil
		}
		b.items[step] = bufItem[T]{groups, v}
		b.used += groups
		return true, nil
	}, func() string {
		return fmt.Sprintf("room for step %d's %d groups (buffer holds %d/%d groups of steps %v)", step, groups, b.used, b.capacity, b.stepsLocked())
	})
}

// Take removes and returns step's batch, waiting until the producer has put it. It fails after
// timeout, when ctx ends and when the buffer is closed.
func (b *Buffer[T]) Take(ctx context.Context, step int, timeout time.Duration) (T, error) {
	var out T
	err := b.wait(ctx, timeout, func() (bool, error) {
		it, ok := b.items[step]
		if !ok {
			return false, nil
		}
		delete(b.items, step)
		b.used -= it.groups
		out = it.v
		return true, nil
	}, func() string {
		return fmt.Sprintf("step %d's batch (buffer holds %d/%d groups of steps %v)", step, b.used, b.capacity, b.stepsLocked())
	})
	return out, err
}

// wait runs try under the lock until it reports done, an error, the deadline or a close.
func (b *Buffer[T]) wait(ctx context.Context, timeout time.Duration, try func() (bool, error), what func() string) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		b.mu.Lock()
		if b.err != nil {
			err := b.err
			b.mu.Unlock()
			return err
		}
		done, err := try()
		if done || err != nil {
			if done {
				b.notifyLocked()
			}
			b.mu.Unlock()
			return err
		}
		ch := b.changed
		b.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			b.mu.Lock()
			msg := what()
			b.mu.Unlock()
			return fmt.Errorf("rollout buffer: waited %v for %s: %w", timeout, msg, context.DeadlineExceeded)
		}
	}
}

// Close wakes every waiter: they return err (ErrBufferClosed when nil). The first close wins.
func (b *Buffer[T]) Close(err error) {
	if err == nil {
		err = ErrBufferClosed
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == nil {
		b.err = err
		b.notifyLocked()
	}
}

// Fill is the share of the capacity in use, in [0, 1].
func (b *Buffer[T]) Fill() float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return float64(b.used) / float64(b.capacity)
}

// Held returns the batches held, in step order (for checkpoints).
func (b *Buffer[T]) Held() []T {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]T, 0, len(b.items))
	for _, s := range b.stepsLocked() {
		out = append(out, b.items[s].v)
	}
	return out
}

func (b *Buffer[T]) stepsLocked() []int {
	steps := make([]int, 0, len(b.items))
	for s := range b.items {
		steps = append(steps, s)
	}
	sort.Ints(steps)
	return steps
}

func (b *Buffer[T]) notifyLocked() {
	close(b.changed)
	b.changed = make(chan struct{})
}
