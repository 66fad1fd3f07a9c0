package proteus

import (
	"math"
	"strings"
)

// Sample sets an analysis can run over.
const (
	SetAll     = "all"     // every clinical sample (tumour vs normal)
	SetTumours = "tumours" // one tumour per patient (survival, clinical, mutation, correlation)
)

// samples returns the sample ids of a set, in clinical-table order.
func (c *Cohort) samples(set string) []string {
	cl := c.Clinical
	if set == SetAll {
		return cl.Samples
	}
	if c.tumourCache != nil {
		return c.tumourCache
	}
	var tissue *Variable
	if c.Tissue != "" {
		tissue = cl.Var(c.Tissue)
	}
	seen := map[string]bool{}
	var out []string
	for i, s := range cl.Samples {
		if tissue != nil && !isTumour(tissue.Str[i]) {
			continue
		}
		if p := cl.PatientOf[s]; p != "" {
			if seen[p] {
				continue
			}
			seen[p] = true
		}
		out = append(out, s)
	}
	c.tumourCache = out
	return out
}

func isTumour(s string) bool {
	s = strings.ToLower(s)
	return s == "tumor" || s == "tumour"
}

// featureValues returns a matrix row aligned to the samples of set (NaN where a sample is absent).
func (c *Cohort) featureValues(m *Matrix, feature, set string) ([]float64, bool) {
	key := m.Kind + ":" + feature + "@" + set
	if v, ok := c.cache[key]; ok {
		return v, true
	}
	row, ok := m.Row(feature)
	if !ok {
		return nil, false
	}
	if m.colOf == nil {
		m.colOf = map[string]int{}
		for j, s := range m.Samples {
			m.colOf[s] = j
		}
	}
	ids := c.samples(set)
	out := make([]float64, len(ids))
	for i, s := range ids {
		if j, ok := m.colOf[s]; ok {
			out[i] = row[j]
		} else {
			out[i] = math.NaN()
		}
	}
	if c.cache == nil {
		c.cache = map[string][]float64{}
	}
	c.cache[key] = out
	return out, true
}

// clinicalRows maps a set's samples to clinical-table rows.
func (c *Cohort) clinicalRows(set string) []int {
	ids := c.samples(set)
	out := make([]int, len(ids))
	for i, s := range ids {
		out[i] = c.Clinical.index[s]
	}
	return out
}

// mutationGroup labels each tumour "mutated" or "wildtype" for gene.
func (c *Cohort) mutationGroup(gene string) []string {
	ids := c.samples(SetTumours)
	out := make([]string, len(ids))
	mut := c.Mutations.Mutated[gene]
	for i, s := range ids {
		if mut[s] {
			out[i] = "mutated"
		} else {
			out[i] = "wildtype"
		}
	}
	return out
}

// TumourEvents counts the events and censorings of a survival pair among the tumours (one per
// patient): what survival analyses use. Survival.Events counts every clinical row.
func (c *Cohort) TumourEvents(s *Survival) (events, censored int) {
	for _, r := range c.clinicalRows(SetTumours) {
		switch s.Event[r] {
		case 1:
			events++
		case 0:
			censored++
		}
	}
	return events, censored
}
