package track

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTheStoreIsRebuiltFromCopiedRunDirectories(t *testing.T) {
	src := t.TempDir()
	for _, id := range []string{"a", "b"} {
		r, err := Open(src, RunMeta{ID: id, Preset: "dapo"})
		if err != nil {
			t.Fatal(err)
		}
		logSteps(t, r, 1, 3)
		r.Finish(StatusCompleted)
	}
	// "Copy to another machine": the run dirs without the database.
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{DBName, DBName + "-wal", DBName + "-shm"} {
		os.Remove(filepath.Join(dst, f))
	}
	os.RemoveAll(filepath.Join(dst, "b", FileInfo)) // a run dir from a tool that wrote no run.json
	s, err := OpenStore(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	runs, err := s.Runs()
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %+v err %v", runs, err)
	}
	byID := map[string]RunRecord{}
	for _, r := range runs {
		byID[r.ID] = r
	}
	if byID["a"].Shown != StatusCompleted || byID["a"].Steps != 3 || byID["b"].Shown != StatusUnknown || byID["b"].Steps != 3 {
		t.Fatalf("rebuilt runs %+v", byID)
	}
	// Deleting a directory drops it from the index on the next Sync.
	os.RemoveAll(filepath.Join(dst, "a"))
	if _, err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	if runs, _ := s.Runs(); len(runs) != 1 || runs[0].ID != "b" {
		t.Fatalf("after removing a: %+v", runs)
	}
}

func TestACorruptStoreIsMovedAsideAndRebuilt(t *testing.T) {
	root := t.TempDir()
	r, err := Open(root, RunMeta{ID: "a"})
	if err != nil {
		t.Fatal(err)
	}
	logSteps(t, r, 1, 2)
	r.Finish(StatusCompleted)
	for _, f := range []string{DBName + "-wal", DBName + "-shm"} {
		os.Remove(filepath.Join(root, f))
	}
	if err := os.WriteFile(filepath.Join(root, DBName), []byte(strings.Repeat("garbage!", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := OpenStore(root)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Sync()
	if runs, _ := s.Runs(); len(runs) != 1 || runs[0].Steps != 2 {
		t.Fatalf("rebuilt %+v", runs)
	}
	if m, _ := filepath.Glob(filepath.Join(root, DBName+".corrupt-*")); len(m) != 1 {
		t.Fatalf("corrupt file not kept aside: %v", m)
	}
}

func TestABrokenRunJSONIsReportedWithoutHidingOtherRuns(t *testing.T) {
	root := t.TempDir()
	for _, id := range []string{"good", "broken"} {
		r, err := Open(root, RunMeta{ID: id})
		if err != nil {
			t.Fatal(err)
		}
		r.Finish(StatusCompleted)
	}
	os.Remove(filepath.Join(root, DBName))
	os.Remove(filepath.Join(root, DBName+"-wal"))
	os.Remove(filepath.Join(root, DBName+"-shm"))
	if err := os.WriteFile(filepath.Join(root, "broken", FileInfo), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	runs, bad, err := ListRuns(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].ID != "good" {
		t.Fatalf("runs %+v, want only good", runs)
	}
	if len(bad) != 1 || !strings.Contains(bad[0].String(), filepath.Join("broken", FileInfo)) {
		t.Fatalf("bad %v, want broken/run.json reported", bad)
	}
}

func TestAReaderSyncingWhileTheTrainerLogsSeesAConsistentStore(t *testing.T) {
	root := t.TempDir()
	r, err := Open(root, RunMeta{ID: "busy"})
	if err != nil {
		t.Fatal(err)
	}
	reader, err := OpenStore(root) // a second connection, as `ascent dash` would hold
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	done := make(chan error, 1)
	go func() {
		for s := 1; s <= 60; s++ {
			if err := r.Log(s, map[string]float64{MetricEntropy: 1, MetricScoreMean: float64(s)}); err != nil {
				done <- err
				return
			}
		}
		done <- r.Finish(StatusCompleted)
	}()
	for finished := false; !finished; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			finished = true
		default:
			if _, err := reader.Sync(); err != nil {
				t.Fatalf("reader sync during logging: %v", err)
			}
			if _, err := reader.Runs(); err != nil {
				t.Fatalf("reader list during logging: %v", err)
			}
		}
	}
	if _, err := reader.Sync(); err != nil {
		t.Fatal(err)
	}
	runs, _ := reader.Runs()
	if len(runs) != 1 || runs[0].Steps != 60 || runs[0].Shown != StatusCompleted {
		t.Fatalf("final %+v", runs)
	}
	var n int
	reader.db.QueryRow(`SELECT COUNT(*) FROM metrics WHERE run_id = 'busy'`).Scan(&n)
	if n != 120 {
		t.Fatalf("%d metric rows, want 120", n)
	}
	var check string
	reader.db.QueryRow(`PRAGMA integrity_check`).Scan(&check)
	if check != "ok" {
		t.Fatalf("integrity_check: %s", check)
	}
}
