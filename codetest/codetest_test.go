package codetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	ckOnce sync.Once
	ckInst *Checker
	ckErr  error
)

// testChecker runs programs in the real bubblewrap sandbox (`make test` installs it).
func testChecker(t *testing.T) *Checker {
	t.Helper()
	ckOnce.Do(func() {
		ckInst, ckErr = New(Config{CaseTimeout: time.Second})
	})
	if ckErr != nil {
		t.Fatalf("checker: %v (run `make deps`)", ckErr)
	}
	return ckInst
}

func TestCheckGradesEachKindOfOutcome(t *testing.T) {
	aPlusB := Tests{Inputs: []string{"1 2\n", "10 -3\n", "0 0\n"}, Outputs: []string{"3\n", "7", "0\n"}}
	cases := []struct {
		name   string
		prog   string
		tests  Tests
		passed int
		status Status
	}{
		{"a correct stdio program passes every case", "a, b = map(int, input().split())\nprint(a + b)", aPlusB, 3, Pass},
		{"a wrong program fails the cases it gets wrong", "a, b = map(int, input().split())\nprint(a + b if b >= 0 else a)", aPlusB, 2, WrongAnswer},
		{"an exception is a runtime error", "a, b = map(int, input().split())\nprint(a // 0)", aPlusB, 0, RuntimeError},
		{"an endless loop is a timeout", "while True: pass", aPlusB, 0, Timeout},
		{"a syntax error is a compile error and runs nothing", "def f(:\n  pass", aPlusB, 0, CompileError},
		{"no program is no_code", "  \n", aPlusB, 0, NoCode},
		{"numbers match within 1e-6, whitespace is free", "print('0.3333333  \\n\\n 2')", Tests{Inputs: []string{""}, Outputs: []string{"0.33333333 2"}}, 1, Pass},
		{"a call-based function is called with each case's arguments",
			"def add(a, b):\n    return a + b", Tests{FnName: "add", Inputs: []string{"[1, 2]", "[[1], [2]]"}, Outputs: []string{"3", "[[1, 2]]"}}, 2, Pass},
		{"a LeetCode Solution class is found by method name",
			"class Solution:\n    def twoSum(self, nums, t):\n        return [0, 1] if nums[0] + nums[1] == t else [1, 2]",
			Tests{FnName: "twoSum", Inputs: []string{"[[2, 7, 11], 9]", "[[3, 2, 4], 6]"}, Outputs: []string{"[0, 1]", "[1, 2]"}}, 2, Pass},
		{"a missing function is a runtime error", "def other(): pass", Tests{FnName: "f", Inputs: []string{"[1]"}, Outputs: []string{"1"}}, 0, RuntimeError},
		{"asserts count one by one",
			"def sq(x):\n    return x * x if x < 3 else 0", Tests{Asserts: []string{"assert sq(1) == 1", "assert sq(2) == 4", "assert sq(3) == 9"}}, 2, WrongAnswer},
		{"a hanging assert times out alone",
			"def f(x):\n    while x > 0: pass\n    return 0", Tests{Asserts: []string{"assert f(0) == 0", "assert f(1) == 0", "assert f(0) == 0"}}, 2, Timeout},
		{"a hang that ignores SIGALRM and forks is still cut off",
			"import os, signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nos.fork()\nimport time\ntime.sleep(30)", Tests{Inputs: []string{"", ""}, Outputs: []string{"", ""}}, 0, Timeout},
		{"an exception inside an assert is a runtime error", "def f(x):\n    return 1 // x", Tests{Asserts: []string{"assert f(1) == 1", "assert f(0) == 1"}}, 1, RuntimeError},
		{"a non-zero exit of a stdio program is a runtime error", "import sys\nprint(3)\nsys.exit(2)", aPlusB, 0, RuntimeError},
		{"the solution's own prints do not confuse the assert harness",
			"print('{\"ok\": false}')\nimport sys\nprint(sys.stdin.read())\ndef f(): return 1", Tests{Asserts: []string{"assert f() == 1"}}, 1, Pass},
	}
	ck := testChecker(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := ck.Check(context.Background(), tc.prog, tc.tests)
			if r.Passed != tc.passed || r.Status != tc.status || r.Total != tc.tests.Len() {
				t.Fatalf("passed %d/%d status %s, want %d/%d %s; cases %+v", r.Passed, r.Total, r.Status, tc.passed, tc.tests.Len(), tc.status, r.Cases)
			}
		})
	}
}

func TestParseTestsReadsTheDatasetLayouts(t *testing.T) {
	cases := []struct {
		name, raw string
		want      Tests
		err       string
	}{
		{"APPS stdio", `{"inputs": ["1 2\n"], "outputs": ["3\n"]}`, Tests{Inputs: []string{"1 2\n"}, Outputs: []string{"3\n"}}, ""},
		{"stdio as lists of lines", `{"inputs": [["1", "2"]], "outputs": [["3"]]}`, Tests{Inputs: []string{"1\n2\n"}, Outputs: []string{"3\n"}}, ""},
		{"call-based, JSON-encoded in a string as parquet stores it", `"{\"inputs\": [[1, 2]], \"outputs\": [[3]], \"fn_name\": \"add\"}"`,
			Tests{Inputs: []string{"[1, 2]"}, Outputs: []string{"[3]"}, FnName: "add"}, ""},
		{"MBPP test_list", `["assert f(1) == 1", "assert f(2) == 2"]`, Tests{Asserts: []string{"assert f(1) == 1", "assert f(2) == 2"}}, ""},
		{"HumanEval", `{"test": "def check(c):\n    assert c(1) == 2", "entry_point": "inc"}`, Tests{Asserts: []string{"def check(c):\n    assert c(1) == 2\ncheck(inc)"}}, ""},
		{"mismatched counts", `{"inputs": ["1"], "outputs": []}`, Tests{}, "1 inputs but 0 outputs"},
		{"no cases", `{"inputs": [], "outputs": []}`, Tests{}, "no test cases"},
		{"HumanEval without entry point", `{"test": "def check(c): pass"}`, Tests{}, "entry_point"},
		{"not JSON", `assert f(1)`, Tests{}, "neither a list of asserts"},
		{"a stdio case of the wrong type", `{"inputs": [{"a": 1}], "outputs": ["1"]}`, Tests{}, "inputs[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTests([]byte(tc.raw))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got.Inputs, "|") != strings.Join(tc.want.Inputs, "|") || strings.Join(got.Outputs, "|") != strings.Join(tc.want.Outputs, "|") ||
				got.FnName != tc.want.FnName || strings.Join(got.Asserts, "|") != strings.Join(tc.want.Asserts, "|") {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestExtractProgramTakesTheLastPythonBlock(t *testing.T) {
	cases := []struct{ name, response, want string }{
		{"one python block", "Here:\n```python\nprint(1)\n```\nDone.", "print(1)\n"},
		{"the last python block wins", "```python\nx=1\n```\nfixed:\n```py\nx=2\n```", "x=2\n"},
		{"a tagged block beats a later bare one", "```python\nx=1\n```\noutput:\n```\n1\n```", "x=1\n"},
		{"a bare block is taken when nothing is tagged", "```\nprint(3)\n```", "print(3)\n"},
		{"no block", "I think the answer is 3.", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ExtractProgram(tc.response); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
