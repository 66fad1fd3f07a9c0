package trainer

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/ascent-rl/ascent/metric"
)

// Phases of one RL step, in order, as the live display shows them.
var phases = []string{"rollout", "reward", "update"}

// progress shows a run as it trains. In a terminal: live bars for the RL steps (with the latest
// reward, accuracy, entropy, response length and step time) and for the phases of the current step
// (rollout → reward → update), with log lines printed above them. Anywhere else (a file, a pipe, CI):
// nothing but the plain lines the trainer prints.
type progress struct {
	p        *mpb.Progress // nil when not a terminal
	steps    *mpb.Bar
	phaseBar *mpb.Bar
	mu       sync.Mutex
	summary  string // latest step summary
	phase    string // current phase name
}

// isTerminal reports whether w is a character device (a TTY).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// newProgress starts the live display for steps RL steps, beginning after step done.
func newProgress(out io.Writer, done, steps int) *progress {
	pr := &progress{}
	if out == nil || !isTerminal(out) || steps <= done {
		return pr
	}
	pr.p = mpb.New(mpb.WithOutput(out), mpb.WithWidth(32))
	pr.steps = pr.p.AddBar(int64(steps),
		mpb.PrependDecorators(decor.Name("RL steps ", decor.WCSyncSpaceR), decor.CountersNoUnit("%d/%d", decor.WCSyncSpace)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			pr.mu.Lock()
			defer pr.mu.Unlock()
			return pr.summary
		})))
	pr.steps.SetCurrent(int64(done))
	pr.phaseBar = pr.p.AddBar(int64(len(phases)),
		mpb.PrependDecorators(decor.Any(func(decor.Statistics) string {
			pr.mu.Lock()
			defer pr.mu.Unlock()
			return fmt.Sprintf("%-9s", pr.phase)
		}, decor.WCSyncSpaceR), decor.Elapsed(decor.ET_STYLE_GO, decor.WCSyncSpace)),
		mpb.BarRemoveOnComplete())
	return pr
}

// writer is where log lines go: above the bars in a terminal, else to out unchanged.
func (pr *progress) writer(out io.Writer) io.Writer {
	if pr != nil && pr.p != nil {
		return pr.p
	}
	return out
}

// enter marks the start of a phase of the current step.
func (pr *progress) enter(name string) {
	if pr == nil || pr.p == nil {
		return
	}
	pr.mu.Lock()
	pr.phase = name
	pr.mu.Unlock()
	for i, p := range phases {
		if p == name {
			pr.phaseBar.SetCurrent(int64(i))
		}
	}
}

// stepDone advances the step bar and shows the step's summary.
func (pr *progress) stepDone(step int, m metrics) {
	if pr == nil || pr.p == nil {
		return
	}
	pr.mu.Lock()
	pr.summary = fmt.Sprintf("score %+.3f  acc %.3f  entropy %.3f  len %.1f  %.1fs/step",
		m[metric.ScoreMean], m[metric.Accuracy], m[metric.Entropy], m[metric.RespLenMean], m[metric.TimeStep])
	pr.mu.Unlock()
	pr.steps.SetCurrent(int64(step))
	pr.phaseBar.SetCurrent(0)
}

// close stops the display (completing or abandoning the bars).
func (pr *progress) close() {
	if pr == nil || pr.p == nil {
		return
	}
	pr.phaseBar.Abort(true)
	if !pr.steps.Completed() {
		pr.steps.Abort(false)
	}
	pr.p.Wait()
}
