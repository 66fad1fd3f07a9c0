package eeextract

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/agent/agenttest"
	"github.com/ascent-rl/ascent/ee"
)

func TestExtractionEndToEnd(t *testing.T) {
	ont, sents := fixture(t, 20, 5)
	if len(sents) < 5 {
		t.Fatalf("only %d dev sentences have all their types in the top 20", len(sents))
	}
	o := newOracle(sents)
	cases := []struct {
		name      string
		answer    func(n int, c agenttest.Call) agenttest.Answer
		f1        float64 // TC and AC F1 expected
		malformed bool    // every detect reply is malformed
		notFound  bool    // at least one span not in the sentence
		extra     bool    // the server saw more calls than were made (a retried timeout)
	}{
		{name: "correct replies", f1: 1},
		{name: "malformed JSON", malformed: true, answer: func(n int, c agenttest.Call) agenttest.Answer {
			if strings.HasSuffix(c.Role, "/detect") {
				return agenttest.Answer{Content: `[{"type": "Business.Investment", "trigger": "invested"`}
			}
			return agenttest.Answer{Content: "[]"}
		}},
		{name: "a span not in the sentence", f1: 1, notFound: true, answer: func(n int, c agenttest.Call) agenttest.Answer {
			if strings.HasSuffix(c.Role, "/arguments") {
				reply := o.arguments(t, c.Messages[0].Content)
				return agenttest.Answer{Content: strings.TrimSuffix(reply, "]") + `,{"role":"time","text":"a purple elephant"}]`}
			}
			return agenttest.Answer{Content: o.detect(t, c.Messages[0].Content)}
		}},
		{name: "a timeout then recovery", f1: 1, extra: true},
	}
	var slow atomic.Bool
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			slow.Store(tc.extra)
			srv := agenttest.New(func(n int, c agenttest.Call) agenttest.Answer {
				if slow.CompareAndSwap(true, false) {
					return agenttest.Answer{Delay: 2 * time.Second}
				}
				if tc.answer != nil {
					return tc.answer(n, c)
				}
				if strings.HasSuffix(c.Role, "/detect") {
					return agenttest.Answer{Content: o.detect(t, c.Messages[0].Content)}
				}
				return agenttest.Answer{Content: o.arguments(t, c.Messages[0].Content)}
			}, "m")
			defer srv.Close()
			x := &Extractor{Session: newSession(t, srv.URL, "m", "llmpee"), Ontology: ont, K: 20, Size: 5}
			pred, st, err := x.Run(context.Background(), sents)
			if err != nil {
				t.Fatal(err)
			}
			sc := ee.Score(sents, pred)
			if !tc.malformed && (sc.TC.F1 != tc.f1 || sc.AC.F1 != tc.f1) {
				t.Errorf("TC F1 %v, AC F1 %v; want %v (stats %+v)", sc.TC.F1, sc.AC.F1, tc.f1, st)
			}
			if tc.malformed && (st.Malformed != st.Partitions || st.Partitions == 0 || sc.TI.Pred != 0) {
				t.Errorf("malformed %d of %d detect calls, %d triggers predicted; want all malformed, none", st.Malformed, st.Partitions, sc.TI.Pred)
			}
			if !tc.malformed && st.Malformed != 0 {
				t.Errorf("%d malformed replies counted; want 0", st.Malformed)
			}
			if got := st.Drops.SpanNotFound > 0; got != tc.notFound {
				t.Errorf("span_not_found %d; want > 0: %v", st.Drops.SpanNotFound, tc.notFound)
			}
			if tc.notFound && st.Drops.SpanNotFound != st.Calls-st.Partitions {
				t.Errorf("span_not_found %d; want one per arguments call (%d)", st.Drops.SpanNotFound, st.Calls-st.Partitions)
			}
			served := len(srv.Calls())
			if got := served > st.Calls; got != tc.extra {
				t.Errorf("server saw %d calls for %d made; want a retry: %v", served, st.Calls, tc.extra)
			}
			for _, c := range srv.Calls() {
				if c.Role != "llmpee/detect" && c.Role != "llmpee/arguments" {
					t.Errorf("role header %q", c.Role)
				}
			}
			want := 0
			for _, s := range sents {
				want += (len(x.Index.TopK(s.Text, 20)) + 4) / 5
			}
			if st.Partitions != want {
				t.Errorf("%d detect calls; want one per partition of at most 5 of the top 20 (%d)", st.Partitions, want)
			}
		})
	}
}
