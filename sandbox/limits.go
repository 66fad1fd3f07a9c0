package sandbox

import (
	"fmt"
	"time"
)

// Limits bound one sandboxed run. Every field must be positive: a run is never unbounded.
type Limits struct {
	// Wall is the wall-clock deadline; when it passes the whole process tree is killed.
	Wall time.Duration `yaml:"wall"`
	// CPUSeconds is RLIMIT_CPU: CPU time after which the kernel sends SIGXCPU (then SIGKILL).
	CPUSeconds int `yaml:"cpu_seconds"`
	// MemoryBytes is RLIMIT_AS: the address space of each process.
	MemoryBytes int64 `yaml:"memory_bytes"`
	// Processes is RLIMIT_NPROC: processes and threads the sandbox may have at once (counted per
	// sandbox: each run is in a user namespace of its own).
	Processes int `yaml:"processes"`
	// FileBytes is RLIMIT_FSIZE: the largest file a process may write.
	FileBytes int64 `yaml:"file_bytes"`
	// OpenFiles is RLIMIT_NOFILE: file descriptors per process.
	OpenFiles int `yaml:"open_files"`
	// OutputBytes bounds stdout and stderr each; a program that writes more is killed and its
	// output kept up to the bound (Status output_limit).
	OutputBytes int `yaml:"output_bytes"`
	// TmpBytes is the size of each writable tmpfs (/tmp and the working directory /work).
	TmpBytes int64 `yaml:"tmp_bytes"`
}

// DefaultLimits suit a test-case run of a short program: 10 s wall, 5 s CPU, 1 GiB address space,
// 64 processes, 16 MiB files, 64 descriptors, 1 MiB of output, 64 MiB tmpfs.
func DefaultLimits() Limits {
	return Limits{
		Wall:        10 * time.Second,
		CPUSeconds:  5,
		MemoryBytes: 1 << 30,
		Processes:   64,
		FileBytes:   16 << 20,
		OpenFiles:   64,
		OutputBytes: 1 << 20,
		TmpBytes:    64 << 20,
	}
}

// Validate reports the first limit that is not positive, by its YAML name.
func (l Limits) Validate() error {
	checks := []struct {
		name string
		ok   bool
		val  any
	}{
		{"wall", l.Wall > 0, l.Wall},
		{"cpu_seconds", l.CPUSeconds > 0, l.CPUSeconds},
		{"memory_bytes", l.MemoryBytes > 0, l.MemoryBytes},
		{"processes", l.Processes > 0, l.Processes},
		{"file_bytes", l.FileBytes > 0, l.FileBytes},
		{"open_files", l.OpenFiles > 0, l.OpenFiles},
		{"output_bytes", l.OutputBytes > 0, l.OutputBytes},
		{"tmp_bytes", l.TmpBytes > 0, l.TmpBytes},
	}
	for _, c := range checks {
		if !c.ok {
			return fmt.Errorf("sandbox: limit %s = %v must be positive (a sandboxed run is never unbounded)", c.name, c.val)
		}
	}
	return nil
}

// prlimitArgs are the prlimit(1) options that apply l to the program. Soft equals hard except for
// CPU time, whose hard limit is a second later, so that the kernel's SIGXCPU (not SIGKILL) tells
// a CPU-limit kill from other kills.
func (l Limits) prlimitArgs() []string {
	f := func(opt string, v int64) string { return fmt.Sprintf("--%s=%d:%d", opt, v, v) }
	return []string{
		fmt.Sprintf("--cpu=%d:%d", l.CPUSeconds, l.CPUSeconds+1),
		f("as", l.MemoryBytes),
		f("nproc", int64(l.Processes)),
		f("fsize", l.FileBytes),
		f("nofile", int64(l.OpenFiles)),
		"--core=0:0",
	}
}
