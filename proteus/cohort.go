package proteus

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Cohort is one data directory: the matrices, the mutation table and the clinical table, with
// the sample-id matching between them.
type Cohort struct {
	Name      string      // directory base name
	Dir       string      // directory
	Proteome  *Matrix     // protein × sample, or nil
	RNA       *Matrix     // transcript × sample, or nil
	Mutations *Mutations  // mutation table, or nil
	Clinical  *Clinical   // clinical table
	Match     MatchReport // sample-id matching against the clinical table
	// Tissue is the clinical variable holding tumour/normal labels ("" when there is none).
	Tissue string

	tumourCache []string
	cache       map[string][]float64
}

// MatchReport says which sample ids matched across files and which did not.
type MatchReport struct {
	ClinicalSamples int                 // rows of the clinical table
	Files           []FileMatch         // one per matrix or table
	Unmatched       map[string][]string `json:",omitempty"` // file → ids absent from the clinical table
}

// FileMatch is one file's sample-id overlap with the clinical table.
type FileMatch struct {
	File          string // base name
	Samples       int    // sample ids in the file
	Matched       int    // of those, present in the clinical table
	NotInClinical int    // present in the file only
	ClinicalOnly  int    // clinical samples the file lacks
}

// filePatterns maps each role to the base-name prefixes that identify it.
var filePatterns = map[string][]string{
	"proteome":      {"proteome", "protein", "proteomics"},
	"transcriptome": {"transcriptome", "rna", "mrna", "expression", "transcriptomics"},
	"mutations":     {"mutations", "mutation", "maf", "somatic"},
	"clinical":      {"clinical", "phenotype", "samples"},
}

// findFile returns the file in dir whose base name starts with one of role's prefixes.
func findFile(dir, role string) (string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var hits []string
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		base := strings.ToLower(e.Name())
		ext := filepath.Ext(base)
		if ext != ".tsv" && ext != ".csv" && ext != ".txt" {
			continue
		}
		for _, p := range filePatterns[role] {
			if strings.HasPrefix(base, p) {
				hits = append(hits, filepath.Join(dir, e.Name()))
				break
			}
		}
	}
	sort.Strings(hits)
	switch len(hits) {
	case 0:
		return "", nil
	case 1:
		return hits[0], nil
	}
	return "", fmt.Errorf("%s: several files look like the %s: %s", dir, role, strings.Join(hits, ", "))
}

// LoadCohort reads every recognised file in dir (clinical*, proteome*, transcriptome*,
// mutations*; .tsv or .csv) and matches sample ids against the clinical table.
func LoadCohort(dir string) (*Cohort, error) {
	c := &Cohort{Name: filepath.Base(filepath.Clean(dir)), Dir: dir}
	path, err := findFile(dir, "clinical")
	if err != nil {
		return nil, err
	}
	if path == "" {
		return nil, fmt.Errorf("%s: no clinical table (clinical.tsv or clinical.csv)", dir)
	}
	if c.Clinical, err = ReadClinical(path); err != nil {
		return nil, err
	}
	for _, role := range []string{"proteome", "transcriptome"} {
		path, err := findFile(dir, role)
		if err != nil {
			return nil, err
		}
		if path == "" {
			continue
		}
		kind := map[string]string{"proteome": "protein", "transcriptome": "mrna"}[role]
		m, err := ReadMatrix(path, kind)
		if err != nil {
			return nil, err
		}
		if role == "proteome" {
			c.Proteome = m
		} else {
			c.RNA = m
		}
	}
	if c.Proteome == nil && c.RNA == nil {
		return nil, fmt.Errorf("%s: no proteome or transcriptome matrix", dir)
	}
	if path, err = findFile(dir, "mutations"); err != nil {
		return nil, err
	} else if path != "" {
		if c.Mutations, err = ReadMutations(path); err != nil {
			return nil, err
		}
	}
	c.match()
	for _, v := range c.Clinical.Vars {
		if v.Type == Categorical && len(v.Levels) == 2 && tissueLevels(v.Levels) {
			c.Tissue = v.Name
		}
	}
	return c, nil
}

// tissueLevels reports whether two levels read as tumour and normal.
func tissueLevels(l []string) bool {
	a, b := strings.ToLower(l[0]), strings.ToLower(l[1])
	return (a == "normal" && (b == "tumor" || b == "tumour")) || (b == "normal" && (a == "tumor" || a == "tumour"))
}

func (c *Cohort) match() {
	cl := c.Clinical
	c.Match = MatchReport{ClinicalSamples: len(cl.Samples), Unmatched: map[string][]string{}}
	add := func(path string, ids []string) {
		fm := FileMatch{File: filepath.Base(path), Samples: len(ids)}
		in := map[string]bool{}
		for _, id := range ids {
			in[id] = true
			if _, ok := cl.index[id]; ok {
				fm.Matched++
			} else {
				fm.NotInClinical++
				c.Match.Unmatched[fm.File] = append(c.Match.Unmatched[fm.File], id)
			}
		}
		for _, id := range cl.Samples {
			if !in[id] {
				fm.ClinicalOnly++
			}
		}
		sort.Strings(c.Match.Unmatched[fm.File])
		c.Match.Files = append(c.Match.Files, fm)
	}
	for _, m := range []*Matrix{c.Proteome, c.RNA} {
		if m != nil {
			add(m.Path, m.Samples)
		}
	}
	if c.Mutations != nil {
		var ids []string
		for s := range c.Mutations.Samples {
			ids = append(ids, s)
		}
		sort.Strings(ids)
		add(c.Mutations.Path, ids)
	}
}
