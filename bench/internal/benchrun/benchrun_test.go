package benchrun

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSeeds(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []uint64
		err  string
	}{
		{"1,2,3", []uint64{1, 2, 3}, ""},
		{" 7 ", []uint64{7}, ""},
		{"1,x", nil, `--seeds: "x" is not a seed`},
		{"", nil, `--seeds: "" is not a seed`},
	} {
		got, err := Seeds("--seeds", c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Seeds(%q) error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("Seeds(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

// TestExec runs real processes: the log gets their output, a failure names the command and log.
func TestExec(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "ok.log")
	u, err := Exec("", log, "sh", "-c", "echo hello; echo oops >&2")
	if err != nil || u.Wall <= 0 {
		t.Fatalf("Exec = %+v, %v", u, err)
	}
	if b, _ := os.ReadFile(log); string(b) != "hello\noops\n" {
		t.Errorf("log %q, want both streams", b)
	}
	bad := filepath.Join(dir, "bad.log")
	if _, err := Exec("", bad, "sh", "-c", "exit 3"); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("a failing run's error %v does not name its log", err)
	}
}
