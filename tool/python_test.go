package tool

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/sandbox"
)

// TestPythonRunsInTheSandboxAndAnswersErrorsAsText needs bubblewrap (`make deps`); its absence
// fails the test rather than skipping it, as the sandbox's own tests do.
func TestPythonRunsInTheSandboxAndAnswersErrorsAsText(t *testing.T) {
	lim := sandbox.DefaultLimits()
	lim.Wall, lim.CPUSeconds = 2*time.Second, 1
	tools, err := New([]string{"python"}, Options{Limits: lim})
	if err != nil {
		t.Fatalf("python tool: %v (run `make deps`)", err)
	}
	py := tools["python"]
	cases := []struct {
		name, code, want, err string
	}{
		{"prints an exact big integer", "print(2**100)", "1267650600228229401496703205376", ""},
		{"an exception is the last line of stderr", "1/0", "", "ZeroDivisionError: division by zero"},
		{"the network is unreachable", "import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=1)", "", "exit 1"},
		{"a loop past the deadline is a timeout", "while True: pass", "", "timeout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := py.Call(context.Background(), c.code)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("Call(%q) = %q, %v; want an error containing %q", c.code, got, err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Call(%q) = %q, %v; want %q", c.code, got, err, c.want)
			}
		})
	}
}
