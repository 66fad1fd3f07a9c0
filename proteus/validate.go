package proteus

import (
	"fmt"

	"github.com/ascent-rl/ascent/stats"
)

// Validate re-tests every hypothesis on the independent cohort val with the same standard test,
// BH-adjusts across the hypotheses re-tested, and marks each replicated when the direction is the
// same and the adjusted q < alpha. A hypothesis that cannot be re-tested (the entity is absent,
// too few values) is marked not replicated with the reason. Validation edges go into the graph.
func (s *Study) Validate(val *Cohort) {
	call := s.Graph.AddProcess(KindCall, map[string]string{"cohort": val.Name, "purpose": "external validation", "adjust": "BH across hypotheses"})
	type vt struct {
		h   *Hypothesis
		out stats.Outcome
		dir string
		an  *Analysis
	}
	var done []vt
	for _, h := range s.Hypotheses {
		f := false
		h.Replicated = &f
		h.Validation = &Validation{Cohort: val.Name, Test: h.Test}
		an, err := val.Resolve(h.EntityA, h.EntityB)
		if err == nil {
			var args stats.Args
			if args, err = an.args(h.Test); err == nil {
				err = guard(h.Test, args)
			}
		}
		var out stats.Outcome
		var dir string
		if err == nil {
			out, dir, err = an.Run(h.Test)
		}
		if err != nil {
			h.Validation.Note = fmt.Sprintf("not re-tested: %v", err)
			continue
		}
		done = append(done, vt{h, out, dir, an})
	}
	ps := make([]float64, len(done))
	for i, d := range done {
		ps[i] = d.out.P
	}
	qs := stats.BH(ps)
	for i, d := range done {
		e := s.Graph.AddEdge(edgeOf(result{d.an, d.out, d.dir}, qs[i], val.Name, call.ID, "validation"))
		v := d.h.Validation
		v.Statistic, v.Effect, v.P, v.Q, v.N, v.Direction, v.Edge = d.out.Statistic, d.out.Effect, d.out.P, qs[i], d.out.N, d.dir, e.ID
		rep := d.dir == d.h.Direction && qs[i] < s.Alpha
		d.h.Replicated = &rep
		d.h.Evidence = append(d.h.Evidence, e.ID)
	}
	call.Attrs["tests"] = fmt.Sprint(len(done))
}
