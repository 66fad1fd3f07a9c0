package tool

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ascent-rl/ascent/sandbox"
)

// Python runs a program with python3 in the sandbox (no network, read-only system, rlimits, a
// wall-clock deadline) and answers what it printed. A non-zero exit, a signal, a timeout or a
// limit is the tool's error, with the last line of stderr.
type Python struct {
	sb  *sandbox.Sandbox
	lim sandbox.Limits
}

func init() { Register("python", NewPython) }

// NewPython starts the sandbox (when opt has none) and returns the Python tool; it fails where
// bubblewrap cannot start (docs/sandbox.md).
func NewPython(opt Options) (Tool, error) {
	lim := opt.Limits
	if lim == (sandbox.Limits{}) {
		lim = sandbox.DefaultLimits()
		lim.Wall, lim.CPUSeconds, lim.OutputBytes = 5*time.Second, 2, 64<<10
	}
	if err := lim.Validate(); err != nil {
		return nil, err
	}
	sb := opt.Sandbox
	if sb == nil {
		var err error
		if sb, err = sandbox.New(sandbox.Config{}); err != nil {
			return nil, err
		}
	}
	return &Python{sb: sb, lim: lim}, nil
}

// Name returns "python".
func (*Python) Name() string { return "python" }

// Description is the OpenAI tools line.
func (*Python) Description() string {
	return "Runs a Python 3 program in a sandbox without network and answers what it printed to stdout."
}

// Param returns "code".
func (*Python) Param() string { return "code" }

// Call runs input as main.py.
func (p *Python) Call(ctx context.Context, input string) (string, error) {
	res, err := p.sb.Run(ctx, sandbox.Spec{Argv: []string{"python3", "main.py"},
		Files: []sandbox.File{{Path: "main.py", Data: []byte(input)}}, Limits: p.lim})
	if err != nil {
		return "", fmt.Errorf("sandbox error: %w", err)
	}
	out := strings.TrimRight(string(res.Stdout), " \n\t")
	if res.Status == sandbox.StatusOK {
		return out, nil
	}
	last := strings.TrimSpace(string(res.Stderr))
	if i := strings.LastIndexByte(last, '\n'); i >= 0 {
		last = last[i+1:]
	}
	switch res.Status {
	case sandbox.StatusTimeout:
		return "", fmt.Errorf("timeout after %s", p.lim.Wall)
	case sandbox.StatusCPULimit: // a busy loop meets the CPU limit before the wall deadline on an idle machine
		return "", fmt.Errorf("timeout: used its %d CPU seconds", p.lim.CPUSeconds)
	case sandbox.StatusExit:
		return "", fmt.Errorf("exit %d: %s", res.ExitCode, last)
	default:
		return "", fmt.Errorf("%s: %s", res.Status, last)
	}
}
