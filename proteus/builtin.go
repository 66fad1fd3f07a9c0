package proteus

// Builtin is the systematic planner: no LLM. It screens the standard families of analyses, with
// BH control within each family, and proposes the significant relations that the alternative
// (rank or median-split) test also supports:
//
//	<kind>_tumor_vs_normal   each protein / transcript, tumour vs normal (Welch t; Mann–Whitney)
//	<kind>_survival          each feature vs each survival endpoint, tumours (Cox per unit; median-split log-rank)
//	mutation_<kind>          each gene mutated in >= 5 tumours × each feature (Welch t; Mann–Whitney)
//	protein_mrna_trans       each protein × each transcript of another gene (Pearson; Spearman)
//	protein_mrna_cis         same-gene pairs: protein–mRNA concordance, recorded as background
//	<kind>_<variable>        each feature vs each clinical variable (Welch / Spearman / Pearson / Kruskal)
//	clinical_survival        each clinical variable vs each survival endpoint (log-rank or Cox)
//	mutation_survival        each mutated gene vs each survival endpoint (log-rank)
func Builtin(s *Study) {
	c := s.Disc
	feats := func(m *Matrix) []string {
		if m == nil {
			return nil
		}
		out := make([]string, len(m.Features))
		for i, f := range m.Features {
			out[i] = m.Kind + ":" + f
		}
		return out
	}
	kinds := [][]string{}
	for _, m := range []*Matrix{c.Proteome, c.RNA} {
		if m != nil {
			kinds = append(kinds, append([]string{m.Kind}, feats(m)...))
		}
	}
	cross := func(as, bs []string) [][2]string {
		out := make([][2]string, 0, len(as)*len(bs))
		for _, a := range as {
			for _, b := range bs {
				out = append(out, [2]string{a, b})
			}
		}
		return out
	}
	if c.Tissue != "" {
		for _, k := range kinds {
			rel := map[string]string{KindProtein: "differential_abundance", KindMRNA: "differential_expression"}[k[0]]
			s.Screen(k[0]+"_tumor_vs_normal", k[0]+":* "+rel+" clinical:"+c.Tissue, cross(k[1:], []string{"clinical:" + c.Tissue}), false)
		}
	}
	for _, sv := range c.Clinical.Survivals {
		for _, k := range kinds {
			s.Screen(k[0]+"_survival", k[0]+":* survival_association clinical:"+sv.Name, cross(k[1:], []string{"clinical:" + sv.Name}), false)
		}
	}
	genes := s.mutatedGenes()
	for _, k := range kinds {
		if len(genes) > 0 {
			s.Screen("mutation_"+k[0], "mutation:* mutation_association "+k[0]+":*", cross(genes, k[1:]), false)
		}
	}
	if c.Proteome != nil && c.RNA != nil {
		var trans, cis [][2]string
		for _, p := range c.Proteome.Features {
			for _, r := range c.RNA.Features {
				pair := [2]string{"protein:" + p, "mrna:" + r}
				if p == r {
					cis = append(cis, pair)
				} else {
					trans = append(trans, pair)
				}
			}
		}
		s.Screen("protein_mrna_trans", "protein:* correlation mrna:* (other gene)", trans, false)
		s.Screen("protein_mrna_cis", "protein:G correlation mrna:G (concordance)", cis, true)
	}
	for _, v := range s.clinicalVars() {
		for _, k := range kinds {
			s.Screen(k[0]+"_"+v, k[0]+":* "+v+"_association clinical:"+v, cross(k[1:], []string{"clinical:" + v}), false)
		}
	}
	for _, sv := range c.Clinical.Survivals {
		var pairs [][2]string
		for _, v := range s.clinicalVars() {
			pairs = append(pairs, [2]string{"clinical:" + v, "clinical:" + sv.Name})
		}
		if len(pairs) > 0 {
			s.Screen("clinical_survival", "clinical:* survival_association clinical:"+sv.Name, pairs, false)
		}
		if len(genes) > 0 {
			s.Screen("mutation_survival", "mutation:* survival_association clinical:"+sv.Name, cross(genes, []string{"clinical:" + sv.Name}), false)
		}
	}
}

// mutatedGenes lists mutation entities with at least minPerGroup mutated and wild-type tumours.
func (s *Study) mutatedGenes() []string {
	c := s.Disc
	if c.Mutations == nil {
		return nil
	}
	tumours := c.samples(SetTumours)
	var out []string
	for _, g := range c.Mutations.Genes() {
		n := 0
		for _, t := range tumours {
			if c.Mutations.Mutated[g][t] {
				n++
			}
		}
		if n >= minPerGroup && len(tumours)-n >= minPerGroup {
			out = append(out, "mutation:"+g)
		}
	}
	return out
}

// clinicalVars lists the clinical variables worth screening: not the tissue label, and for
// categorical variables between 2 and 10 levels.
func (s *Study) clinicalVars() []string {
	var out []string
	for _, v := range s.Disc.Clinical.Vars {
		if v.Name == s.Disc.Tissue {
			continue
		}
		if v.Type == Categorical && (len(v.Levels) < 2 || len(v.Levels) > 10) {
			continue
		}
		out = append(out, v.Name)
	}
	return out
}
