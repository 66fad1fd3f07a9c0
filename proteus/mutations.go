package proteus

import (
	"fmt"
	"sort"
	"strings"
)

// Mutations is a long-format mutation table: one row per variant (sample, gene, class).
type Mutations struct {
	Path    string                     // file
	Mutated map[string]map[string]bool // gene → samples with at least one non-silent variant
	Samples map[string]bool            // every sample that appears in the table
	Rows    int                        // variant rows read
	Silent  int                        // rows skipped as silent
}

// silentClasses are the variant classes that do not count as a mutation.
var silentClasses = map[string]bool{"silent": true, "synonymous": true, "synonymous_variant": true, "3'utr": true, "5'utr": true, "intron": true, "igr": true, "rna": true, "3'flank": true, "5'flank": true}

// Genes returns the genes with at least one mutated sample, sorted.
func (m *Mutations) Genes() []string {
	var g []string
	for k := range m.Mutated {
		g = append(g, k)
	}
	sort.Strings(g)
	return g
}

// ReadMutations reads a table with columns sample_id (or Tumor_Sample_Barcode), gene (or
// Hugo_Symbol) and optionally variant_class (or Variant_Classification). Errors name the file,
// line and column.
func ReadMutations(path string) (*Mutations, error) {
	header, rows, lines, err := readTable(path)
	if err != nil {
		return nil, err
	}
	col := func(names ...string) int {
		for j, h := range header {
			for _, n := range names {
				if strings.EqualFold(h, n) {
					return j
				}
			}
		}
		return -1
	}
	si := col("sample_id", "sample", "tumor_sample_barcode")
	gi := col("gene", "hugo_symbol", "symbol")
	ci := col("variant_class", "variant_classification", "class", "consequence")
	if si < 0 || gi < 0 {
		return nil, fmt.Errorf("%s:1: a mutation table needs a sample_id and a gene column (header: %s)", path, strings.Join(header, ", "))
	}
	m := &Mutations{Path: path, Mutated: map[string]map[string]bool{}, Samples: map[string]bool{}}
	for r, row := range rows {
		s, g := row[si], row[gi]
		if s == "" || g == "" {
			return nil, fmt.Errorf("%s:%d: empty %s", path, lines[r], map[bool]string{true: "sample_id", false: "gene"}[s == ""])
		}
		m.Rows++
		m.Samples[s] = true
		if ci >= 0 && silentClasses[strings.ToLower(row[ci])] {
			m.Silent++
			continue
		}
		if m.Mutated[g] == nil {
			m.Mutated[g] = map[string]bool{}
		}
		m.Mutated[g][s] = true
	}
	return m, nil
}
