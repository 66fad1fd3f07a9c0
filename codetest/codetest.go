// Package codetest runs a model-written Python program against a problem's tests inside the
// sandbox and reports how many passed, with a status that says why the others did not: the code
// reward and the reward workers score with it.
//
//	c, err := codetest.New(codetest.Config{})
//	res := c.Check(ctx, codetest.ExtractProgram(response), tests)   // res.Passed / res.Total
package codetest

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/ascent-rl/ascent/sandbox"
)

//go:embed harness.py
var harness []byte

// Status is the outcome of one test case, and of a whole check (its first non-passing kind, in
// the order compile_error, sandbox_error, timeout, runtime_error, wrong_answer).
type Status string

const (
	Pass         Status = "ok"            // the case passed (a check: every case passed)
	WrongAnswer  Status = "wrong_answer"  // ran to the end with the wrong output or a failed assert
	RuntimeError Status = "runtime_error" // exception, crash, memory or output limit
	Timeout      Status = "timeout"       // wall-clock or CPU limit
	CompileError Status = "compile_error" // the program does not compile (no case runs)
	SandboxError Status = "sandbox_error" // the sandbox could not run it: never the program's fault
	NoCode       Status = "no_code"       // the response holds no program
)

// precedence orders the statuses a check reports when cases fail in different ways.
var precedence = []Status{CompileError, NoCode, SandboxError, Timeout, RuntimeError, WrongAnswer}

// Config sets up a Checker.
type Config struct {
	// Limits bound the sandboxed run of a whole check (all its cases run in one sandbox, each in a
	// process of its own). Its wall clock is cut to CaseTimeout per case plus 5 s. Zero:
	// sandbox.DefaultLimits with a 60 s wall clock.
	Limits sandbox.Limits
	// CaseTimeout bounds each case's wall-clock and CPU time (default 2 s).
	CaseTimeout time.Duration
	// Python is the interpreter inside the sandbox (default "python3").
	Python string
	// Sandbox is the sandbox to use (default: sandbox.New(sandbox.Config{})).
	Sandbox *sandbox.Sandbox
}

// Checker runs programs against tests. It is safe for concurrent use.
type Checker struct {
	cfg Config
	sb  *sandbox.Sandbox
}

// New returns a Checker, starting a sandbox unless cfg.Sandbox is given.
func New(cfg Config) (*Checker, error) {
	if cfg.Limits == (sandbox.Limits{}) {
		cfg.Limits = sandbox.DefaultLimits()
		cfg.Limits.Wall = 60 * time.Second
	}
	if cfg.CaseTimeout <= 0 {
		cfg.CaseTimeout = 2 * time.Second
	}
	if err := cfg.Limits.Validate(); err != nil {
		return nil, err
	}
	if cfg.Python == "" {
		cfg.Python = "python3"
	}
	sb := cfg.Sandbox
	if sb == nil {
		var err error
		if sb, err = sandbox.New(sandbox.Config{}); err != nil {
			return nil, err
		}
	}
	return &Checker{cfg: cfg, sb: sb}, nil
}

// Case is one test case's outcome.
type Case struct {
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"` // the exception, the sandbox status, or "expected … got …" (truncated)
}

// Result is a whole check.
type Result struct {
	Passed int    `json:"passed"`
	Total  int    `json:"total"`
	Status Status `json:"status"`
	Cases  []Case `json:"cases"`
}

// Fraction is Passed/Total (0 for no cases).
func (r Result) Fraction() float64 {
	if r.Total == 0 {
		return 0
	}
	return float64(r.Passed) / float64(r.Total)
}

var fence = regexp.MustCompile("(?s)```[ \t]*(python3?|py)?[ \t]*\n(.*?)```")

// ExtractProgram returns the last fenced code block of a response (```python, ```py or a bare
// ```), or "" when there is none.
func ExtractProgram(response string) string {
	m := fence.FindAllStringSubmatch(response, -1)
	if len(m) == 0 {
		return ""
	}
	// Prefer the last block tagged as Python; else the last block.
	for i := len(m) - 1; i >= 0; i-- {
		if m[i][1] != "" {
			return m[i][2]
		}
	}
	return m[len(m)-1][2]
}

// Check runs program against tests in one sandboxed run. Every outcome, including the sandbox's own failures, is in the
// Result: it has no error to return.
func (c *Checker) Check(ctx context.Context, program string, tests Tests) Result {
	res := Result{Total: tests.Len()}
	if err := tests.Validate(); err != nil {
		res.Status, res.Cases = SandboxError, []Case{{Status: SandboxError, Detail: err.Error()}}
		return res
	}
	if strings.TrimSpace(program) == "" {
		res.Status = NoCode
		return res
	}
	res.Cases = c.runAll(ctx, program, tests)
	res.Status = Pass
	worst := len(precedence)
	for _, cs := range res.Cases {
		if cs.Status == Pass {
			res.Passed++
			continue
		}
		for j, s := range precedence {
			if s == cs.Status && j < worst {
				worst = j
			}
		}
	}
	if worst < len(precedence) {
		res.Status = precedence[worst]
	}
	return res
}

// harnessReply is one case's result line from the harness.
type harnessReply struct {
	Status string          `json:"status"` // ok, exit, signal, timeout, error
	Code   int             `json:"code"`
	Signal int             `json:"signal"`
	Stdout string          `json:"stdout"`
	Value  json.RawMessage `json:"value"`
	Error  string          `json:"error"`
}

// runAll runs every case in one sandboxed harness run (each case in a forked child with its own
// deadline) and grades the replies.
func (c *Checker) runAll(ctx context.Context, program string, tests Tests) []Case {
	mode, cases := "stdio", any(tests.Inputs)
	var outLimits []int
	switch {
	case len(tests.Asserts) > 0:
		mode, cases = "asserts", tests.Asserts
	case tests.FnName != "":
		raw := make([]json.RawMessage, len(tests.Inputs))
		for i, in := range tests.Inputs {
			raw[i] = json.RawMessage(in)
		}
		mode, cases = "call", raw
	default:
		for _, want := range tests.Outputs {
			outLimits = append(outLimits, max(2*len(want)+1024, 4096))
		}
	}
	var b [12]byte
	rand.Read(b[:])
	nonce := hex.EncodeToString(b[:])
	stdin, err := json.Marshal(map[string]any{"nonce": nonce, "mode": mode, "fn_name": tests.FnName, "cases": cases,
		"timeout_s": c.cfg.CaseTimeout.Seconds(), "out_limits": outLimits})
	if err != nil {
		return []Case{{Status: SandboxError, Detail: err.Error()}}
	}
	lim := c.cfg.Limits
	n := tests.Len()
	lim.Wall = min(lim.Wall, time.Duration(n)*c.cfg.CaseTimeout+5*time.Second)
	total := 64 << 10
	for _, l := range outLimits {
		total += l + 256
	}
	lim.OutputBytes = max(lim.OutputBytes, total)
	r, err := c.sb.Run(ctx, sandbox.Spec{
		Argv:   []string{c.cfg.Python, "harness.py"},
		Stdin:  stdin,
		Files:  []sandbox.File{{Path: "harness.py", Data: harness}, {Path: "solution.py", Data: []byte(program)}},
		Limits: lim,
	})
	if err != nil {
		return []Case{{Status: SandboxError, Detail: err.Error()}}
	}
	if r.Status == sandbox.StatusExit && r.ExitCode == 97 {
		return []Case{{Status: CompileError, Detail: truncate(string(lastLine(bytes.TrimSpace(r.Stderr))), 200)}}
	}
	var out []Case
	prefix := []byte(nonce + " ")
	for _, line := range bytes.Split(r.Stdout, []byte("\n")) {
		rest, ok := bytes.CutPrefix(line, prefix)
		var rep harnessReply
		if !ok || json.Unmarshal(rest, &rep) != nil || len(out) == n {
			continue
		}
		out = append(out, grade(rep, tests, len(out)))
	}
	for len(out) < n { // the harness itself ended early
		switch r.Status {
		case sandbox.StatusTimeout, sandbox.StatusCPULimit:
			out = append(out, Case{Status: Timeout, Detail: "the check's wall clock ran out"})
		case sandbox.StatusOK, sandbox.StatusExit:
			out = append(out, Case{Status: RuntimeError, Detail: "the harness ended before this case: " + truncate(string(r.Stderr), 200)})
		default:
			out = append(out, Case{Status: RuntimeError, Detail: fmt.Sprintf("the harness ended before this case (%s)", r.Status)})
		}
	}
	return out
}

// grade turns case i's harness reply into its outcome.
func grade(rep harnessReply, tests Tests, i int) Case {
	switch rep.Status {
	case "ok":
	case "timeout":
		return Case{Status: Timeout, Detail: "over the per-case time limit"}
	case "error":
		if len(tests.Asserts) > 0 && strings.HasPrefix(rep.Error, "AssertionError") {
			return Case{Status: WrongAnswer, Detail: rep.Error}
		}
		return Case{Status: RuntimeError, Detail: truncate(rep.Error, 200)}
	case "signal":
		return Case{Status: RuntimeError, Detail: fmt.Sprintf("killed by signal %d %s", rep.Signal, truncate(rep.Error, 200))}
	default:
		return Case{Status: RuntimeError, Detail: fmt.Sprintf("exit %d %s", rep.Code, truncate(rep.Error, 200))}
	}
	switch {
	case len(tests.Asserts) > 0:
		return Case{Status: Pass}
	case tests.FnName != "":
		if sameValue(rep.Value, tests.Outputs[i]) {
			return Case{Status: Pass}
		}
		return Case{Status: WrongAnswer, Detail: fmt.Sprintf("expected %.80s, got %.80s", tests.Outputs[i], rep.Value)}
	default:
		if sameOutput(rep.Stdout, tests.Outputs[i]) {
			return Case{Status: Pass}
		}
		return Case{Status: WrongAnswer, Detail: fmt.Sprintf("expected %.80q, got %.80q", tests.Outputs[i], rep.Stdout)}
	}
}

func lastLine(b []byte) []byte {
	b = bytes.TrimRight(b, "\n")
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
