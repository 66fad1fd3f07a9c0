package track

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Resume reopens run id under root to continue from step (the step of the checkpoint being
// resumed). Metrics lines of later steps, an unparsable (truncated) last line, samples of later
// steps and the TensorBoard files are cut so the directory reads as if the run had never
// stopped: metrics.jsonl equals, byte for byte, what an uninterrupted run would have written up to
// step; the TensorBoard scalars are rewritten into one fresh event file (wall times of the
// rewritten events are the resume time). A run whose writer is still alive cannot be resumed.
func Resume(root, id string, step int) (*Run, error) {
	info, err := ReadInfo(root, id)
	if err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	now := time.Now()
	if info.Effective(now) == StatusRunning {
		return nil, fmt.Errorf("resume run %s: it is still running (pid %d on %s, heartbeat %s ago)",
			id, info.PID, info.Host, now.Sub(info.Heartbeat).Round(time.Second))
	}
	if step < 0 {
		return nil, fmt.Errorf("resume run %s: step %d, want >= 0", id, step)
	}
	dir := filepath.Join(root, id)
	cfg, _, err := ReadConfig(root, id)
	if err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}

	mp := filepath.Join(dir, FileMetrics)
	kept, rows, lastStep, err := cutMetrics(mp, step)
	if err != nil {
		return nil, fmt.Errorf("resume run %s: %w", id, err)
	}
	if err := writeFileAtomic(mp, kept); err != nil {
		return nil, fmt.Errorf("resume run %s: %w", id, err)
	}
	if err := cutSamples(root, id, step); err != nil {
		return nil, fmt.Errorf("resume run %s: %w", id, err)
	}
	if err := rewriteTB(dir, rows, now); err != nil {
		return nil, fmt.Errorf("resume run %s: %w", id, err)
	}

	info.Status, info.End, info.Heartbeat, info.PID = StatusRunning, time.Time{}, now, os.Getpid()
	info.Host, _ = os.Hostname()
	info.ResumedFrom = append(info.ResumedFrom, step)
	return start(root, dir, info, cfg, lastStep, now)
}

// cutMetrics returns the bytes of the lines of path with step <= step (original bytes), their
// rows and the highest kept step (-1 if none). A missing file reads as empty.
func cutMetrics(path string, step int) (kept []byte, rows []Row, last int, err error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil, -1, nil
	}
	if err != nil {
		return nil, nil, -1, fmt.Errorf("read metrics: %w", err)
	}
	last = -1
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			break // a truncated last line: the crash cut it, drop it
		}
		line := b[:i+1]
		b = b[i+1:]
		row, perr := parseRow(bytes.TrimSpace(line))
		if perr != nil || row.Step > step {
			continue
		}
		kept = append(kept, line...)
		rows = append(rows, row)
		last = max(last, row.Step)
	}
	return kept, rows, last, nil
}

// cutSamples removes samples/step_N.jsonl for N > step.
func cutSamples(root, id string, step int) error {
	steps, err := SampleSteps(root, id)
	if err != nil {
		return err
	}
	for _, s := range steps {
		if s > step {
			p := filepath.Join(root, id, DirSamples, fmt.Sprintf("step_%d.jsonl", s))
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("remove %s: %w", p, err)
			}
		}
	}
	return nil
}

// rewriteTB replaces the run's TensorBoard files by one holding rows. The new file is complete
// before the old ones are removed.
func rewriteTB(dir string, rows []Row, now time.Time) error {
	old, err := tbFiles(dir)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(dir, ".tb-rewrite")
	if err != nil {
		return fmt.Errorf("rewrite tensorboard files: %w", err)
	}
	defer os.RemoveAll(tmp)
	w, err := newTBWriter(tmp, now.Add(-time.Second)) // a name distinct from the writer opened next
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := w.scalars(now, r.Step, r.Values); err != nil {
			w.close()
			return err
		}
	}
	if err := w.sync(); err != nil {
		w.close()
		return fmt.Errorf("rewrite tensorboard files: %w", err)
	}
	name := filepath.Base(w.f.Name())
	w.close()
	for _, p := range old {
		if filepath.Base(p) == name {
			continue
		}
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("rewrite tensorboard files: %w", err)
		}
	}
	if err := os.Rename(filepath.Join(tmp, name), filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("rewrite tensorboard files: %w", err)
	}
	return nil
}
