package model

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

func TestParallelForNSplitsIntoAtMostWorkersParts(t *testing.T) {
	for _, c := range []struct {
		name             string
		workers, n, minN int
		wantParts        int
	}{
		{"one worker runs it inline", 1, 100, 2, 1},
		{"three workers split it in three", 3, 9, 2, 3},
		{"no more parts than items", 8, 3, 2, 3},
		{"below minN it runs inline", 4, 3, 10, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			var mu sync.Mutex
			var parts [][2]int
			parallelForN(c.workers, c.n, c.minN, func(lo, hi int) {
				mu.Lock()
				parts = append(parts, [2]int{lo, hi})
				mu.Unlock()
			})
			covered := 0
			for _, p := range parts {
				covered += p[1] - p[0]
			}
			if len(parts) != c.wantParts || covered != c.n {
				t.Fatalf("parts %v, want %d parts covering %d", parts, c.wantParts, c.n)
			}
		})
	}
}

// A decoder bounded to one thread starts no goroutine while it decodes (watched with
// runtime.NumGoroutine during steps whose products are large enough to split), and its logits
// are bit-for-bit those of the unbounded decoder.
func TestADecoderBoundToOneThreadStartsNoGoroutineAndDecodesTheSame(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS ≥ 2 for the unbounded decoder to split its work")
	}
	p := NewRandom(TinyConfig(), 5)
	const rows = 64
	run := func(threads int, watch bool) ([][]float32, int32) {
		d := NewDecoder(p, rows, 16)
		d.SetThreads(threads)
		for r := range rows {
			if _, err := d.Prefill(r, []int{2, 3 + r%7, 4}); err != nil {
				t.Fatal(err)
			}
		}
		var peak atomic.Int32
		stop := make(chan struct{})
		var wg sync.WaitGroup
		base := int32(runtime.NumGoroutine()) + 1 // the watcher itself
		if watch {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
						if n := int32(runtime.NumGoroutine()) - base; n > peak.Load() {
							peak.Store(n)
						}
						runtime.Gosched()
					}
				}
			}()
		}
		toks, active := make([]int, rows), make([]bool, rows)
		var out [][]float32
		for step := range 8 {
			for r := range rows {
				toks[r], active[r] = 5+(r+step)%9, true
			}
			ls, err := d.Step(toks, active)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range ls {
				out = append(out, slices.Clone(l))
			}
		}
		close(stop)
		wg.Wait()
		return out, peak.Load()
	}
	want, _ := run(0, false)
	got, extra := run(1, true)
	if extra > 0 {
		t.Errorf("the decoder bound to one thread ran %d goroutines besides the test's", extra)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("logits %d differ between one thread and GOMAXPROCS", i)
		}
	}
}
