package proteus

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/ascent-rl/ascent/stats"
)

// Study is one PROTEUS run: the discovery cohort, the graph that records every result and the
// process, and the hypotheses proposed so far.
type Study struct {
	Disc       *Cohort         // discovery cohort
	Graph      *Graph          // entity graph with the research process
	Hypotheses []*Hypothesis   // proposed hypotheses, in proposal order
	Families   []*FamilyReport // one per family screened
	Alpha      float64         // FDR level per family (default 0.05)
	Planner    string          // "builtin" or "llm"
	// Manual leaves proposing to the planner (the LLM cites evidence edges through Propose);
	// otherwise Screen proposes every robust significant relation itself.
	Manual bool

	singles []*Edge // evidence edges of single tests, BH-adjusted together per family
}

// FamilyReport summarises one screened family (also stored on its direction node).
type FamilyReport struct {
	Name        string         `json:"name"`        // e.g. "protein_tumor_vs_normal"
	Direction   string         `json:"direction"`   // the direction node id
	Triple      string         `json:"triple"`      // e.g. "protein:* differential_abundance clinical:tumor_vs_normal"
	Tool        string         `json:"tool"`        // standard test
	Tests       int            `json:"tests"`       // tests run
	Excluded    int            `json:"excluded"`    // pairs skipped (too few values, zero variance, ...)
	Reasons     map[string]int `json:"reasons"`     // exclusion reason → count
	Examples    []string       `json:"examples"`    // the first few exclusions, named
	Significant int            `json:"significant"` // BH q < Alpha
	Proposed    int            `json:"proposed"`    // hypotheses written
	Background  bool           `json:"background"`  // expected by construction (cis protein–mRNA): recorded, not proposed
}

// NewStudy starts a study on the discovery cohort and records its entities in the graph.
func NewStudy(disc *Cohort, planner string) *Study {
	s := &Study{Disc: disc, Graph: NewGraph(), Alpha: 0.05, Planner: planner}
	for _, m := range []*Matrix{disc.Proteome, disc.RNA} {
		if m == nil {
			continue
		}
		for _, f := range m.Features {
			s.Graph.Node(m.Kind + ":" + f)
		}
	}
	if disc.Mutations != nil {
		for _, g := range disc.Mutations.Genes() {
			s.Graph.Node("mutation:" + g).Attrs = map[string]string{"mutated_tumours": fmt.Sprint(len(disc.Mutations.Mutated[g]))}
		}
	}
	for _, v := range disc.Clinical.Vars {
		s.Graph.Node("clinical:" + v.Name).Attrs = map[string]string{"type": string(v.Type), "levels": strings.Join(v.Levels, ",")}
	}
	for _, sv := range disc.Clinical.Survivals {
		s.Graph.Node("clinical:" + sv.Name).Attrs = map[string]string{"type": "survival", "time": sv.TimeCol, "event": sv.EventCol}
	}
	return s
}

// result is one test of a scan before FDR control.
type result struct {
	an  *Analysis
	out stats.Outcome
	dir string
}

// Screen tests every pair of a family with its standard test, BH-adjusts within the family,
// records the significant results (and their alternative test) as evidence edges, and proposes
// those that the alternative test also supports (p < Alpha) as hypotheses unless background.
func (s *Study) Screen(family, triple string, pairs [][2]string, background bool) *FamilyReport {
	return s.ScreenWith(family, triple, pairs, background, "", "")
}

// ScreenWith is Screen with a chosen standard tool ("" for each analysis's default; a pair the
// tool does not apply to is an exclusion) and the id of an existing direction node ("" to add one).
func (s *Study) ScreenWith(family, triple string, pairs [][2]string, background bool, tool, direction string) *FamilyReport {
	fr := &FamilyReport{Name: family, Triple: triple, Reasons: map[string]int{}, Background: background}
	dnode := s.Graph.Get(direction)
	if dnode == nil {
		dnode = s.Graph.AddProcess(KindDirection, map[string]string{"planner": s.Planner, "triple": triple, "family": family})
	}
	fr.Direction = dnode.ID
	var res []result
	exclude := func(pair [2]string, err error) {
		fr.Excluded++
		reason := err.Error()
		if i := strings.Index(reason, " ("); i > 0 {
			reason = reason[:i]
		}
		fr.Reasons[reason]++
		if len(fr.Examples) < 5 {
			fr.Examples = append(fr.Examples, pair[0]+" × "+pair[1]+": "+err.Error())
		}
	}
	for _, p := range pairs {
		an, err := s.Disc.Resolve(p[0], p[1])
		if err != nil {
			exclude(p, err)
			continue
		}
		tool := tool
		if tool == "" {
			tool = an.Tools[0]
		}
		if !an.Applies(tool) {
			exclude(p, fmt.Errorf("tool %s does not apply", tool))
			continue
		}
		args, err := an.args(tool)
		if err == nil {
			err = guard(tool, args)
		}
		if err != nil {
			exclude(p, err)
			continue
		}
		out, dir, err := an.Run(tool)
		if err != nil {
			exclude(p, err)
			continue
		}
		fr.Tool = tool
		res = append(res, result{an, out, dir})
		if family == "" {
			family, fr.Name = an.Family, an.Family
		}
	}
	fr.Tests = len(res)
	ps := make([]float64, len(res))
	for i, r := range res {
		ps[i] = r.out.P
	}
	qs := stats.BH(ps)
	call := s.Graph.AddProcess(KindCall, map[string]string{"tool": fr.Tool, "cohort": s.Disc.Name, "family": family,
		"tests": fmt.Sprint(fr.Tests), "excluded": fmt.Sprint(fr.Excluded), "adjust": "BH within family"})
	s.Graph.AddEdge(&Edge{Source: dnode.ID, Target: call.ID, Relation: "ran"})
	order := make([]int, len(res))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return ps[order[a]] < ps[order[b]] })
	for _, i := range order {
		if qs[i] >= s.Alpha {
			break
		}
		fr.Significant++
		r := res[i]
		if h := s.record(r, qs[i], call.ID, family, !background); h != nil {
			fr.Proposed++
		}
	}
	dnode.Attrs["tests"], dnode.Attrs["significant"], dnode.Attrs["proposed"] = fmt.Sprint(fr.Tests), fmt.Sprint(fr.Significant), fmt.Sprint(fr.Proposed)
	s.Families = append(s.Families, fr)
	return fr
}

// record stores a significant result and its alternative test as evidence edges and returns
// the hypothesis it supports (nil when the alternative test disagrees or propose is false).
func (s *Study) record(r result, q float64, call, family string, propose bool) *Hypothesis {
	e := s.Graph.AddEdge(edgeOf(r, q, s.Disc.Name, call, "primary"))
	h := &Hypothesis{EntityA: r.an.A, Relation: r.an.Relation, EntityB: r.an.B, Direction: r.dir, Family: family,
		Test: r.out.Test, StatName: r.out.StatName, Statistic: r.out.Statistic, EffectName: r.out.Effect2, Effect: r.out.Effect,
		P: r.out.P, Q: q, N: r.out.N, Cohort: s.Disc.Name, Evidence: []string{e.ID}, Planner: s.Planner}
	robust := true
	if len(r.an.Tools) > 1 {
		alt := r.an.Tools[1]
		if alt == r.out.Test {
			alt = r.an.Tools[0]
		}
		if args, err := r.an.args(alt); err == nil && guard(alt, args) == nil {
			if o, dir, err := r.an.Run(alt); err == nil {
				ae := s.Graph.AddEdge(edgeOf(result{r.an, o, dir}, 0, s.Disc.Name, call, "alternative"))
				h.AltTest, h.AltP = alt, o.P
				h.Evidence = append(h.Evidence, ae.ID)
				robust = o.P < s.Alpha && (dir == r.dir || math.IsNaN(centre[alt]))
			}
		}
	}
	if !robust || !propose || s.Manual {
		return nil
	}
	h.ID = fmt.Sprintf("h%d", len(s.Hypotheses)+1)
	h.Text = h.sentence()
	s.Hypotheses = append(s.Hypotheses, h)
	return h
}

func edgeOf(r result, q float64, cohort, call, role string) *Edge {
	return &Edge{Source: r.an.A, Target: r.an.B, Relation: r.an.Relation, Direction: r.dir, Family: r.an.Family,
		Test: r.out.Test, StatName: r.out.StatName, Statistic: r.out.Statistic, EffectOf: r.out.Effect2, Effect: r.out.Effect,
		P: r.out.P, Q: q, N: r.out.N, Cohort: cohort, Call: call, Role: role}
}
