package proteus

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ascent-rl/ascent/internal/atomicfile"
)

// WriteReport writes report.md into out with the KM curves and forest plots of the supporting
// analyses as PNGs beside it. val may be nil.
func (s *Study) WriteReport(out string, val *Cohort) error {
	var b strings.Builder
	w := func(f string, a ...any) { fmt.Fprintf(&b, f, a...) }
	w("# PROTEUS report\n\n")
	w("Planner: **%s**. Discovery cohort: `%s`", s.Planner, s.Disc.Dir)
	if val != nil {
		w("; validation cohort: `%s`", val.Dir)
	}
	w(". FDR: Benjamini–Hochberg within each family at %.2g. A hypothesis needs q < %.2g with the standard test and p < %.2g with the alternative test; it is *replicated* when the validation cohort gives the same direction with BH q < %.2g across the hypotheses re-tested. Every number below comes from a stats tool call recorded in `graph.json`.\n\n", s.Alpha, s.Alpha, s.Alpha, s.Alpha)
	w("## Cohorts\n\n| cohort | file | kind | features | samples | missing | sparse (>50%% NA) | zero variance |\n|---|---|---|---|---|---|---|---|\n")
	for _, c := range []*Cohort{s.Disc, val} {
		if c == nil {
			continue
		}
		p := c.Profile()
		for _, m := range p.Matrices {
			w("| %s | %s | %s | %d | %d | %.1f%% | %d | %d |\n", c.Name, m.File, m.Kind, m.Features, m.Samples, 100*m.MissingFrac, m.Sparse, len(m.ZeroVariance))
		}
	}
	w("\n### Clinical variables (%s)\n\n| variable | type | levels | missing |\n|---|---|---|---|\n", s.Disc.Name)
	for _, v := range s.Disc.Clinical.Vars {
		w("| %s | %s | %s | %d |\n", v.Name, v.Type, strings.Join(v.Levels, ", "), v.Missing)
	}
	for _, sv := range s.Disc.Clinical.Survivals {
		ev, cens := s.Disc.TumourEvents(sv)
		w("| %s | survival (%s, %s) | %d events, %d censored among tumours | |\n", sv.Name, sv.TimeCol, sv.EventCol, ev, cens)
	}
	w("\n### Sample matching\n\n| cohort | file | samples | matched | not in clinical | clinical only |\n|---|---|---|---|---|---|\n")
	for _, c := range []*Cohort{s.Disc, val} {
		if c == nil {
			continue
		}
		for _, f := range c.Match.Files {
			w("| %s | %s | %d | %d | %d | %d |\n", c.Name, f.File, f.Samples, f.Matched, f.NotInClinical, f.ClinicalOnly)
		}
		for f, ids := range c.Match.Unmatched {
			if len(ids) > 10 {
				ids = append(ids[:10:10], "…")
			}
			w("\n%s `%s` ids absent from the clinical table: %s\n", c.Name, f, strings.Join(ids, ", "))
		}
	}
	w("\n## Families screened\n\n| family | direction | test | tests | excluded | q < %.2g | proposed |\n|---|---|---|---|---|---|---|\n", s.Alpha)
	for _, f := range s.Families {
		bg := ""
		if f.Background {
			bg = " (background)"
		}
		w("| %s%s | %s | %s | %d | %d | %d | %d |\n", f.Name, bg, f.Triple, f.Tool, f.Tests, f.Excluded, f.Significant, f.Proposed)
	}
	w("\nExclusions by reason:\n\n")
	for _, f := range s.Families {
		if f.Excluded == 0 {
			continue
		}
		var rs []string
		for r, n := range f.Reasons {
			rs = append(rs, fmt.Sprintf("%s: %d", r, n))
		}
		sort.Strings(rs)
		w("- %s: %s (e.g. %s)\n", f.Name, strings.Join(rs, "; "), f.Examples[0])
	}
	w("\n## Hypotheses\n\n| id | entity_a | relation | entity_b | direction | test | effect | p | q | n | replicated | validation p (q) |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, h := range s.Hypotheses {
		rep, vp := "—", "—"
		if h.Replicated != nil {
			rep = fmt.Sprint(*h.Replicated)
		}
		if v := h.Validation; v != nil {
			vp = v.Note
			if v.Edge != "" {
				vp = fmt.Sprintf("%.2g (%.2g), %s", v.P, v.Q, v.Direction)
			}
		}
		w("| %s | %s | %s | %s | %s | %s | %s %.3g | %.2g | %.2g | %d | %s | %s |\n", h.ID, h.EntityA, h.Relation, h.EntityB, h.Direction, h.Test, h.EffectName, h.Effect, h.P, h.Q, h.N, rep, vp)
	}
	w("\n## Figures\n\n")
	names := map[string]bool{}
	for _, h := range s.Hypotheses {
		names[h.EffectName] = true
	}
	var effs []string
	for n := range names {
		effs = append(effs, n)
	}
	sort.Strings(effs)
	for _, e := range effs {
		file := "forest_" + e + ".png"
		ok, err := forestPlot(filepath.Join(out, file), e, s.Hypotheses)
		if err != nil {
			return fmt.Errorf("forest plot %s: %w", e, err)
		}
		if ok {
			w("![forest plot of %s](%s)\n\n", e, file)
		}
	}
	for _, h := range s.Hypotheses {
		if h.Relation != "survival_association" || !strings.Contains(h.EntityB, "survival") || strings.HasPrefix(h.EntityA, "clinical:") {
			continue
		}
		file := pngName("km", h.EntityA)
		if err := kmPlot(filepath.Join(out, file), h, s.Disc, val); err != nil {
			return fmt.Errorf("KM plot %s: %w", h.EntityA, err)
		}
		w("![Kaplan–Meier of %s](%s)\n\n", h.EntityA, file)
	}
	dirs, calls := 0, 0
	for _, n := range s.Graph.Nodes {
		switch n.Kind {
		case KindDirection:
			dirs++
		case KindCall:
			calls++
		}
	}
	w("## Research process\n\n`graph.json` holds %d nodes and %d edges: %d directions tried, %d tool calls, and every evidence edge behind a hypothesis (test, statistic, effect, p, q, n, cohort, call).\n", len(s.Graph.Nodes), len(s.Graph.Edges), dirs, calls)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(out, "report.md"), []byte(b.String()), 0o644)
}
