package trainer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fillWith(content string) func(string) error {
	return func(dir string) error {
		if err := os.MkdirAll(filepath.Join(dir, engineSubdir), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, engineSubdir, "model.safetensors"), []byte(content), 0o644); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, stateFile), []byte(`{"step":1}`), 0o644)
	}
}

func TestCheckpointsVerifyAndFallBackFromCorruption(t *testing.T) {
	run := t.TempDir()
	for step := 1; step <= 3; step++ {
		if _, err := writeCheckpoint(run, step, 2, fillWith(strings.Repeat("w", 100*step))); err != nil {
			t.Fatal(err)
		}
	}
	steps, _ := listCheckpoints(run)
	if len(steps) != 2 || steps[0] != 3 || steps[1] != 2 {
		t.Fatalf("keep=2 should leave steps [3 2], got %v", steps)
	}
	dir, step, err := latestValidCheckpoint(run, func(string) { t.Fatal("no corruption expected") })
	if err != nil || step != 3 || filepath.Base(dir) != "step_000003" {
		t.Fatalf("latest = %s %d %v", dir, step, err)
	}
	// Truncate a weight file of the newest checkpoint: resume must warn and use step 2.
	w := filepath.Join(dir, engineSubdir, "model.safetensors")
	if err := os.Truncate(w, 10); err != nil {
		t.Fatal(err)
	}
	var warnings []string
	dir, step, err = latestValidCheckpoint(run, func(s string) { warnings = append(warnings, s) })
	if err != nil || step != 2 {
		t.Fatalf("after corruption: got step %d (%v), want fallback to 2", step, err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "model.safetensors") || !strings.Contains(warnings[0], "falling back") {
		t.Fatalf("warning should name the file and the fallback: %v", warnings)
	}
	// No temporary directories are left behind.
	entries, _ := os.ReadDir(filepath.Join(run, checkpointsDir))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Fatalf("temporary checkpoint dir left: %s", e.Name())
		}
	}
}

func TestFailedCheckpointLeavesNothing(t *testing.T) {
	run := t.TempDir()
	_, err := writeCheckpoint(run, 5, 0, func(string) error { return os.ErrPermission })
	if err == nil {
		t.Fatal("want the fill error")
	}
	steps, _ := listCheckpoints(run)
	entries, _ := os.ReadDir(filepath.Join(run, checkpointsDir))
	if len(steps) != 0 || len(entries) != 0 {
		t.Fatalf("a failed checkpoint left %v / %d entries", steps, len(entries))
	}
	if _, s, _ := latestValidCheckpoint(run, func(string) {}); s != 0 {
		t.Fatal("no checkpoint expected")
	}
}
