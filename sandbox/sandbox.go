// Package sandbox runs untrusted programs (model-written code for the code reward, the Python tool)
// under Debian's bubblewrap: no network, a read-only system with private tmpfs for /tmp and the
// working directory, no access to the host's home or run directories, rlimits on CPU, memory,
// processes, file size and descriptors, a seccomp filter, a wall-clock deadline that kills the whole
// process tree, and output truncated at a bound.
//
//	sb, err := sandbox.New(sandbox.Config{})   // fails clearly where user namespaces are unavailable
//	res, err := sb.Run(ctx, sandbox.Spec{Argv: []string{"python3", "main.py"},
//	    Files: []sandbox.File{{Path: "main.py", Data: src}}, Stdin: in, Limits: sandbox.DefaultLimits()})
//
// There is no fallback to running unsandboxed: New returns an error naming what is missing.
package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Config says how to start the sandbox.
type Config struct {
	// Bwrap is the bubblewrap binary (default: "bwrap" on PATH).
	Bwrap string
	// UID and GID are the host user the sandbox runs as when Ascent runs as root (default 65534,
	// nobody): root is exempt from RLIMIT_NPROC, so a root sandbox could not stop a fork bomb.
	// Ignored when not root (the sandbox runs as the invoking user).
	UID, GID uint32
	// ReadOnly are host paths mounted read-only at the same place (default: /usr and, where they
	// are directories, /lib, /lib64, /bin, /sbin; /etc/ld.so.cache and /etc/alternatives). Nothing
	// else of the host is visible.
	ReadOnly []string
	// NoSeccomp turns the seccomp filter off (for kernels or architectures it does not support).
	NoSeccomp bool
}

// File is a file written into the sandbox's working directory before the program starts.
type File struct {
	Path string      // relative to the working directory /work, no ".."
	Data []byte      // contents
	Mode os.FileMode // permissions (default 0644)
}

// Spec is one run.
type Spec struct {
	Argv   []string // the program and its arguments, resolved on the sandbox's PATH (/usr/bin:/bin)
	Stdin  []byte   // standard input (empty: /dev/null semantics, EOF at once)
	Files  []File   // files placed in /work
	Env    []string // extra KEY=VALUE pairs; the environment is otherwise only PATH, HOME, LANG, TMPDIR
	Limits Limits   // bounds; see DefaultLimits
}

// Status says how a run ended.
type Status string

const (
	StatusOK          Status = "ok"           // exited 0
	StatusExit        Status = "exit"         // exited with a non-zero code
	StatusSignal      Status = "signal"       // killed by a signal it did not catch (SIGSEGV, SIGABRT, …)
	StatusTimeout     Status = "timeout"      // the wall-clock deadline passed (or the context ended)
	StatusCPULimit    Status = "cpu_limit"    // RLIMIT_CPU: SIGXCPU
	StatusFileLimit   Status = "file_limit"   // RLIMIT_FSIZE: SIGXFSZ
	StatusOutputLimit Status = "output_limit" // wrote more than Limits.OutputBytes
)

// Result is what a run produced.
type Result struct {
	Status   Status
	ExitCode int           // the exit code (StatusOK, StatusExit)
	Signal   int           // the signal number (StatusSignal, StatusCPULimit, StatusFileLimit)
	Stdout   []byte        // at most Limits.OutputBytes
	Stderr   []byte        // at most Limits.OutputBytes
	Wall     time.Duration // wall-clock time of the run
}

// Sandbox starts sandboxed runs. It is safe for concurrent use.
type Sandbox struct {
	cfg     Config
	bwrap   string
	asUser  *syscall.Credential
	filter  []byte // seccomp BPF program, nil when off
	baseArg []string
}

// New checks that bubblewrap can create its namespaces here and returns a Sandbox. Where it cannot
// (bubblewrap missing, user namespaces disabled), the error says so and what to do.
func New(cfg Config) (*Sandbox, error) {
	if cfg.Bwrap == "" {
		cfg.Bwrap = "bwrap"
	}
	bin, err := exec.LookPath(cfg.Bwrap)
	if err != nil {
		return nil, fmt.Errorf("sandbox: bubblewrap not found (%v): install Debian's bubblewrap (make deps does)", err)
	}
	s := &Sandbox{cfg: cfg, bwrap: bin}
	if os.Geteuid() == 0 {
		uid, gid := cfg.UID, cfg.GID
		if uid == 0 {
			uid = 65534
		}
		if gid == 0 {
			gid = 65534
		}
		s.asUser = &syscall.Credential{Uid: uid, Gid: gid, Groups: []uint32{}}
	}
	if !cfg.NoSeccomp {
		if s.filter, err = seccompFilter(); err != nil {
			return nil, fmt.Errorf("sandbox: build the seccomp filter: %w (Config.NoSeccomp turns it off)", err)
		}
	}
	s.baseArg = s.mountArgs()
	if err := s.probe(); err != nil {
		return nil, err
	}
	return s, nil
}

// mountArgs are the namespace and filesystem options shared by every run.
func (s *Sandbox) mountArgs() []string {
	args := []string{
		"--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
		"--clearenv", "--cap-drop", "ALL",
	}
	ro := s.cfg.ReadOnly
	if ro == nil {
		ro = []string{"/usr", "/etc/ld.so.cache", "/etc/alternatives"}
		for _, d := range []string{"/lib", "/lib64", "/bin", "/sbin", "/lib32", "/libx32"} {
			if target, err := os.Readlink(d); err == nil {
				args = append(args, "--symlink", target, d) // merged /usr: /bin -> usr/bin
			} else if fi, err := os.Stat(d); err == nil && fi.IsDir() {
				ro = append(ro, d)
			}
		}
	}
	for _, p := range ro {
		if _, err := os.Stat(p); err == nil {
			args = append(args, "--ro-bind", p, p)
		}
	}
	return append(args, "--proc", "/proc", "--dev", "/dev")
}

// probe runs /bin/true in the sandbox once, so a machine without user namespaces fails at start-up.
func (s *Sandbox) probe() error {
	lim := DefaultLimits()
	lim.Wall = 20 * time.Second
	res, err := s.Run(context.Background(), Spec{Argv: []string{"true"}, Limits: lim})
	if err != nil {
		return err
	}
	if res.Status != StatusOK {
		return fmt.Errorf("sandbox: bubblewrap cannot start a sandbox here (%s, exit %d): %s; user namespaces "+
			"may be disabled (check sysctl user.max_user_namespaces and kernel.unprivileged_userns_clone)",
			res.Status, res.ExitCode, strings.TrimSpace(string(res.Stderr)))
	}
	return nil
}

// Run runs spec in a fresh sandbox. The error is non-nil only when the sandbox itself failed (bad
// spec, bubblewrap could not start); whatever the program does is reported in Result.
func (s *Sandbox) Run(ctx context.Context, spec Spec) (Result, error) {
	if len(spec.Argv) == 0 {
		return Result{}, errors.New("sandbox: empty Argv")
	}
	if err := spec.Limits.Validate(); err != nil {
		return Result{}, err
	}
	lim := spec.Limits
	args := append([]string(nil), s.baseArg...)
	size := strconv.FormatInt(lim.TmpBytes, 10)
	args = append(args, "--size", size, "--tmpfs", "/tmp", "--size", size, "--tmpfs", "/work", "--chdir", "/work")
	env := append([]string{"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/work", "TMPDIR=/tmp", "LANG=C.UTF-8"}, spec.Env...)
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return Result{}, fmt.Errorf("sandbox: environment entry %q is not KEY=VALUE", kv)
		}
		args = append(args, "--setenv", k, v)
	}
	var extra []*os.File
	defer func() {
		for _, f := range extra {
			f.Close()
		}
	}()
	fdArg := func(f *os.File) string { extra = append(extra, f); return strconv.Itoa(2 + len(extra)) }
	for _, f := range spec.Files {
		clean := path.Clean(f.Path)
		if f.Path == "" || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return Result{}, fmt.Errorf("sandbox: file path %q must be relative to the working directory, without ..", f.Path)
		}
		tf, err := dataFile(f.Data)
		if err != nil {
			return Result{}, err
		}
		mode := f.Mode
		if mode == 0 {
			mode = 0o644
		}
		if dir := path.Dir(clean); dir != "." {
			args = append(args, "--dir", "/work/"+dir)
		}
		args = append(args, "--perms", fmt.Sprintf("%04o", mode.Perm()), "--file", fdArg(tf), "/work/"+clean)
	}
	if s.filter != nil {
		tf, err := dataFile(s.filter)
		if err != nil {
			return Result{}, err
		}
		args = append(args, "--seccomp", fdArg(tf))
	}
	args = append(args, "--remount-ro", "/", "--", "prlimit")
	args = append(args, lim.prlimitArgs()...)
	args = append(args, "--")
	args = append(args, spec.Argv...)
	return s.exec(ctx, args, extra, spec.Stdin, lim)
}

// dataFile is an unlinked temporary file holding data, positioned at its start, for bwrap's --file.
func dataFile(data []byte) (*os.File, error) {
	f, err := os.CreateTemp("", "ascent-sandbox-*")
	if err != nil {
		return nil, fmt.Errorf("sandbox: temp file: %w", err)
	}
	os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, fmt.Errorf("sandbox: write temp file: %w", err)
	}
	if _, err := f.Seek(0, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("sandbox: rewind temp file: %w", err)
	}
	return f, nil
}

// exec starts bwrap, enforces the wall clock and the output bound, and classifies the ending.
func (s *Sandbox) exec(ctx context.Context, args []string, extra []*os.File, stdin []byte, lim Limits) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, lim.Wall)
	defer cancel()
	overflow := make(chan struct{}, 1)
	stdout := &boundedBuffer{max: lim.OutputBytes, over: overflow}
	stderr := &boundedBuffer{max: lim.OutputBytes, over: overflow}
	cmd := exec.Command(s.bwrap, args...)
	cmd.Dir = "/"
	cmd.Env = []string{}
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.ExtraFiles = extra
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: s.asUser, Pdeathsig: syscall.SIGKILL}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("sandbox: start bubblewrap: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var killedFor Status
	var waitErr error
	select {
	case waitErr = <-done:
	case <-ctx.Done():
		killedFor = StatusTimeout
	case <-overflow:
		killedFor = StatusOutputLimit
	}
	if killedFor != "" {
		// bwrap's own session leader dies with it (--die-with-parent), and with it the whole pid
		// namespace of the program.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		waitErr = <-done
	}
	res := Result{Stdout: stdout.buf.Bytes(), Stderr: stderr.buf.Bytes(), Wall: time.Since(start)}
	if killedFor != "" {
		res.Status = killedFor
		return res, nil
	}
	code := 0
	if waitErr != nil {
		var ee *exec.ExitError
		if !errors.As(waitErr, &ee) {
			return res, fmt.Errorf("sandbox: wait for bubblewrap: %w", waitErr)
		}
		code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal())
		}
	}
	classify(&res, code)
	return res, nil
}

// classify turns bwrap's exit code (the program's, or 128+signal when a signal killed it) into a
// Status. A program that itself exits with 129–192 reads as killed by a signal.
func classify(res *Result, code int) {
	switch {
	case code == 0:
		res.Status = StatusOK
	case code > 128 && code <= 128+64:
		res.Signal = code - 128
		switch syscall.Signal(res.Signal) {
		case syscall.SIGXCPU:
			res.Status = StatusCPULimit
		case syscall.SIGXFSZ:
			res.Status = StatusFileLimit
		default:
			res.Status = StatusSignal
		}
	default:
		res.Status, res.ExitCode = StatusExit, code
	}
}

// boundedBuffer keeps the first max bytes written to it and signals over once more arrive.
type boundedBuffer struct {
	buf    bytes.Buffer
	max    int
	over   chan struct{}
	closed bool
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	room := b.max - b.buf.Len()
	if len(p) > room {
		b.buf.Write(p[:max(room, 0)])
		if !b.closed {
			b.closed = true
			select {
			case b.over <- struct{}{}:
			default:
			}
		}
		return len(p), nil
	}
	return b.buf.Write(p)
}
