package proteus

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ascent-rl/ascent/stats"
)

// Expand turns a direction whose entities may be wildcards ("protein:*", "mrna:*",
// "mutation:*") into concrete pairs.
func (s *Study) Expand(a, b string) ([][2]string, error) {
	list := func(e string) ([]string, error) {
		kind, name, err := entity(e)
		if err != nil {
			return nil, err
		}
		if name != "*" {
			return []string{e}, nil
		}
		var m *Matrix
		switch kind {
		case KindProtein:
			m = s.Disc.Proteome
		case KindMRNA:
			m = s.Disc.RNA
		case KindMutation:
			return s.mutatedGenes(), nil
		default:
			return nil, fmt.Errorf("wildcard %q: only protein:*, mrna:* and mutation:* expand", e)
		}
		if m == nil {
			return nil, fmt.Errorf("wildcard %q: cohort %s has no %s matrix", e, s.Disc.Name, kind)
		}
		out := make([]string, len(m.Features))
		for i, f := range m.Features {
			out[i] = kind + ":" + f
		}
		return out, nil
	}
	as, err := list(a)
	if err != nil {
		return nil, err
	}
	bs, err := list(b)
	if err != nil {
		return nil, err
	}
	var out [][2]string
	for _, x := range as {
		for _, y := range bs {
			if x != y {
				out = append(out, [2]string{x, y})
			}
		}
	}
	return out, nil
}

// Test runs one tool on one concrete pair, records the result as an evidence edge produced by a
// new call node under direction, and returns the edge. Its q is set by AdjustTests.
func (s *Study) Test(a, b, tool, direction string) (*Edge, error) {
	an, err := s.Disc.Resolve(a, b)
	if err != nil {
		return nil, err
	}
	if _, err := stats.Lookup(tool); err != nil {
		return nil, err
	}
	if !an.Applies(tool) {
		return nil, fmt.Errorf("tool %q does not apply to %s %s %s; applicable: %s", tool, an.A, an.Relation, an.B, strings.Join(an.Tools, ", "))
	}
	args, err := an.args(tool)
	if err == nil {
		err = guard(tool, args)
	}
	if err != nil {
		return nil, fmt.Errorf("%s × %s: %w", a, b, err)
	}
	out, dir, err := an.Run(tool)
	if err != nil {
		return nil, err
	}
	call := s.Graph.AddProcess(KindCall, map[string]string{"tool": tool, "cohort": s.Disc.Name, "pair": a + " × " + b})
	if direction != "" {
		s.Graph.AddEdge(&Edge{Source: direction, Target: call.ID, Relation: "ran"})
	}
	e := s.Graph.AddEdge(edgeOf(result{an, out, dir}, out.P, s.Disc.Name, call.ID, "primary"))
	e.Family = an.Family
	s.singles = append(s.singles, e)
	s.AdjustTests()
	return e, nil
}

// AdjustTests sets the q of every single test (Test) by BH within its family across all single
// tests run so far, so a planner that tests pairs one at a time is held to FDR control too.
func (s *Study) AdjustTests() {
	byFam := map[string][]*Edge{}
	for _, e := range s.singles {
		byFam[e.Family] = append(byFam[e.Family], e)
	}
	for _, es := range byFam {
		ps := make([]float64, len(es))
		for i, e := range es {
			ps[i] = e.P
		}
		for i, q := range stats.BH(ps) {
			es[i].Q = q
		}
	}
}

// Propose writes a hypothesis from evidence edges: the first must be a primary evidence edge of
// the discovery cohort with q < Alpha, and every number is taken from it.
func (s *Study) Propose(evidence []string, statement string) (*Hypothesis, error) {
	if len(evidence) == 0 {
		return nil, fmt.Errorf("a hypothesis must cite at least one evidence edge")
	}
	var edges []*Edge
	for _, id := range evidence {
		e := s.Graph.Edge(id)
		if e == nil || e.Test == "" {
			return nil, fmt.Errorf("evidence %q is not an evidence edge of the graph", id)
		}
		edges = append(edges, e)
	}
	e := edges[0]
	if e.Role != "primary" || e.Q >= s.Alpha {
		return nil, fmt.Errorf("evidence %s is not a significant primary result (q = %.3g, need < %.2g)", e.ID, e.Q, s.Alpha)
	}
	for _, h := range s.Hypotheses {
		if h.EntityA == e.Source && h.EntityB == e.Target && h.Relation == e.Relation {
			return nil, fmt.Errorf("%s %s %s is already hypothesis %s", e.Source, e.Relation, e.Target, h.ID)
		}
	}
	h := &Hypothesis{ID: fmt.Sprintf("h%d", len(s.Hypotheses)+1), EntityA: e.Source, Relation: e.Relation, EntityB: e.Target,
		Direction: e.Direction, Family: e.Family, Test: e.Test, StatName: e.StatName, Statistic: e.Statistic, EffectName: e.EffectOf,
		Effect: e.Effect, P: e.P, Q: e.Q, N: e.N, Cohort: e.Cohort, Evidence: evidence, Planner: s.Planner}
	for _, x := range edges[1:] {
		if x.Role == "alternative" && x.Source == e.Source && x.Target == e.Target {
			h.AltTest, h.AltP = x.Test, x.P
		}
	}
	h.Text = h.sentence()
	if statement != "" {
		h.Text = strings.TrimSpace(statement) + " — " + h.Text
	}
	s.Hypotheses = append(s.Hypotheses, h)
	return h, nil
}

// Summary describes the cohort for a planner: entity kinds and counts, clinical variables with
// their types, survival endpoints and mutated genes.
func (s *Study) Summary() string {
	c := s.Disc
	var b strings.Builder
	for _, m := range []*Matrix{c.Proteome, c.RNA} {
		if m != nil {
			ex := m.Features
			if len(ex) > 12 {
				ex = ex[:12]
			}
			fmt.Fprintf(&b, "- %d %s features (%s:SYMBOL), e.g. %s; %.1f%% missing\n", len(m.Features), m.Kind, m.Kind, strings.Join(ex, ", "),
				100*float64(m.Missing)/float64(len(m.Features)*len(m.Samples)))
		}
	}
	fmt.Fprintf(&b, "- %d samples, %d tumours (one per patient)", len(c.Clinical.Samples), len(c.samples(SetTumours)))
	if c.Tissue != "" {
		fmt.Fprintf(&b, "; tumour/normal label: clinical:%s", c.Tissue)
	}
	b.WriteString("\n")
	for _, v := range c.Clinical.Vars {
		fmt.Fprintf(&b, "- clinical:%s (%s%s)\n", v.Name, v.Type, map[bool]string{true: ": " + strings.Join(v.Levels, ", "), false: ""}[len(v.Levels) > 0 && len(v.Levels) <= 10])
	}
	for _, sv := range c.Clinical.Survivals {
		ev, cens := c.TumourEvents(sv)
		fmt.Fprintf(&b, "- clinical:%s (survival: %d events, %d censored among tumours)\n", sv.Name, ev, cens)
	}
	if g := s.mutatedGenes(); len(g) > 0 {
		fmt.Fprintf(&b, "- mutations (>= %d mutated tumours): %s\n", minPerGroup, strings.Join(g, ", "))
	}
	return b.String()
}

// Results lists the evidence edges for a planner, significant first, at most max lines.
func (s *Study) Results(max int) string {
	var es []*Edge
	for _, e := range s.Graph.Edges {
		if e.Test != "" && e.Role == "primary" {
			es = append(es, e)
		}
	}
	sort.SliceStable(es, func(a, b int) bool { return es[a].Q < es[b].Q })
	var b strings.Builder
	for i, e := range es {
		if i == max {
			fmt.Fprintf(&b, "(%d more)\n", len(es)-max)
			break
		}
		fmt.Fprintf(&b, "- %s: %s %s %s, %s; %s %s = %.3g, %s = %.3g, p = %.2g, q = %.2g, n = %d\n", e.ID, e.Source, e.Relation, e.Target,
			e.Direction, e.Test, e.StatName, e.Statistic, e.EffectOf, e.Effect, e.P, e.Q, e.N)
	}
	for _, f := range s.Families {
		fmt.Fprintf(&b, "- screen %s (%s): %d tests, %d excluded, %d with q < %.2g\n", f.Name, f.Tool, f.Tests, f.Excluded, f.Significant, s.Alpha)
	}
	return b.String()
}
