package proteus

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/ascent-rl/ascent/stats"
)

// Analysis is a concrete test of one (entity, relation, entity) triple on one cohort: which
// samples, which tools apply, and how a result reads as a direction.
type Analysis struct {
	A, B     string   // entity ids, in the order hypotheses use
	Relation string   // relation word (truth.json vocabulary)
	Family   string   // scan family, e.g. "protein_tumor_vs_normal"
	Tools    []string // stats tools that apply; Tools[0] is the standard test, Tools[1] the alternative
	args     func(tool string) (stats.Args, error)
	dir      func(o stats.Outcome) string
}

// Run runs tool (one of a.Tools) and returns the outcome and its direction. An outcome with a
// non-finite statistic, effect or p is an error, so no NaN ever reaches a hypothesis.
func (a *Analysis) Run(tool string) (stats.Outcome, string, error) {
	if !a.Applies(tool) {
		return stats.Outcome{}, "", fmt.Errorf("tool %q does not apply to %s %s %s; applicable: %s", tool, a.A, a.Relation, a.B, strings.Join(a.Tools, ", "))
	}
	t, err := stats.Lookup(tool)
	if err != nil {
		return stats.Outcome{}, "", err
	}
	args, err := a.args(tool)
	if err != nil {
		return stats.Outcome{}, "", err
	}
	o, err := t.Run(args)
	if err != nil {
		return stats.Outcome{}, "", err
	}
	if bad(o.P) || bad(o.Statistic) || bad(o.Effect) {
		return stats.Outcome{}, "", fmt.Errorf("%s gave a non-finite result (statistic %v, effect %v, p %v)", tool, o.Statistic, o.Effect, o.P)
	}
	return o, a.dir(o), nil
}

// Applies reports whether tool is one of the analysis's tools.
func (a *Analysis) Applies(tool string) bool {
	for _, t := range a.Tools {
		if t == tool {
			return true
		}
	}
	return false
}

func bad(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }

// centre is the effect value of "no effect" for each tool (NaN: the tool has no direction).
var centre = map[string]float64{"welch_t": 0, "student_t": 0, "mann_whitney": 0.5, "pearson": 0, "spearman": 0,
	"ols": 0, "cox": 1, "logrank": 1, "fisher": 1, "chisq": math.NaN(), "kruskal": math.NaN()}

// up reports whether the outcome's effect lies above the tool's no-effect value.
func up(o stats.Outcome) bool { return o.Effect > centre[o.Test] }

// entity splits "kind:name".
func entity(id string) (kind, name string, err error) {
	kind, name, ok := strings.Cut(id, ":")
	if !ok || name == "" {
		return "", "", fmt.Errorf("entity %q is not kind:name (protein:ACTB, mrna:ACTB, mutation:TP53, clinical:stage)", id)
	}
	return kind, name, nil
}

// Resolve builds the analysis of a and b on cohort c. The order of a and b does not matter:
// the analysis puts them in the canonical order (mutation before feature, protein before mRNA,
// feature before clinical).
func (c *Cohort) Resolve(a, b string) (*Analysis, error) {
	ka, _, err := entity(a)
	if err != nil {
		return nil, err
	}
	kb, _, err := entity(b)
	if err != nil {
		return nil, err
	}
	rank := map[string]int{KindMutation: 0, KindProtein: 1, KindMRNA: 2, KindClinical: 3}
	if _, ok := rank[ka]; !ok {
		return nil, fmt.Errorf("entity %q: kind %q unknown; known: protein, mrna, mutation, clinical", a, ka)
	}
	if _, ok := rank[kb]; !ok {
		return nil, fmt.Errorf("entity %q: kind %q unknown; known: protein, mrna, mutation, clinical", b, kb)
	}
	if rank[kb] < rank[ka] {
		a, b, ka, kb = b, a, kb, ka
	}
	switch {
	case ka == KindMutation && (kb == KindProtein || kb == KindMRNA):
		return c.mutationFeature(a, b)
	case (ka == KindProtein || ka == KindMRNA) && (kb == KindProtein || kb == KindMRNA):
		return c.featureFeature(a, b)
	case (ka == KindProtein || ka == KindMRNA) && kb == KindClinical:
		return c.featureClinical(a, b)
	case ka == KindMutation && kb == KindClinical:
		return c.mutationClinical(a, b)
	case ka == KindClinical && kb == KindClinical:
		return c.clinicalClinical(a, b)
	}
	return nil, fmt.Errorf("no analysis for %s with %s", a, b)
}

// feature returns the aligned values of a protein or mRNA entity over set.
func (c *Cohort) feature(id, set string) ([]float64, error) {
	kind, name, _ := entity(id)
	m := c.Proteome
	if kind == KindMRNA {
		m = c.RNA
	}
	if m == nil {
		return nil, fmt.Errorf("cohort %s has no %s matrix", c.Name, kind)
	}
	v, ok := c.featureValues(m, name, set)
	if !ok {
		return nil, fmt.Errorf("cohort %s: %s is not in %s", c.Name, id, m.Path)
	}
	return v, nil
}

// clinicalVar returns the variable or survival pair named by a clinical entity.
func (c *Cohort) clinicalVar(id string) (*Variable, *Survival, error) {
	_, name, _ := entity(id)
	for _, s := range c.Clinical.Survivals {
		if s.Name == name {
			return nil, s, nil
		}
	}
	if v := c.Clinical.Var(name); v != nil {
		return v, nil, nil
	}
	var known []string
	for _, v := range c.Clinical.Vars {
		known = append(known, v.Name)
	}
	for _, s := range c.Clinical.Survivals {
		known = append(known, s.Name)
	}
	sort.Strings(known)
	return nil, nil, fmt.Errorf("cohort %s: no clinical variable %q; known: %s", c.Name, name, strings.Join(known, ", "))
}

// pick returns a clinical column over the rows of set.
func pickNum(v []float64, rows []int) []float64 {
	out := make([]float64, len(rows))
	for i, r := range rows {
		out[i] = v[r]
	}
	return out
}

func pickStr(v []string, rows []int) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = v[r]
	}
	return out
}

func pickInt(v []int, rows []int) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = v[r]
	}
	return out
}

// survivalArgs fills Time and Status for set, with NaN time where either is missing.
func survivalArgs(s *Survival, rows []int) ([]float64, []int) {
	t, e := pickNum(s.Time, rows), pickInt(s.Event, rows)
	for i := range e {
		if e[i] < 0 {
			t[i], e[i] = math.NaN(), 0
		}
	}
	return t, e
}

// medianSplit labels each value "high" or "low" against the median of the finite values.
func medianSplit(x []float64) []string {
	var v []float64
	for _, f := range x {
		if !math.IsNaN(f) {
			v = append(v, f)
		}
	}
	sort.Float64s(v)
	out := make([]string, len(x))
	if len(v) == 0 {
		return out
	}
	med := v[len(v)/2]
	if len(v)%2 == 0 {
		med = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	for i, f := range x {
		switch {
		case math.IsNaN(f):
		case f > med:
			out[i] = "high"
		default:
			out[i] = "low"
		}
	}
	return out
}
