package eeextract

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/agent/agenttest"
	"github.com/ascent-rl/ascent/ee"
)

func TestCollaborativeAnnotation(t *testing.T) {
	ont, sents := fixture(t, 20, 3)
	o := newOracle(sents)
	s0, e0 := sents[0], sents[0].Events[0]
	gold := map[string]bool{}
	for _, e := range s0.Events {
		gold[e.Type] = true
	}
	var wrong []string // two candidate types of s0 that are not its gold types
	for _, c := range ee.NewIndex(ont).TopK(s0.Text, 20) {
		if !gold[c.Type] && len(wrong) < 2 {
			wrong = append(wrong, c.Type)
		}
	}
	at := s0.ID + "@" + strconv.Itoa(e0.Trigger.Start)
	var otherRole string // a role of e0's type that its first argument does not fill
	for _, r := range ont.Lookup(e0.Type).Roles {
		if r.Name != e0.Arguments[0].Role && otherRole == "" {
			otherRole = r.Name
		}
	}
	cases := []struct {
		name      string
		swap      map[string]map[string]string // annotator → detectAs swaps
		answer    map[string]string            // annotator → refinement answer ("" gold)
		escalate  bool
		malformed int               // re-vote answers expected unparsable
		roleSwap  map[string]string // annotator → the role its re-check gives e0's first argument ("" drops it)
		want      AnnotateStats     // Ties, Revoted, Escalated, ByEscalate, Unsettled compared
		tcTP      int               // TC true positives over the gold (len(gold) − missing)
	}{
		{name: "agreement", want: AnnotateStats{}},
		{name: "a tie that needs a re-vote",
			swap: map[string]map[string]string{"a2": {at: wrong[0]}, "a3": {at: ""}},
			want: AnnotateStats{Ties: 1, Revoted: 1}},
		{name: "a re-vote with a malformed answer",
			swap:   map[string]map[string]string{"a2": {at: wrong[0]}, "a3": {at: ""}},
			answer: map[string]string{"a3": "!"}, malformed: 1,
			want: AnnotateStats{Ties: 1, Revoted: 1}},
		{name: "a role tie that needs a re-vote",
			roleSwap: map[string]string{"a2": otherRole, "a3": ""},
			want:     AnnotateStats{Ties: 1, RoleTies: 1, Revoted: 1}},
		{name: "a 3-way split escalated",
			swap:     map[string]map[string]string{"a2": {at: wrong[0]}, "a3": {at: wrong[1]}},
			answer:   map[string]string{"a2": wrong[0], "a3": NoneOfThese},
			escalate: true, want: AnnotateStats{Ties: 1, Escalated: 1, ByEscalate: 1}},
		{name: "a 3-way split with no stronger model",
			swap:   map[string]map[string]string{"a2": {at: wrong[0]}, "a3": {at: wrong[1]}},
			answer: map[string]string{"a2": wrong[0], "a3": NoneOfThese},
			want:   AnnotateStats{Ties: 1, Unsettled: 1}, tcTP: -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := agenttest.New(func(n int, c agenttest.Call) agenttest.Answer {
				p, who := c.Messages[0].Content, annotatorOf(c)
				switch roleOf(c) {
				case RoleDetect:
					return agenttest.Answer{Content: o.detectAs(t, p, tc.swap[who])}
				case RoleRefine:
					if tc.answer[who] == "!" {
						return agenttest.Answer{Content: "I would say the second one."}
					}
					return agenttest.Answer{Content: o.refine(t, p, tc.answer[who])}
				case RoleRecheck:
					if role, ok := tc.roleSwap[who]; ok && strings.Contains(p, "Sentence: "+s0.Text+"\n") && strings.Contains(p, "Event type: "+e0.Type+":") {
						args := e0.Arguments[1:]
						if role != "" {
							args = append([]ee.Argument{{Role: role, Text: e0.Arguments[0].Text, Start: e0.Arguments[0].Start}}, args...)
						}
						return agenttest.Answer{Content: mustJSON(t, args)}
					}
				}
				return agenttest.Answer{Content: o.arguments(t, p)} // arguments and recheck
			}, "m")
			defer srv.Close()
			strong := agenttest.New(func(n int, c agenttest.Call) agenttest.Answer {
				return agenttest.Answer{Content: o.refine(t, c.Messages[0].Content, "")}
			}, "big")
			defer strong.Close()
			col := &Collab{Ontology: ont}
			for _, name := range []string{"a1", "a2", "a3"} {
				x := &Extractor{Session: newSession(t, srv.URL, "m", "eemt"), Ontology: ont, K: 20, Size: 5,
					Persona: "You are annotator " + name + "."}
				col.Annotators = append(col.Annotators, Annotator{Name: name, Extractor: x})
			}
			if tc.escalate {
				col.Escalate = newSession(t, strong.URL, "big", "eemt")
			}
			anns, st, err := col.Run(context.Background(), sents)
			if err != nil {
				t.Fatal(err)
			}
			got := AnnotateStats{Ties: st.Ties, RoleTies: st.RoleTies, Revoted: st.Revoted, Escalated: st.Escalated, ByEscalate: st.ByEscalate, Unsettled: st.Unsettled}
			if got != tc.want {
				t.Errorf("stats %+v; want %+v", got, tc.want)
			}
			var pred []ee.Sentence
			for _, a := range anns {
				pred = append(pred, ee.Sentence{ID: a.ID, Text: a.Text, Events: a.Majority.Events})
			}
			sc := ee.Score(sents, pred)
			if want := sc.TC.Gold + tc.tcTP; sc.TC.TP != want || sc.TC.Pred != want {
				t.Errorf("TC tp %d pred %d; want %d", sc.TC.TP, sc.TC.Pred, want)
			}
			if tc.tcTP == 0 && sc.AC.F1 != 1 {
				t.Errorf("AC F1 %v; want 1 (the re-check gives every annotator the gold spans)", sc.AC.F1)
			}
			if st.Rechecks == 0 || st.Malformed != tc.malformed {
				t.Errorf("%d re-checks, %d malformed; want some, %d", st.Rechecks, st.Malformed, tc.malformed)
			}
			if n := len(strong.Calls()); n != tc.want.Escalated || (n > 0 && strong.Calls()[0].Role != "eemt/"+RoleEscalate) {
				t.Errorf("stronger model got %d calls (%v); want %d as eemt/escalate", n, strong.Calls(), tc.want.Escalated)
			}
		})
	}
}
