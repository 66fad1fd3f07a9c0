package eeextract

import (
	"context"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/agent"
	"github.com/ascent-rl/ascent/agent/agenttest"
	"github.com/ascent-rl/ascent/ee"
	"github.com/ascent-rl/ascent/internal/testutil"
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
				return o.answer(t, c)
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

// With a perfect model, the extraction's TC recall over the whole dev file is BM25's recall@k
// whatever the partitioning: every recalled type lands in some prompt and the union keeps it.
func TestPerfectModelReachesTheRecallCeiling(t *testing.T) {
	ont, _ := fixture(t, 20, 0)
	dev, err := ee.LoadSentences(testutil.SharedPath(t, "data", "ee", "dev.jsonl"), ont)
	if err != nil {
		t.Fatal(err)
	}
	o := newOracle(dev)
	srv := agenttest.New(func(n int, c agenttest.Call) agenttest.Answer { return o.answer(t, c) }, "m")
	defer srv.Close()
	idx := ee.NewIndex(ont)
	for _, tc := range []struct {
		partition string
		k, size   int
	}{{"level", 5, 5}, {"level", 20, 5}, {"random", 20, 4}, {"average", 20, 7}} {
		t.Run(tc.partition+"/k="+strconv.Itoa(tc.k), func(t *testing.T) {
			p, _ := ee.LookupPartitioner(tc.partition)
			x := &Extractor{Session: newSession(t, srv.URL, "m", "llmpee"), Ontology: ont, Index: idx, K: tc.k, Partition: p, Size: tc.size}
			pred, _, err := x.Run(context.Background(), dev)
			if err != nil {
				t.Fatal(err)
			}
			sc := ee.Score(dev, pred)
			want := idx.RecallAtK(dev, []int{tc.k})[tc.k]
			if math.Abs(sc.TC.R-want) > 1e-9 || sc.TC.P != 1 {
				t.Errorf("TC recall %.4f precision %.4f; want recall@%d %.4f and precision 1", sc.TC.R, sc.TC.P, tc.k, want)
			}
			t.Logf("%s k=%d size=%d: TC F1 %.4f, AC F1 %.4f (recall@k %.4f)", tc.partition, tc.k, tc.size, sc.TC.F1, sc.AC.F1, want)
		})
	}
}

// A rerun on the trace of a finished run makes no new calls and gives the same predictions.
func TestExtractionResumesFromItsTrace(t *testing.T) {
	ont, sents := fixture(t, 20, 3)
	o := newOracle(sents)
	srv := agenttest.New(func(n int, c agenttest.Call) agenttest.Answer { return o.answer(t, c) }, "m")
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	var runs [2][]ee.Sentence
	for i := range runs {
		s := newSession(t, srv.URL, "m", "llmpee")
		tr, err := agent.OpenTrace(path)
		if err != nil {
			t.Fatal(err)
		}
		s.Trace = tr
		x := &Extractor{Session: s, Ontology: ont}
		before := len(srv.Calls())
		if runs[i], _, err = x.Run(context.Background(), sents); err != nil {
			t.Fatal(err)
		}
		if i == 1 && (len(srv.Calls()) != before || tr.Resumed() == 0) {
			t.Errorf("the rerun made %d calls and resumed %d; want 0 and all", len(srv.Calls())-before, tr.Resumed())
		}
	}
	if a, b := ee.Score(sents, runs[0]), ee.Score(sents, runs[1]); a != b || a.AC.F1 != 1 {
		t.Errorf("scores %+v then %+v; want equal, F1 1", a, b)
	}
}

// Once the token budget is spent, the remaining sentences are skipped, counted and left out.
func TestExtractionStopsAtTheBudget(t *testing.T) {
	ont, sents := fixture(t, 20, 5)
	o := newOracle(sents)
	srv := agenttest.New(func(n int, c agenttest.Call) agenttest.Answer { return o.answer(t, c) }, "m")
	defer srv.Close()
	s := newSession(t, srv.URL, "m", "llmpee")
	s.Budget = agent.Budget{MaxTokens: 1} // the 5th sentence waits for a slot, by then tokens are spent
	pred, st, err := (&Extractor{Session: s, Ontology: ont}).Run(context.Background(), sents)
	if err != nil {
		t.Fatal(err)
	}
	if st.Skipped == 0 || st.BudgetEnd != agent.EndTokens || len(pred)+st.Skipped != len(sents) || st.Sentences != len(pred) {
		t.Errorf("%d predictions, stats %+v; want some skipped at %s and the rest extracted", len(pred), st, agent.EndTokens)
	}
}
