package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	sbOnce sync.Once
	sbInst *Sandbox
	sbErr  error
)

// testSandbox is the real bubblewrap sandbox; `make test` installs bubblewrap
// (scripts/system-packages.txt), so its absence fails the suite rather than skipping it.
func testSandbox(t *testing.T) *Sandbox {
	t.Helper()
	sbOnce.Do(func() { sbInst, sbErr = New(Config{}) })
	if sbErr != nil {
		t.Fatalf("sandbox unavailable: %v (run `make deps`)", sbErr)
	}
	return sbInst
}

// python runs src as /work/main.py with a unique marker argument, returning the result and the
// marker (to look for leftover processes afterwards).
func python(t *testing.T, src string, lim Limits) (Result, string) {
	t.Helper()
	marker := fmt.Sprintf("ascent-sandbox-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	res, err := testSandbox(t).Run(context.Background(), Spec{
		Argv:   []string{"python3", "main.py", marker},
		Files:  []File{{Path: "main.py", Data: []byte(src)}},
		Limits: lim,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res, marker
}

// leftovers lists host processes whose command line holds marker.
func leftovers(marker string) []string {
	var found []string
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, f := range dirs {
		b, err := os.ReadFile(f)
		if err == nil && bytes.Contains(b, []byte(marker)) {
			found = append(found, f)
		}
	}
	return found
}

// assertClean fails when any process of the run is still alive once Run has returned.
func assertClean(t *testing.T, marker string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		left := leftovers(marker)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes left behind after the run: %v", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestEscapesAndAbuseAreContained(t *testing.T) {
	secretDir := t.TempDir()
	secret := filepath.Join(secretDir, "secret.txt")
	if err := os.WriteFile(secret, []byte("host secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(secretDir, "written-from-sandbox")
	home, _ := os.UserHomeDir()
	cwd, _ := os.Getwd()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted sync.WaitGroup
	accepts := 0
	accepted.Add(1)
	go func() {
		defer accepted.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepts++
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port

	short := DefaultLimits()
	short.Wall, short.CPUSeconds = 3*time.Second, 1

	cases := []struct {
		name   string
		src    string
		lim    Limits
		status []Status // any of these
		stdout string   // substring the program must print, "" for none
		check  func(t *testing.T, r Result)
	}{
		{name: "a plain program runs and prints", src: `print("hello")`, lim: short, status: []Status{StatusOK}, stdout: "hello"},
		{name: "a non-zero exit is reported with its code", src: "import sys; sys.exit(3)", lim: short, status: []Status{StatusExit},
			check: func(t *testing.T, r Result) {
				if r.ExitCode != 3 {
					t.Errorf("exit code %d, want 3", r.ExitCode)
				}
			}},
		{name: "a crash is reported with its signal", src: "import os; os.kill(os.getpid(), 11)", lim: short, status: []Status{StatusSignal},
			check: func(t *testing.T, r Result) {
				if r.Signal != 11 {
					t.Errorf("signal %d, want 11", r.Signal)
				}
			}},
		{name: "an infinite loop hits the CPU limit", src: "while True: pass", status: []Status{StatusCPULimit},
			lim: func() Limits { l := short; l.Wall = 30 * time.Second; return l }()}, // 1 s of CPU, however busy the machine
		{name: "a sleeper hits the wall clock", src: "import time; time.sleep(60)",
			lim: func() Limits { l := short; l.Wall = 500 * time.Millisecond; return l }(), status: []Status{StatusTimeout},
			check: func(t *testing.T, r Result) {
				if r.Wall > 5*time.Second { // loose: the machine may be busy; a missed kill would take 60 s
					t.Errorf("took %v for a 0.5 s deadline", r.Wall)
				}
			}},
		{name: "forked children are capped by the process limit and die with the run", lim: func() Limits { l := short; l.Processes = 16; return l }(),
			src: `import os, time
n = 0
for i in range(1000):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    n += 1
print("forked", n)`, status: []Status{StatusOK}, stdout: "forked",
			check: func(t *testing.T, r Result) {
				var n int
				fmt.Sscanf(strings.TrimSpace(string(r.Stdout)), "forked %d", &n)
				if n <= 0 || n >= 16 {
					t.Errorf("forked %d children under a limit of 16 processes", n)
				}
			}},
		{name: "a fork bomb is contained", lim: func() Limits { l := short; l.Processes = 32; l.Wall = 2 * time.Second; return l }(),
			src: `import os
while True:
    try:
        os.fork()
    except OSError:
        pass`, status: []Status{StatusTimeout, StatusCPULimit, StatusSignal}},
		{name: "a daemon that escapes its session is killed with the run", lim: short,
			src: `import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(60)
    os._exit(0)
print("parent done")`, status: []Status{StatusOK}, stdout: "parent done"},
		{name: "a memory bomb fails its allocation", lim: func() Limits { l := short; l.MemoryBytes = 256 << 20; return l }(),
			src: "x = bytearray(1 << 31)", status: []Status{StatusExit},
			check: func(t *testing.T, r Result) {
				if !strings.Contains(string(r.Stderr), "MemoryError") {
					t.Errorf("stderr %q lacks MemoryError", r.Stderr)
				}
			}},
		{name: "huge stdout is cut at the bound and stops the run", lim: func() Limits { l := short; l.OutputBytes = 4096; return l }(),
			src: "while True: print('x' * 1000)", status: []Status{StatusOutputLimit},
			check: func(t *testing.T, r Result) {
				if len(r.Stdout) != 4096 {
					t.Errorf("kept %d bytes of stdout, want 4096", len(r.Stdout))
				}
			}},
		{name: "host files are invisible", lim: short, status: []Status{StatusOK}, stdout: "hidden 5 of 5",
			src: fmt.Sprintf(`import os
hidden = 0
for p in [%q, %q, %q, "/etc/passwd", "/etc/shadow"]:
    try:
        open(p).read() if not os.path.isdir(p) else os.listdir(p)
    except OSError:
        hidden += 1
print("hidden", hidden, "of 5")`, secret, home+"/.bashrc", cwd)},
		{name: "writes outside the sandbox go nowhere", lim: short, status: []Status{StatusOK}, stdout: "refused 3 of 3",
			src: fmt.Sprintf(`refused = 0
for p in [%q, "/usr/ascent-escape", "/etc/ascent-escape"]:
    try:
        open(p, "w").write("escaped")
    except OSError:
        refused += 1
print("refused", refused, "of 3")`, outside),
			check: func(t *testing.T, r Result) {
				if _, err := os.Stat(outside); err == nil {
					t.Errorf("%s exists on the host", outside)
				}
			}},
		{name: "the network is unreachable, loopback included", lim: short, status: []Status{StatusOK}, stdout: "no network",
			src: fmt.Sprintf(`import socket
s = socket.socket()
s.settimeout(1)
try:
    s.connect(("127.0.0.1", %d))
    print("connected")
except OSError:
    print("no network")`, port)},
		{name: "killing the parent and every process it can see leaves the host alone", lim: short, status: []Status{StatusOK}, stdout: "still here",
			src: `import os
for target in (os.getppid(), -1):
    try:
        os.kill(target, 9)
    except OSError:
        pass
print("still here")`},
		{name: "a file over the size limit is refused", lim: func() Limits { l := short; l.FileBytes = 1 << 20; return l }(), status: []Status{StatusExit},
			src: "open('/work/big', 'wb').write(b'y' * (4 << 20))",
			check: func(t *testing.T, r Result) {
				if !strings.Contains(string(r.Stderr), "File too large") {
					t.Errorf("stderr %q lacks 'File too large'", r.Stderr)
				}
			}},
		{name: "the private tmpfs is bounded", lim: func() Limits { l := short; l.TmpBytes = 4 << 20; return l }(), status: []Status{StatusOK}, stdout: "full",
			src: `try:
    for i in range(64):
        open("/tmp/f%d" % i, "wb").write(b"z" * (1 << 20))
    print("not full")
except OSError:
    print("full")`},
		{name: "the environment holds only what the sandbox sets", lim: short, status: []Status{StatusOK}, stdout: "HOME,LANG,PATH,TMPDIR",
			src: `import os; print(",".join(sorted(k for k in os.environ if k not in ("PWD", "SHLVL", "_"))))`},
	}
	if runtime.GOARCH == "amd64" {
		cases = append(cases, struct {
			name   string
			src    string
			lim    Limits
			status []Status
			stdout string
			check  func(t *testing.T, r Result)
		}{name: "seccomp denies keyctl, bpf and io_uring", lim: short, status: []Status{StatusOK}, stdout: "denied 3",
			src: `import ctypes
libc = ctypes.CDLL(None, use_errno=True)
denied = 0
for nr in (250, 321, 425):  # keyctl, bpf, io_uring_setup on x86-64
    if libc.syscall(nr, 0, 0, 0, 0) == -1 and ctypes.get_errno() == 1:
        denied += 1
print("denied", denied)`})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, marker := python(t, tc.src, tc.lim)
			ok := false
			for _, s := range tc.status {
				ok = ok || r.Status == s
			}
			if !ok {
				t.Errorf("status %s (exit %d, signal %d), want one of %v; stderr %q", r.Status, r.ExitCode, r.Signal, tc.status, r.Stderr)
			}
			if tc.stdout != "" && !strings.Contains(string(r.Stdout), tc.stdout) {
				t.Errorf("stdout %q lacks %q (stderr %q)", r.Stdout, tc.stdout, r.Stderr)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
			assertClean(t, marker)
		})
	}
	t.Cleanup(func() {
		ln.Close()
		accepted.Wait()
		if accepts != 0 {
			t.Errorf("the host listener on 127.0.0.1:%d accepted %d connections from sandboxes", port, accepts)
		}
	})
}
