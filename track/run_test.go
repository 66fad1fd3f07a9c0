package track

import (
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// logSteps logs steps from..to with a deterministic set of metrics.
func logSteps(t *testing.T, r *Run, from, to int) {
	t.Helper()
	for s := from; s <= to; s++ {
		m := map[string]float64{MetricEntropy: 1.5 - 0.05*float64(s), MetricScoreMean: 0.1 * float64(s), MetricLR: 1e-6}
		if err := r.Log(s, m); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRunWritesTheDirectoryAndTheStore(t *testing.T) {
	root := t.TempDir()
	r, err := Open(root, RunMeta{ID: "r1", Name: "gsm8k", Preset: "grpo", Config: map[string]any{"lr": 1e-6}, GitRev: "abc123"})
	if err != nil {
		t.Fatal(err)
	}
	logSteps(t, r, 1, 5)
	if err := r.Log(5, map[string]float64{"x": 1}); err == nil || !strings.Contains(err.Error(), "steps must increase") {
		t.Fatalf("re-logging step 5: err = %v", err)
	}
	if err := r.LogSamples(5, []Sample{{Prompt: "1+1?", Response: "<b>2</b>", Reward: 1, Verdict: "correct", GroundTruth: "2", Pred: "2"}}); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteSummary(map[string]any{"eval_before": 0.2, "eval_after": 0.4}); err != nil {
		t.Fatal(err)
	}
	if err := r.Finish("done"); err == nil || !strings.Contains(err.Error(), "completed") {
		t.Fatalf("Finish(done): err = %v, want one listing the statuses", err)
	}
	if err := r.Finish(StatusCompleted); err != nil {
		t.Fatal(err)
	}
	if err := r.Log(6, nil); err == nil {
		t.Fatal("Log after Finish should fail")
	}

	info, err := ReadInfo(root, "r1")
	if err != nil || info.Status != StatusCompleted || info.GitRev != "abc123" || info.End.IsZero() {
		t.Fatalf("info %+v err %v", info, err)
	}
	cfg, m, err := ReadConfig(root, "r1")
	if err != nil || m["lr"] != 1e-6 || !strings.Contains(cfg, "lr:") {
		t.Fatalf("config %q %v %v", cfg, m, err)
	}
	samples, bad, err := ReadSamples(root, "r1", 5)
	if err != nil || len(bad) != 0 || len(samples) != 1 || samples[0].Response != "<b>2</b>" {
		t.Fatalf("samples %+v bad %v err %v", samples, bad, err)
	}
	sum, err := ReadSummary(root, "r1")
	if err != nil || sum["eval_after"] != 0.4 {
		t.Fatalf("summary %v err %v", sum, err)
	}

	s, err := OpenStore(root)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	runs, err := s.Runs()
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %+v err %v", runs, err)
	}
	if got := runs[0]; got.ID != "r1" || got.Preset != "grpo" || got.Shown != StatusCompleted || got.Steps != 5 || got.LastStep != 5 {
		t.Fatalf("run record %+v", got)
	}
	rows, err := s.Metrics("r1", MetricScoreMean)
	if err != nil || len(rows) != 5 || math.Abs(rows[4].Values[MetricScoreMean]-0.5) > 1e-12 || len(rows[4].Values) != 1 {
		t.Fatalf("store metrics %+v err %v", rows, err)
	}
	var mode string
	if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q (%v), want wal", mode, err)
	}
}

func TestARunWhoseProcessDiedShowsAsInterrupted(t *testing.T) {
	// A real child process that exits: its pid is then provably dead.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run a child process: %v", err)
	}
	deadPID := cmd.Process.Pid
	host, _ := os.Hostname()
	now := time.Now()
	tests := []struct {
		name string
		info RunInfo
		want string
	}{
		{"a live writer with a fresh heartbeat is running", RunInfo{Status: StatusRunning, Host: host, PID: os.Getpid(), Heartbeat: now}, StatusRunning},
		{"a dead pid on this host is interrupted", RunInfo{Status: StatusRunning, Host: host, PID: deadPID, Heartbeat: now}, StatusInterrupted},
		{"a stale heartbeat from another host is interrupted", RunInfo{Status: StatusRunning, Host: "elsewhere", PID: 1, Heartbeat: now.Add(-time.Hour)}, StatusInterrupted},
		{"a fresh heartbeat from another host is running", RunInfo{Status: StatusRunning, Host: "elsewhere", PID: 1, Heartbeat: now}, StatusRunning},
		{"a completed run stays completed", RunInfo{Status: StatusCompleted, Host: host, PID: deadPID}, StatusCompleted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.info.Effective(now); got != tt.want {
				t.Fatalf("Effective = %s, want %s", got, tt.want)
			}
		})
	}

	// The store shows the same for a run left "running" by a dead writer.
	root := t.TempDir()
	r, err := Open(root, RunMeta{ID: "crashed"})
	if err != nil {
		t.Fatal(err)
	}
	logSteps(t, r, 1, 2)
	close(r.stop) // simulate the process dying: no Finish, files left as they are
	<-r.done
	r.metrics.Close()
	r.tb.close()
	r.store.Close()
	info, _ := ReadInfo(root, "crashed")
	info.PID = deadPID
	if err := writeInfo(filepath.Join(root, "crashed"), info); err != nil {
		t.Fatal(err)
	}
	s, err := OpenStore(root)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	runs, err := s.Runs()
	if err != nil || len(runs) != 1 || runs[0].Status != StatusRunning || runs[0].Shown != StatusInterrupted {
		t.Fatalf("runs %+v err %v, want stored running shown interrupted", runs, err)
	}
}

func TestResumeCutsTheRunBackToTheCheckpoint(t *testing.T) {
	root := t.TempDir()
	// The uninterrupted reference run.
	ref, err := Open(filepath.Join(root, "ref"), RunMeta{ID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	logSteps(t, ref, 1, 8)
	ref.Finish(StatusCompleted)

	// The crashed run: logged up to 6, checkpoint at 4, a half-written line at the end.
	crashRoot := filepath.Join(root, "crash")
	r, err := Open(crashRoot, RunMeta{ID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	logSteps(t, r, 1, 6)
	for s := 3; s <= 6; s++ {
		r.LogSamples(s, []Sample{{Prompt: "p"}})
	}
	r.Finish(StatusInterrupted)
	mp := filepath.Join(crashRoot, "x", FileMetrics)
	f, _ := os.OpenFile(mp, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"step":7,"actor/ent`)
	f.Close()

	r, err = Resume(crashRoot, "x", 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Log(4, nil); err == nil {
		t.Fatal("logging the resumed step again should fail")
	}
	logSteps(t, r, 5, 8)
	if err := r.Finish(StatusCompleted); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(filepath.Join(root, "ref", "x", FileMetrics))
	got, _ := os.ReadFile(mp)
	if string(got) != string(want) {
		t.Fatalf("resumed metrics.jsonl differs from the uninterrupted one:\n%s\nwant:\n%s", got, want)
	}
	if steps, _ := SampleSteps(crashRoot, "x"); !reflect.DeepEqual(steps, []int{3, 4}) {
		t.Fatalf("sample steps after resume %v, want [3 4]", steps)
	}
	info, _ := ReadInfo(crashRoot, "x")
	if !reflect.DeepEqual(info.ResumedFrom, []int{4}) || info.Status != StatusCompleted {
		t.Fatalf("info %+v", info)
	}
	s, _ := OpenStore(crashRoot)
	defer s.Close()
	rows, _ := s.Metrics("x")
	if len(rows) != 8 {
		t.Fatalf("store has %d steps, want 8", len(rows))
	}
	// TensorBoard: each step 1..8 exactly once across the files.
	seen := map[int64]int{}
	for _, f := range decodeTB(t, filepath.Join(crashRoot, "x")) {
		for _, ev := range f.Events {
			if len(ev.Summary) > 0 {
				seen[ev.Step]++
			}
		}
	}
	for s := int64(1); s <= 8; s++ {
		if seen[s] != 1 {
			t.Fatalf("tensorboard step counts %v, want each of 1..8 once", seen)
		}
	}
}

func TestResumingALiveRunIsRefused(t *testing.T) {
	root := t.TempDir()
	r, err := Open(root, RunMeta{ID: "live"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Finish(StatusCompleted)
	if _, err := Resume(root, "live", 0); err == nil || !strings.Contains(err.Error(), "still running") {
		t.Fatalf("err = %v", err)
	}
}

func TestClearErrorsForUnknownRunsAndMissingFiles(t *testing.T) {
	root := t.TempDir()
	r, err := Open(root, RunMeta{ID: "known"})
	if err != nil {
		t.Fatal(err)
	}
	r.Finish(StatusCompleted)
	os.Remove(filepath.Join(root, "known", FileConfig))
	tests := []struct {
		name string
		call func() error
		want []string
	}{
		{"an unknown run id lists the known ones", func() error { _, err := ReadInfo(root, "nope"); return err }, []string{`unknown run "nope"`, "known"}},
		{"a run id with a slash is rejected", func() error { _, err := ReadInfo(root, "../etc"); return err }, []string{`invalid run id "../etc"`}},
		{"a missing config names the file", func() error { _, _, err := ReadConfig(root, "known"); return err }, []string{"has no config", FileConfig}},
		{"missing samples list the steps that have them", func() error { _, _, err := ReadSamples(root, "known", 3); return err }, []string{"no samples for step 3"}},
		{"opening an existing id points at Resume", func() error { _, err := Open(root, RunMeta{ID: "known"}); return err }, []string{"already exists", "Resume"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("err %q lacks %q", err, w)
				}
			}
		})
	}
	_, err = ReadInfo(root, "nope")
	if !errors.Is(err, ErrUnknownRun) {
		t.Fatalf("err %v does not wrap ErrUnknownRun", err)
	}
}

func TestHeartbeatKeepsALongStepRunning(t *testing.T) {
	old := heartbeatEvery
	heartbeatEvery = 20 * time.Millisecond
	defer func() { heartbeatEvery = old }()
	root := t.TempDir()
	r, err := Open(root, RunMeta{ID: "hb"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Finish(StatusCompleted)
	first, _ := ReadInfo(root, "hb")
	time.Sleep(150 * time.Millisecond)
	later, _ := ReadInfo(root, "hb")
	if !later.Heartbeat.After(first.Heartbeat) {
		t.Fatalf("heartbeat did not advance: %v then %v", first.Heartbeat, later.Heartbeat)
	}
}

func TestDashHintQuotesPathsWithSpaces(t *testing.T) {
	if got := DashHint("my runs"); !strings.Contains(got, "ascent dash --runs 'my runs'") {
		t.Fatalf("hint %q", got)
	}
	if got := DashHint("./runs"); !strings.Contains(got, "ascent dash --runs ./runs") {
		t.Fatalf("hint %q", got)
	}
}

func BenchmarkLog(b *testing.B) {
	r, err := Open(b.TempDir(), RunMeta{ID: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Finish(StatusCompleted)
	m := map[string]float64{}
	for i, k := range []string{MetricScoreMean, MetricRewardsMean, MetricAdvantagesMean, MetricEntropy, MetricPGLoss,
		MetricPGClipfrac, MetricPGClipfracLow, MetricPPOKL, MetricKLLoss, MetricGradNorm, MetricLR, MetricRespLenMean,
		MetricRespClipRatio, MetricTimeStep, MetricTimeGen, MetricTimeUpdate, MetricThroughput, MetricTimeoutRatio,
		MetricErrorRatio, MetricValAccuracy} {
		m[k] = float64(i) * 0.1
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := r.Log(i, m); err != nil {
			b.Fatal(err)
		}
	}
}
