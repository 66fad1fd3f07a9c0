package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRunsListJSONPrintsAnEmptyListWithNoRuns(t *testing.T) {
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetArgs([]string{"runs", "list", "--json", "--runs", t.TempDir()})
	if err := rootCmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); got != "[]" {
		t.Errorf("runs list --json printed %q, want []", got)
	}
}
