// Package benchrun holds what the bench commands that run seeds share: the repeatable --set flag,
// the --seeds list, and running one training process with its output in a log file and its wall
// time, CPU time and peak RSS measured.
package benchrun

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Sets is a repeatable string flag (--set KEY=VALUE).
type Sets []string

// String implements flag.Value.
func (m *Sets) String() string { return strings.Join(*m, ",") }

// Set implements flag.Value.
func (m *Sets) Set(s string) error { *m = append(*m, s); return nil }

// Seeds parses a comma-separated seed list; flagName names the flag in errors.
func Seeds(flagName, list string) ([]uint64, error) {
	var seeds []uint64
	for _, s := range strings.Split(list, ",") {
		v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a seed: %w", flagName, s, err)
		}
		seeds = append(seeds, v)
	}
	if len(seeds) == 0 {
		return nil, fmt.Errorf("%s: no seeds", flagName)
	}
	return seeds, nil
}

// Usage is a finished process's measured cost.
type Usage struct {
	Wall, User, Sys float64 // seconds
	PeakMiB         float64 // peak resident set size
}

// CPU is user + system seconds.
func (u Usage) CPU() float64 { return u.User + u.Sys }

// Exec runs bin with args, its stdout and stderr into logPath, printing the command line with
// prefix first; a failed run's error names the command and the log.
func Exec(prefix, logPath, bin string, args ...string) (Usage, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return Usage{}, err
	}
	defer logf.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	fmt.Printf("%s%s %s\n", prefix, bin, strings.Join(args, " "))
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return Usage{}, fmt.Errorf("%s %s: %w (log: %s)", bin, strings.Join(args, " "), err, logPath)
	}
	u := Usage{Wall: time.Since(start).Seconds()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		u.PeakMiB = float64(ru.Maxrss) / 1024 // Linux reports KiB
		u.User = time.Duration(ru.Utime.Nano()).Seconds()
		u.Sys = time.Duration(ru.Stime.Nano()).Seconds()
	}
	return u, nil
}
