// Package testutil holds helpers shared by the test suites: finding the shared specs, reference
// vectors, labelled cases and data sets that sit beside the repository as ../shared.
package testutil

import (
	"os"
	"path/filepath"
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
