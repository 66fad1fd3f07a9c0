// Package testutil holds helpers shared by the test suites: finding the shared specs, reference
// vectors, labelled cases and data sets that sit beside the repository as ../shared.
package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// RepoRoot returns the nearest ancestor of the working directory (a package directory during
// `go test`) that holds go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no go.mod above %s", wd)
		}
	}
}

// SharedPath returns ../shared/<rel> beside the repository root. The shared data is part of every
// checkout and CI run, so its absence is a test failure (with what to do), never a silent skip.
func SharedPath(t testing.TB, rel ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{RepoRoot(t), "..", "shared"}, rel...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("shared test data missing: %v (check out shared/ beside the repository, as CI does)", err)
	}
	return p
}

// WantErr checks err against want: a substring the error must contain, or "" for no error. It
// reports whether an error was expected (the caller's case is then done).
func WantErr(t testing.TB, err error, want string) bool {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatal(err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Fatalf("error %v, want one containing %q", err, want)
	}
	return want != ""
}
