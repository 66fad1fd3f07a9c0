package buildinfo

import (
	"os"
	"testing"
)

// The Makefile and .ci/run build with GOEXPERIMENT=simd; a test run without it would silently
// measure the slow path, so the suite refuses it unless ASCENT_ALLOW_NO_SIMD=1.
func TestBuiltWithSIMD(t *testing.T) {
	if os.Getenv("ASCENT_ALLOW_NO_SIMD") == "1" {
		t.Skip("ASCENT_ALLOW_NO_SIMD=1")
	}
	if !SIMD() {
		t.Fatalf("tests must run with GOEXPERIMENT=simd (use `make test`); runtime is %q", String())
	}
	if SIMDWarning() != "" {
		t.Fatalf("SIMD build still warns: %q", SIMDWarning())
	}
}
