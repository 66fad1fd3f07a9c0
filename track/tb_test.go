package track

import (
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// decodedFile is tbdecode.py's output for one file.
type decodedFile struct {
	File   string `json:"file"`
	Events []struct {
		WallTime    float64 `json:"wall_time"`
		Step        int64   `json:"step"`
		FileVersion string  `json:"file_version"`
		Summary     []struct {
			Tag         string  `json:"tag"`
			SimpleValue float64 `json:"simple_value"`
		} `json:"summary"`
	} `json:"events"`
}

// decodeTB runs the independent Python decoder on a run directory's event files.
func decodeTB(t *testing.T, dir string) []decodedFile {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is needed for the TensorBoard decoder test: %v", err)
	}
	files, err := tbFiles(dir)
	if err != nil || len(files) == 0 {
		t.Fatalf("no event files in %s (%v)", dir, err)
	}
	out, err := exec.Command(py, append([]string{"testdata/tbdecode.py"}, files...)...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("tbdecode.py: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var dec []decodedFile
	if err := json.Unmarshal(out, &dec); err != nil {
		t.Fatalf("decode tbdecode.py output: %v", err)
	}
	return dec
}

func TestTensorBoardFilesDecodeWithAnIndependentDecoder(t *testing.T) {
	root := t.TempDir()
	start := time.Now()
	r, err := Open(root, RunMeta{ID: "tb"})
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]float64{
		{MetricEntropy: 1.25, MetricScoreMean: -0.5, "val/accuracy": 0.375},
		{MetricEntropy: 1.0, "actor/grad_norm": 1e3},
	}
	for i, m := range want {
		if err := r.Log(i+1, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Log(300, map[string]float64{"big_step": 2}); err != nil { // a multi-byte varint step
		t.Fatal(err)
	}
	r.Finish(StatusCompleted)
	dec := decodeTB(t, filepath.Join(root, "tb"))
	if len(dec) != 1 || len(dec[0].Events) != 4 {
		t.Fatalf("decoded %+v, want one file with 4 events", dec)
	}
	evs := dec[0].Events
	if evs[0].FileVersion != "brain.Event:2" || len(evs[0].Summary) != 0 {
		t.Fatalf("first event %+v, want file_version brain.Event:2", evs[0])
	}
	for i, m := range want {
		ev := evs[i+1]
		if ev.Step != int64(i+1) || len(ev.Summary) != len(m) {
			t.Fatalf("event %d = %+v, want step %d with %d values", i+1, ev, i+1, len(m))
		}
		if wt := ev.WallTime; wt < float64(start.Unix())-1 || wt > float64(time.Now().Unix())+1 {
			t.Fatalf("event %d wall_time %v not around now", i+1, wt)
		}
		for _, v := range ev.Summary {
			if float32(v.SimpleValue) != float32(m[v.Tag]) {
				t.Fatalf("event %d tag %s = %v, want %v", i+1, v.Tag, v.SimpleValue, m[v.Tag])
			}
		}
	}
	if evs[3].Step != 300 || evs[3].Summary[0].Tag != "big_step" {
		t.Fatalf("last event %+v", evs[3])
	}
}
