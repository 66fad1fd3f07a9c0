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
	// Limits bound each sandboxed run (one per stdio or call case; one for all asserts).
	// Zero: sandbox.DefaultLimits with a 6 s wall clock and 4 s of CPU.
	Limits sandbox.Limits
	// Python is the interpreter inside the sandbox (default "python3").
	Python string
	// StopAtFirstFailure skips the remaining cases once one fails (all-pass rewards need no more).
	StopAtFirstFailure bool
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
		cfg.Limits.Wall, cfg.Limits.CPUSeconds = 6*time.Second, 4
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

// Check runs program against tests. Every outcome, including the sandbox's own failures, is in the
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
	if len(tests.Asserts) > 0 {
		res.Cases = c.runAsserts(ctx, program, tests.Asserts)
	} else {
		for i := range tests.Inputs {
			cs := c.runCase(ctx, program, tests, i)
			res.Cases = append(res.Cases, cs)
			if cs.Status == CompileError || (cs.Status != Pass && c.cfg.StopAtFirstFailure) {
				break
			}
		}
	}
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
	} else if len(res.Cases) < res.Total {
		res.Status = WrongAnswer
	}
	return res
}

// harnessInput is the asserts and call modes' stdin: a fresh nonce that marks the harness's result
// lines, and the cases.
func harnessInput(cases any) (stdin []byte, nonce string) {
	var b [12]byte
	rand.Read(b[:])
	nonce = hex.EncodeToString(b[:])
	stdin, _ = json.Marshal(map[string]any{"nonce": nonce, "cases": cases})
	return stdin, nonce
}

// results are the harness's reply lines marked with nonce, in order.
func results(stdout []byte, nonce string) []harnessReply {
	var out []harnessReply
	prefix := []byte(nonce + " ")
	for _, line := range bytes.Split(stdout, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, prefix); ok {
			var r harnessReply
			if json.Unmarshal(rest, &r) == nil {
				out = append(out, r)
			}
		}
	}
	return out
}

// harnessReply is one result line of the harness.
type harnessReply struct {
	OK    bool            `json:"ok"`
	Value json.RawMessage `json:"value"`
	Error string          `json:"error"`
}

func (c *Checker) run(ctx context.Context, program string, stdin []byte, args ...string) (sandbox.Result, error) {
	return c.sb.Run(ctx, sandbox.Spec{
		Argv:   append([]string{c.cfg.Python, "harness.py"}, args...),
		Stdin:  stdin,
		Files:  []sandbox.File{{Path: "harness.py", Data: harness}, {Path: "solution.py", Data: []byte(program)}},
		Limits: c.cfg.Limits,
	})
}

// runCase runs stdio or call-based case i.
func (c *Checker) runCase(ctx context.Context, program string, tests Tests, i int) Case {
	if tests.FnName == "" {
		r, err := c.run(ctx, program, []byte(tests.Inputs[i]), "stdio")
		if cs, done := runFailure(r, err); done {
			return cs
		}
		if sameOutput(string(r.Stdout), tests.Outputs[i]) {
			return Case{Status: Pass}
		}
		return Case{Status: WrongAnswer, Detail: fmt.Sprintf("expected %.80q, got %.80q", tests.Outputs[i], r.Stdout)}
	}
	stdin, nonce := harnessInput(json.RawMessage(tests.Inputs[i]))
	r, err := c.run(ctx, program, stdin, "call", tests.FnName)
	if cs, done := runFailure(r, err); done {
		return cs
	}
	replies := results(r.Stdout, nonce)
	if len(replies) != 1 {
		return Case{Status: RuntimeError, Detail: "no harness reply (the program exited before returning)"}
	}
	reply := replies[0]
	if !reply.OK {
		return Case{Status: RuntimeError, Detail: reply.Error}
	}
	if sameValue(reply.Value, tests.Outputs[i]) {
		return Case{Status: Pass}
	}
	return Case{Status: WrongAnswer, Detail: fmt.Sprintf("expected %.80s, got %.80s", tests.Outputs[i], reply.Value)}
}

// runAsserts runs every assert in one sandboxed run; asserts after a timeout or crash fail with it.
func (c *Checker) runAsserts(ctx context.Context, program string, asserts []string) []Case {
	stdin, nonce := harnessInput(asserts)
	r, err := c.run(ctx, program, stdin, "asserts")
	failure, failed := runFailure(r, err)
	var cases []Case
	for _, reply := range results(r.Stdout, nonce) {
		if len(cases) == len(asserts) {
			break
		}
		if reply.OK {
			cases = append(cases, Case{Status: Pass})
		} else {
			cases = append(cases, Case{Status: WrongAnswer, Detail: reply.Error})
		}
	}
	if failure.Status == CompileError {
		return []Case{failure}
	}
	for len(cases) < len(asserts) {
		if !failed {
			failure = Case{Status: RuntimeError, Detail: "the run ended before this assert"}
		}
		cases = append(cases, failure)
	}
	return cases
}

// runFailure classifies a run that did not get as far as producing an answer; done is false when
// the run exited normally and its output must be compared.
func runFailure(r sandbox.Result, err error) (Case, bool) {
	if err != nil {
		return Case{Status: SandboxError, Detail: err.Error()}, true
	}
	tail := func() string { return truncate(string(lastLine(bytes.TrimSpace(r.Stderr))), 200) }
	switch r.Status {
	case sandbox.StatusOK:
		return Case{}, false
	case sandbox.StatusTimeout, sandbox.StatusCPULimit:
		return Case{Status: Timeout, Detail: string(r.Status)}, true
	case sandbox.StatusExit:
		if r.ExitCode == 97 {
			return Case{Status: CompileError, Detail: tail()}, true
		}
		return Case{Status: RuntimeError, Detail: tail()}, true
	default: // signal, output_limit, file_limit
		return Case{Status: RuntimeError, Detail: fmt.Sprintf("%s %s", r.Status, tail())}, true
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
