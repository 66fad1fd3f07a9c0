package data

import "testing"

func TestResolveSuffix(t *testing.T) {
	for in, want := range map[string]string{"": "", "justrl": JustRLSuffix, "JustRL": JustRLSuffix, " Answer:": " Answer:"} {
		if got := ResolveSuffix(in); got != want {
			t.Errorf("ResolveSuffix(%q) = %q, want %q", in, got, want)
		}
	}
}
