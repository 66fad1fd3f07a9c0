package main

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/trainer"
)

// ascent data export writes a run's own held-out problems (prompt_text and demonstration kept),
// and names a bad split.
func TestDataExportWritesTheRunsProblems(t *testing.T) {
	out := filepath.Join(t.TempDir(), "test.jsonl")
	if _, err := runAscent(t, "data", "export", "--task", "physics", "--level", "2", "--split", "test", "--n", "20", "--run-seed", "3", "--out", out); err != nil {
		t.Fatal(err)
	}
	ds, err := data.LoadFile(out, data.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := trainer.TaskExamples("physics", 2, nil, data.SplitTest, 20, 3, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Examples) != 20 {
		t.Fatalf("%d rows, want 20", len(ds.Examples))
	}
	for i, ex := range ds.Examples {
		w := want[i]
		if ex.ID != w.ID || ex.PromptText != w.PromptText || ex.Demonstration != w.Demonstration || ex.GroundTruth != w.GroundTruth ||
			ex.DataSource != w.DataSource || !reflect.DeepEqual(ex.Prompt, w.Prompt) {
			t.Fatalf("row %d: %+v, want %+v", i, ex, w)
		}
	}
	if _, err := runAscent(t, "data", "export", "--task", "physics", "--split", "dev", "--out", out); err == nil || !strings.Contains(err.Error(), `--split "dev"`) {
		t.Fatalf("a bad split: %v", err)
	}
}
