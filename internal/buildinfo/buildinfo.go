// Package buildinfo reports how the running binary was built: its version, the Go toolchain and
// whether the GoMLX pure-Go backend got its SIMD kernels (GOEXPERIMENT=simd), which make it about
// 3.5× faster. A build without them works, but slowly, so the CLI warns at start-up.
package buildinfo

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// SIMD reports whether the binary was built with GOEXPERIMENT=simd.
func SIMD() bool { return strings.Contains(runtime.Version(), "X:simd") }

// SIMDWarning returns a one-line warning when the binary lacks SIMD kernels, or "" when it has them.
func SIMDWarning() string {
	if SIMD() {
		return ""
	}
	return "ascent: warning: built without GOEXPERIMENT=simd; tensor kernels run ~3.5x slower (build with `make build`)"
}

// Revision returns the VCS revision recorded in the binary; when the build carried none (go run,
// -buildvcs=false) it asks git about the working directory, with a short timeout; else "unknown".
func Revision() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "HEAD").Output()
	if rev := strings.TrimSpace(string(out)); err == nil && rev != "" {
		return rev
	}
	return "unknown"
}

// String is the one-line description printed by `ascent version`.
func String() string {
	return fmt.Sprintf("ascent (revision %s) %s %s/%s simd=%v", Revision(), runtime.Version(), runtime.GOOS, runtime.GOARCH, SIMD())
}
