package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBadSpecsAreErrorsNamingTheProblem(t *testing.T) {
	sb := testSandbox(t)
	zeroWall := DefaultLimits()
	zeroWall.Wall = 0
	cases := []struct {
		name string
		spec Spec
		want string
	}{
		{"no program", Spec{Limits: DefaultLimits()}, "empty Argv"},
		{"a limit of zero", Spec{Argv: []string{"true"}, Limits: zeroWall}, "limit wall"},
		{"a file path climbing out", Spec{Argv: []string{"true"}, Limits: DefaultLimits(), Files: []File{{Path: "../x"}}}, `"../x"`},
		{"an absolute file path", Spec{Argv: []string{"true"}, Limits: DefaultLimits(), Files: []File{{Path: "/etc/x"}}}, `"/etc/x"`},
		{"an environment entry without =", Spec{Argv: []string{"true"}, Limits: DefaultLimits(), Env: []string{"FOO"}}, `"FOO"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sb.Run(context.Background(), tc.spec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %s", err, tc.want)
			}
		})
	}
}

func TestShellProgramsFilesAndStdin(t *testing.T) {
	sb := testSandbox(t)
	lim := DefaultLimits()
	lim.FileBytes = 1 << 20
	cases := []struct {
		name   string
		spec   Spec
		status Status
		stdout string
	}{
		{"stdin reaches the program", Spec{Argv: []string{"sh", "-c", "tr a-z A-Z"}, Stdin: []byte("abc"), Limits: lim}, StatusOK, "ABC"},
		{"files land in nested directories of /work", Spec{Argv: []string{"sh", "-c", "cat pkg/data.txt; test -x run.sh && ./run.sh"},
			Files:  []File{{Path: "pkg/data.txt", Data: []byte("data;")}, {Path: "run.sh", Data: []byte("#!/bin/sh\necho ran\n"), Mode: 0o755}},
			Limits: lim}, StatusOK, "data;ran"},
		{"a writer killed by SIGXFSZ reads as the file limit", Spec{Argv: []string{"sh", "-c", "head -c 4000000 /dev/zero > big"}, Limits: lim}, StatusFileLimit, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := sb.Run(context.Background(), tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tc.status || !strings.Contains(string(r.Stdout), tc.stdout) {
				t.Fatalf("status %s stdout %q stderr %q, want %s with %q", r.Status, r.Stdout, r.Stderr, tc.status, tc.stdout)
			}
		})
	}
}

func TestCancelledContextEndsTheRun(t *testing.T) {
	sb := testSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	r, err := sb.Run(ctx, Spec{Argv: []string{"sleep", "60"}, Limits: DefaultLimits()})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusTimeout {
		t.Fatalf("status %s, want timeout", r.Status)
	}
}

func TestNewSaysWhatIsMissing(t *testing.T) {
	dir := t.TempDir()
	// Run as root, the sandbox starts bubblewrap as nobody, who must be able to reach it.
	os.Chmod(dir, 0o755)
	os.Chmod(filepath.Dir(dir), 0o755)
	noNS := dir + "/bwrap"
	// A bubblewrap that fails as it does on a kernel without user namespaces: the one thing that
	// cannot be arranged for real on a machine that has them.
	if err := writeExecutable(noNS, "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, bwrap, want string
	}{
		{"no bubblewrap at all", dir + "/missing-bwrap", "install Debian's bubblewrap"},
		{"user namespaces unavailable", noNS, "user namespaces"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Config{Bwrap: tc.bwrap})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func writeExecutable(path, body string) error { return os.WriteFile(path, []byte(body), 0o755) }

// BenchmarkSandboxedRun is the fixed cost of one sandboxed run: bubblewrap's namespaces and
// mounts, the seccomp filter, prlimit, and the program (true, or python3 printing a line).
func BenchmarkSandboxedRun(b *testing.B) {
	sb, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	for _, argv := range [][]string{{"true"}, {"python3", "-c", "print(1)"}} {
		b.Run(argv[0], func(b *testing.B) {
			for b.Loop() {
				r, err := sb.Run(context.Background(), Spec{Argv: argv, Limits: DefaultLimits()})
				if err != nil || r.Status != StatusOK {
					b.Fatalf("%v %+v", err, r)
				}
			}
		})
	}
}
