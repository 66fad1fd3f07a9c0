package proteus

import (
	"math"
	"path/filepath"
)

// Profile is what the profiler says about a cohort: files, sizes, missingness, variable types,
// sample matching and features that cannot be tested.
type Profile struct {
	Cohort    string          `json:"cohort"`                    // cohort name
	Matrices  []MatrixProfile `json:"matrices"`                  // one per matrix
	Variables []*Variable     `json:"variables"`                 // typed clinical variables
	Survivals []*Survival     `json:"survivals"`                 // survival pairs
	Mutations *MutationProf   `json:"mutations,omitempty"`       // mutation table summary
	Match     MatchReport     `json:"match"`                     // sample-id matching
	Tissue    string          `json:"tissue_variable,omitempty"` // the tumour/normal variable
	Tumours   int             `json:"tumours"`                   // one per patient
}

// MatrixProfile summarises one feature × sample matrix.
type MatrixProfile struct {
	File         string   `json:"file"`                   // base name
	Kind         string   `json:"kind"`                   // "protein" or "mrna"
	Features     int      `json:"features"`               // rows
	Samples      int      `json:"samples"`                // columns
	MissingFrac  float64  `json:"missing_fraction"`       // share of missing cells
	Sparse       int      `json:"sparse_features"`        // more than half missing
	ZeroVariance []string `json:"zero_variance_features"` // constant over observed values: excluded from every test
}

// MutationProf summarises the mutation table.
type MutationProf struct {
	File   string         `json:"file"`                     // base name
	Rows   int            `json:"rows"`                     // variant rows
	Silent int            `json:"silent_rows"`              // rows skipped as silent
	Genes  map[string]int `json:"mutated_samples_per_gene"` // gene → mutated samples
}

// Profile profiles the cohort.
func (c *Cohort) Profile() Profile {
	p := Profile{Cohort: c.Name, Variables: c.Clinical.Vars, Survivals: c.Clinical.Survivals, Match: c.Match,
		Tissue: c.Tissue, Tumours: len(c.samples(SetTumours))}
	for _, m := range []*Matrix{c.Proteome, c.RNA} {
		if m == nil {
			continue
		}
		mp := MatrixProfile{File: filepath.Base(m.Path), Kind: m.Kind, Features: len(m.Features), Samples: len(m.Samples),
			MissingFrac: float64(m.Missing) / float64(len(m.Features)*len(m.Samples)), ZeroVariance: []string{}}
		for i, row := range m.Values {
			var obs []float64
			for _, v := range row {
				if !math.IsNaN(v) {
					obs = append(obs, v)
				}
			}
			if len(obs)*2 < len(row) {
				mp.Sparse++
			}
			if len(obs) == 0 || constant(obs) {
				mp.ZeroVariance = append(mp.ZeroVariance, m.Features[i])
			}
		}
		p.Matrices = append(p.Matrices, mp)
	}
	if c.Mutations != nil {
		mp := &MutationProf{File: filepath.Base(c.Mutations.Path), Rows: c.Mutations.Rows, Silent: c.Mutations.Silent, Genes: map[string]int{}}
		for g, s := range c.Mutations.Mutated {
			mp.Genes[g] = len(s)
		}
		p.Mutations = mp
	}
	return p
}
