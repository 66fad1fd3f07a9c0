package track

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRunsStartingAndFinishingTogetherShareOneStore starts and finishes several runs at once in
// one runs directory, as `bench/recipe --parallel` does: opening the store while another process
// writes or checkpoints it must wait, not fail with SQLITE_BUSY.
func TestRunsStartingAndFinishingTogetherShareOneStore(t *testing.T) {
	root := t.TempDir()
	const workers, rounds = 6, 4
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				r, err := Open(root, RunMeta{ID: fmt.Sprintf("w%d-r%d", w, i)})
				if err != nil {
					errs <- err
					return
				}
				for s := 1; s <= 5; s++ {
					if err := r.Log(s, map[string]float64{MetricScoreMean: float64(s)}); err != nil {
						errs <- err
						return
					}
				}
				if err := r.Finish(StatusCompleted); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s, err := OpenStore(root)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	runs, err := s.Runs()
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != workers*rounds {
		t.Errorf("%d runs in the store, want %d", len(runs), workers*rounds)
	}
}

func TestOpenRetriesABusyDatabaseWithinItsBound(t *testing.T) {
	busy := errors.New("open run store x: database is locked (5) (SQLITE_BUSY)")
	cases := []struct {
		name      string
		failures  int // calls that return busy before success
		wait      time.Duration
		wantCalls int
		wantErr   string
	}{
		{"succeeds after two busy replies", 2, time.Second, 3, ""},
		{"gives up at the bound", 1 << 30, 50 * time.Millisecond, -1, "still locked by another process"},
		{"other errors are not retried", -1, time.Second, 1, "disk I/O error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			calls := 0
			err := retryBusy(c.wait, func() error {
				calls++
				switch {
				case c.failures < 0:
					return errors.New("disk I/O error")
				case calls <= c.failures:
					return busy
				}
				return nil
			})
			if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("err %v, want %q", err, c.wantErr)
			}
			if c.wantCalls >= 0 && calls != c.wantCalls {
				t.Errorf("%d calls, want %d", calls, c.wantCalls)
			}
		})
	}
}
