package track

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestJSONOutputsHaveListsNotNullsWhenEmpty(t *testing.T) {
	root := t.TempDir()
	runs, _, err := ListRuns(root)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(runs); string(b) != "[]" {
		t.Errorf("ListRuns of an empty root marshals to %s, want []", b)
	}
	r, err := Open(root, RunMeta{ID: "r1", Name: "n"})
	if err != nil {
		t.Fatal(err)
	}
	logSteps(t, r, 1, 2)
	if err := r.Finish(StatusCompleted); err != nil {
		t.Fatal(err)
	}
	d, err := LoadRun(root, "r1")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := ExportJSON(&out, d); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"sample_steps": []`) {
		t.Errorf("a run without samples exports sample_steps as: %s", out.String())
	}
}
