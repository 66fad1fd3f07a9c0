package track

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"
)

// RunMeta describes a new run to Open.
type RunMeta struct {
	// ID is the run id and directory name; empty means "<UTC yyyymmdd-hhmmss>-<name>".
	ID string
	// Name is a human label, e.g. "gsm8k-grpo-0.5b".
	Name string
	// Preset is the algorithm preset name.
	Preset string
	// ConfigYAML is the resolved config as YAML; when empty Config is marshalled instead.
	ConfigYAML string
	// Config is the resolved config as a map (used only when ConfigYAML is empty).
	Config map[string]any
	// GitRev is the source revision of the trainer.
	GitRev string
	// Host is the machine name; empty means os.Hostname().
	Host string
	// Start is the start time; zero means now.
	Start time.Time
}

// Run is a run being written: the trainer's handle. Its methods are safe for concurrent use.
type Run struct {
	root, dir string
	store     *Store

	mu       sync.Mutex
	info     RunInfo
	metrics  *os.File
	size     int64 // bytes of metrics.jsonl
	lastStep int   // highest logged step, -1 before the first
	tb       *tbWriter
	closed   bool

	stop chan struct{}
	done chan struct{}
}

// heartbeatEvery is HeartbeatInterval; tests shorten it.
var heartbeatEvery = HeartbeatInterval

var slugRe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Open creates a new run directory under root, writes config.yaml and run.json, registers the
// run in the store and starts its heartbeat. It fails if the run id already exists (use Resume).
func Open(root string, meta RunMeta) (*Run, error) {
	now := time.Now()
	if meta.Start.IsZero() {
		meta.Start = now
	}
	if meta.Host == "" {
		meta.Host, _ = os.Hostname()
	}
	cfg := meta.ConfigYAML
	if cfg == "" && meta.Config != nil {
		b, err := yaml.Marshal(meta.Config)
		if err != nil {
			return nil, fmt.Errorf("open run: encode config: %w", err)
		}
		cfg = string(b)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("open run: %w", err)
	}
	id := meta.ID
	if id == "" {
		base := meta.Start.UTC().Format("20060102-150405")
		if s := strings.Trim(slugRe.ReplaceAllString(meta.Name, "-"), "-."); s != "" {
			base += "-" + s
		}
		id = base
		for i := 2; ; i++ {
			if _, err := os.Stat(filepath.Join(root, id)); errors.Is(err, fs.ErrNotExist) {
				break
			}
			id = fmt.Sprintf("%s-%d", base, i)
		}
	}
	dir, err := RunDir(root, id)
	if err != nil {
		return nil, fmt.Errorf("open run: %w", err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("open run: %s already exists: pick another id or resume it with track.Resume", dir)
		}
		return nil, fmt.Errorf("open run: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, FileConfig), []byte(cfg)); err != nil {
		return nil, fmt.Errorf("open run: %w", err)
	}
	info := RunInfo{ID: id, Name: meta.Name, Preset: meta.Preset, GitRev: meta.GitRev, Host: meta.Host,
		PID: os.Getpid(), Status: StatusRunning, Start: meta.Start, Heartbeat: now}
	return start(root, dir, info, cfg, -1, now)
}

// start writes run.json, opens the files and the store and starts the heartbeat.
func start(root, dir string, info RunInfo, cfg string, lastStep int, now time.Time) (*Run, error) {
	if err := writeInfo(dir, info); err != nil {
		return nil, fmt.Errorf("open run: %w", err)
	}
	mf, err := os.OpenFile(filepath.Join(dir, FileMetrics), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open run: %w", err)
	}
	st, err := mf.Stat()
	if err != nil {
		mf.Close()
		return nil, fmt.Errorf("open run: %w", err)
	}
	tb, err := newTBWriter(dir, now)
	if err != nil {
		mf.Close()
		return nil, fmt.Errorf("open run: %w", err)
	}
	store, err := OpenStore(root)
	if err == nil {
		var mt time.Time
		if st, serr := os.Stat(filepath.Join(dir, FileInfo)); serr == nil {
			mt = st.ModTime()
		}
		if err = store.upsertRun(info, cfg, mt); err == nil {
			_, err = store.reimport(info.ID, filepath.Join(dir, FileMetrics), st.Size())
		}
	}
	if err != nil {
		mf.Close()
		tb.close()
		if store != nil {
			store.Close()
		}
		return nil, fmt.Errorf("open run: %w", err)
	}
	r := &Run{root: root, dir: dir, store: store, info: info, metrics: mf, size: st.Size(),
		lastStep: lastStep, tb: tb, stop: make(chan struct{}), done: make(chan struct{})}
	go r.beat()
	return r, nil
}

// ID returns the run id.
func (r *Run) ID() string { return r.info.ID }

// Dir returns the run directory.
func (r *Run) Dir() string { return r.dir }

// beat refreshes the heartbeat in run.json and the store until Finish.
func (r *Run) beat() {
	defer close(r.done)
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case now := <-t.C:
			r.mu.Lock()
			if !r.closed {
				r.info.Heartbeat = now
				// Errors are retried on the next tick; a run that cannot write them shows as
				// interrupted, which is the truth about a run that cannot write its directory.
				_ = writeInfo(r.dir, r.info)
				_ = r.store.heartbeat(r.info.ID, now)
			}
			r.mu.Unlock()
		}
	}
}

// Log appends one metrics line for step (one write call), writes the TensorBoard scalars and the
// store rows. Steps must increase strictly. The JSONL line is written first: if a later part
// fails the error says which, and the line is already durable-as-written.
func (r *Run) Log(step int, metrics map[string]float64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return fmt.Errorf("log step %d of run %s: run is finished", step, r.info.ID)
	}
	if step <= r.lastStep {
		return fmt.Errorf("log step %d of run %s: steps must increase, last logged step is %d", step, r.info.ID, r.lastStep)
	}
	line, err := encodeRow(step, metrics)
	if err != nil {
		return fmt.Errorf("log step %d of run %s: %w", step, r.info.ID, err)
	}
	prev := r.size
	n, err := r.metrics.Write(line)
	r.size += int64(n)
	if err != nil {
		return fmt.Errorf("log step %d: write %s: %w", step, r.metrics.Name(), err)
	}
	r.lastStep = step
	now := time.Now()
	var errs []error
	if err := r.tb.scalars(now, step, metrics); err != nil {
		errs = append(errs, err)
	}
	if err := r.store.addMetrics(r.info.ID, []Row{{Step: step, Values: metrics}}, prev, r.size); err != nil {
		errs = append(errs, err)
	}
	r.info.Heartbeat = now
	if err := r.store.heartbeat(r.info.ID, now); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("log step %d of run %s: %w", step, r.info.ID, err)
	}
	return nil
}

// LogSamples writes samples/step_N.jsonl atomically (replacing an earlier file for that step).
func (r *Run) LogSamples(step int, samples []Sample) error {
	return r.writeSamples(fmt.Sprintf("step_%d.jsonl", step), "samples", step, samples)
}

// writeSamples writes samples as JSONL to samples/name atomically.
func (r *Run) writeSamples(name, what string, step int, samples []Sample) error {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, s := range samples {
		if err := enc.Encode(s); err != nil {
			return fmt.Errorf("log %s of step %d: %w", what, step, err)
		}
	}
	d := filepath.Join(r.dir, DirSamples)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return fmt.Errorf("log %s of step %d: %w", what, step, err)
	}
	return writeFileAtomic(filepath.Join(d, name), []byte(b.String()))
}

// LogEvalSamples writes the greedy held-out responses of the evaluation after RL step step (0:
// before RL) to samples/eval_step_N.jsonl, every problem in held-out order. SampleSteps and
// ReadSamples list only the rollout samples (step_N.jsonl).
func (r *Run) LogEvalSamples(step int, samples []Sample) error {
	return r.writeSamples(fmt.Sprintf("eval_step_%d.jsonl", step), "eval samples", step, samples)
}

// WriteSummary writes summary.json atomically ({"eval_before": x, "eval_after": y, ...}).
func (r *Run) WriteSummary(summary map[string]any) error {
	b, err := json.MarshalIndent(summary, "", "  ")
	if err != nil {
		return fmt.Errorf("write summary of run %s: %w", r.info.ID, err)
	}
	return writeFileAtomic(filepath.Join(r.dir, FileSummary), append(b, '\n'))
}

// Sync flushes metrics.jsonl and the TensorBoard file to disk; call it at checkpoints.
func (r *Run) Sync() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	if err := r.metrics.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", r.metrics.Name(), err)
	}
	return r.tb.sync()
}

// Finish records the final status (completed, failed or interrupted), syncs and closes the files.
func (r *Run) Finish(status string) error {
	switch status {
	case StatusCompleted, StatusFailed, StatusInterrupted:
	default:
		return fmt.Errorf("finish run %s: status %q, want one of %s, %s, %s", r.info.ID, status, StatusCompleted, StatusFailed, StatusInterrupted)
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return fmt.Errorf("finish run %s: already finished (%s)", r.info.ID, r.info.Status)
	}
	r.closed = true
	r.mu.Unlock()
	close(r.stop)
	<-r.done

	now := time.Now()
	r.info.Status, r.info.End, r.info.Heartbeat = status, now, now
	var errs []error
	errs = append(errs, r.metrics.Sync(), r.metrics.Close(), r.tb.sync(), r.tb.close())
	if err := writeInfo(r.dir, r.info); err != nil {
		errs = append(errs, err)
	} else {
		cfg, _, _ := ReadConfig(r.root, r.info.ID)
		var mt time.Time
		if st, err := os.Stat(filepath.Join(r.dir, FileInfo)); err == nil {
			mt = st.ModTime()
		}
		errs = append(errs, r.store.upsertRun(r.info, cfg, mt))
	}
	errs = append(errs, r.store.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("finish run %s: %w", r.info.ID, err)
	}
	return nil
}

// DashHint is the line the trainer prints so a user can watch the run.
func DashHint(root string) string {
	arg := root
	if strings.ContainsAny(arg, " \t'\"$`\\") {
		arg = "'" + strings.ReplaceAll(arg, "'", `'\''`) + "'"
	}
	return fmt.Sprintf("watch it: ascent dash --runs %s   (then open http://127.0.0.1:8080)", arg)
}
