package proteus

import (
	"fmt"
	"strings"

	"github.com/ascent-rl/ascent/stats"
)

// twoSample builds Args for comparing x between Levels of group.
func twoSample(x []float64, group []string, l0, l1 string) func(string) (stats.Args, error) {
	return func(string) (stats.Args, error) {
		return stats.Args{X: x, Group: group, Levels: [2]string{l0, l1}}, nil
	}
}

func (c *Cohort) mutationFeature(a, b string) (*Analysis, error) {
	if c.Mutations == nil {
		return nil, fmt.Errorf("cohort %s has no mutation table", c.Name)
	}
	_, gene, _ := entity(a)
	kind, _, _ := entity(b)
	x, err := c.feature(b, SetTumours)
	if err != nil {
		return nil, err
	}
	g := c.mutationGroup(gene)
	return &Analysis{A: a, B: b, Relation: "mutation_association", Family: "mutation_" + kind,
		Tools: []string{"welch_t", "mann_whitney", "student_t"}, args: twoSample(x, g, "mutated", "wildtype"),
		dir: func(o stats.Outcome) string { return pick(up(o), "higher_in_mutated", "lower_in_mutated") }}, nil
}

func (c *Cohort) featureFeature(a, b string) (*Analysis, error) {
	x, err := c.feature(a, SetTumours)
	if err != nil {
		return nil, err
	}
	y, err := c.feature(b, SetTumours)
	if err != nil {
		return nil, err
	}
	ka, na, _ := entity(a)
	kb, nb, _ := entity(b)
	fam := ka + "_" + kb
	if ka == KindProtein && kb == KindMRNA {
		fam = pick(na == nb, "protein_mrna_cis", "protein_mrna_trans")
	}
	return &Analysis{A: a, B: b, Relation: "correlation", Family: fam, Tools: []string{"pearson", "spearman"},
		args: func(string) (stats.Args, error) { return stats.Args{X: x, Y: y}, nil },
		dir:  func(o stats.Outcome) string { return pick(up(o), "positive", "negative") }}, nil
}

func (c *Cohort) featureClinical(a, b string) (*Analysis, error) {
	kind, _, _ := entity(a)
	v, s, err := c.clinicalVar(b)
	if err != nil {
		return nil, err
	}
	if s != nil {
		x, err := c.feature(a, SetTumours)
		if err != nil {
			return nil, err
		}
		t, e := survivalArgs(s, c.clinicalRows(SetTumours))
		return &Analysis{A: a, B: b, Relation: "survival_association", Family: kind + "_survival",
			Tools: []string{"cox", "logrank"},
			args: func(tool string) (stats.Args, error) {
				if tool == "logrank" {
					return stats.Args{Group: medianSplit(x), Time: t, Status: e, Levels: [2]string{"high", "low"}}, nil
				}
				return stats.Args{X: x, Time: t, Status: e}, nil
			},
			dir: func(o stats.Outcome) string {
				return pick(up(o), "worse_survival_when_high", "better_survival_when_high")
			}}, nil
	}
	if v.Name == c.Tissue {
		x, err := c.feature(a, SetAll)
		if err != nil {
			return nil, err
		}
		g := make([]string, len(x))
		for i, r := range c.clinicalRows(SetAll) {
			switch lv := strings.ToLower(v.Str[r]); {
			case isTumour(lv):
				g[i] = "tumor"
			case lv == "normal":
				g[i] = "normal"
			}
		}
		rel := map[string]string{KindProtein: "differential_abundance", KindMRNA: "differential_expression"}[kind]
		return &Analysis{A: a, B: b, Relation: rel, Family: kind + "_tumor_vs_normal",
			Tools: []string{"welch_t", "mann_whitney", "student_t"}, args: twoSample(x, g, "tumor", "normal"),
			dir: func(o stats.Outcome) string { return pick(up(o), "higher_in_tumor", "lower_in_tumor") }}, nil
	}
	x, err := c.feature(a, SetTumours)
	if err != nil {
		return nil, err
	}
	rows := c.clinicalRows(SetTumours)
	an := &Analysis{A: a, B: b, Relation: v.Name + "_association", Family: kind + "_" + v.Name}
	switch {
	case v.Type == Categorical && len(v.Levels) == 2:
		l0, l1 := v.Levels[1], v.Levels[0]
		an.Tools = []string{"welch_t", "mann_whitney", "student_t"}
		an.args = twoSample(x, pickStr(v.Str, rows), l0, l1)
		an.dir = func(o stats.Outcome) string { return "higher_in_" + strings.ToLower(pick(up(o), l0, l1)) }
	case v.Type == Categorical:
		an.Tools = []string{"kruskal"}
		an.args = func(string) (stats.Args, error) { return stats.Args{X: x, Group: pickStr(v.Str, rows)}, nil }
		an.dir = func(stats.Outcome) string { return "differs_by_" + v.Name }
	case v.Type == Ordinal || v.Type == Continuous:
		y := pickNum(v.Num, rows)
		an.Tools = []string{"spearman", "kruskal", "pearson", "ols"}
		if v.Type == Continuous {
			an.Tools = []string{"pearson", "spearman", "ols"}
		}
		an.args = func(tool string) (stats.Args, error) {
			if tool == "kruskal" {
				return stats.Args{X: x, Group: pickStr(v.Str, rows)}, nil
			}
			if tool == "ols" {
				return stats.Args{X: y, Y: x}, nil // feature level on the clinical variable
			}
			return stats.Args{X: x, Y: y}, nil
		}
		an.dir = func(o stats.Outcome) string {
			if o.Test == "kruskal" {
				return "differs_by_" + v.Name
			}
			return pick(up(o), "increases_with_", "decreases_with_") + v.Name
		}
	default:
		return nil, fmt.Errorf("clinical variable %q (%s) has no analysis against %s", v.Name, v.Type, a)
	}
	return an, nil
}

func (c *Cohort) mutationClinical(a, b string) (*Analysis, error) {
	if c.Mutations == nil {
		return nil, fmt.Errorf("cohort %s has no mutation table", c.Name)
	}
	_, gene, _ := entity(a)
	v, s, err := c.clinicalVar(b)
	if err != nil {
		return nil, err
	}
	g := c.mutationGroup(gene)
	rows := c.clinicalRows(SetTumours)
	if s != nil {
		t, e := survivalArgs(s, rows)
		return &Analysis{A: a, B: b, Relation: "survival_association", Family: "mutation_survival", Tools: []string{"logrank"},
			args: func(string) (stats.Args, error) {
				return stats.Args{Group: g, Time: t, Status: e, Levels: [2]string{"mutated", "wildtype"}}, nil
			},
			dir: func(o stats.Outcome) string {
				return pick(up(o), "worse_survival_when_mutated", "better_survival_when_mutated")
			}}, nil
	}
	if v.Type == Continuous {
		return &Analysis{A: a, B: b, Relation: v.Name + "_association", Family: "mutation_clinical",
			Tools: []string{"welch_t", "mann_whitney"}, args: twoSample(pickNum(v.Num, rows), g, "mutated", "wildtype"),
			dir: func(o stats.Outcome) string { return pick(up(o), "higher_in_mutated", "lower_in_mutated") }}, nil
	}
	return &Analysis{A: a, B: b, Relation: v.Name + "_association", Family: "mutation_clinical", Tools: []string{"chisq", "fisher"},
		args: func(string) (stats.Args, error) { return stats.Args{Group: g, Group2: pickStr(v.Str, rows)}, nil },
		dir:  func(stats.Outcome) string { return "associated" }}, nil
}

func (c *Cohort) clinicalClinical(a, b string) (*Analysis, error) {
	va, sa, err := c.clinicalVar(a)
	if err != nil {
		return nil, err
	}
	vb, sb, err := c.clinicalVar(b)
	if err != nil {
		return nil, err
	}
	if sa != nil {
		va, sb = vb, sa
		a, b = b, a
	}
	rows := c.clinicalRows(SetTumours)
	if sb != nil && va != nil {
		t, e := survivalArgs(sb, rows)
		if va.Type == Continuous {
			x := pickNum(va.Num, rows)
			return &Analysis{A: a, B: b, Relation: "survival_association", Family: "clinical_survival", Tools: []string{"cox"},
				args: func(string) (stats.Args, error) { return stats.Args{X: x, Time: t, Status: e}, nil },
				dir: func(o stats.Outcome) string {
					return pick(up(o), "worse_survival_when_high", "better_survival_when_high")
				}}, nil
		}
		g := pickStr(va.Str, rows)
		tools := []string{"logrank"}
		if va.Type == Ordinal {
			tools = append(tools, "cox")
		}
		x := pickNum(va.Num, rows)
		return &Analysis{A: a, B: b, Relation: "survival_association", Family: "clinical_survival", Tools: tools,
			args: func(tool string) (stats.Args, error) {
				if tool == "cox" {
					return stats.Args{X: x, Time: t, Status: e}, nil
				}
				return stats.Args{Group: g, Time: t, Status: e, Levels: [2]string{va.Levels[len(va.Levels)-1], va.Levels[0]}}, nil
			},
			dir: func(o stats.Outcome) string {
				return pick(up(o), "worse_survival_when_high", "better_survival_when_high")
			}}, nil
	}
	if va == nil || vb == nil || va.Type == Continuous || vb.Type == Continuous {
		return nil, fmt.Errorf("no analysis for %s with %s (clinical pairs: categorical × categorical, or a variable × survival)", a, b)
	}
	return &Analysis{A: a, B: b, Relation: "clinical_association", Family: "clinical_clinical", Tools: []string{"chisq", "fisher"},
		args: func(string) (stats.Args, error) {
			return stats.Args{Group: pickStr(va.Str, rows), Group2: pickStr(vb.Str, rows)}, nil
		},
		dir: func(stats.Outcome) string { return "associated" }}, nil
}

func pick(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}
