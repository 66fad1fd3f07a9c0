package main

import (
	"testing"
	"time"

	"github.com/ascent-rl/ascent/serve"
)

// TestTheChecksPassAtASmallScale runs each reliability check and one throughput level briefly, so
// the benchmark keeps working as the server changes.
func TestTheChecksPassAtASmallScale(t *testing.T) {
	if err := overload(serve.BuiltinTiny, 40); err != nil {
		t.Error(err)
	}
	if err := disconnect(serve.BuiltinTiny); err != nil {
		t.Error(err)
	}
	if err := updatesUnderLoad(4, 700*time.Millisecond); err != nil {
		t.Error(err)
	}
	for _, mode := range []string{serve.BatchingRequest, serve.BatchingContinuous} {
		r, err := drive(serve.Config{Model: serve.BuiltinTiny, Tokenizer: "byte", Batching: mode}, 4, 8, 16, 10*time.Second)
		if err != nil || r.tokens == 0 {
			t.Errorf("%s: %+v %v", mode, r, err)
		}
	}
}
