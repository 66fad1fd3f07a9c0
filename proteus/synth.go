package proteus

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ascent-rl/ascent/internal/atomicfile"
)

// SynthConfig sizes a synthetic discovery/validation pair. Zero values take the defaults, which
// resemble ../shared/data/omics.
type SynthConfig struct {
	Seed      uint64 // random seed; the same seed gives the same files
	Tumours   int    // tumours in the discovery cohort (default 110; validation gets 10 fewer)
	Normals   int    // matched normals in the discovery cohort (default 22; validation 2 fewer)
	Proteins  int    // proteins, and as many transcripts (default 200); Proteins−25 genes have both
	Mutations int    // driver genes (default 20)
}

func (c *SynthConfig) defaults() {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Tumours, 110)
	def(&c.Normals, 22)
	def(&c.Proteins, 200)
	def(&c.Mutations, 20)
}

// Truth is the planted truth of a synthetic pair, in the vocabulary of ../shared/data/omics/truth.json.
type Truth struct {
	Synthetic bool              `json:"synthetic"` // always true
	Seed      uint64            `json:"seed"`      // the generator seed
	Cohorts   map[string]string `json:"cohorts"`   // cohort name → "discovery" or "validation"
	Effects   []TruthEffect     `json:"effects"`   // planted effects, present in both cohorts
	Decoy     TruthEffect       `json:"decoy"`     // planted in the discovery cohort only
}

// TruthEffect is one planted relation.
type TruthEffect struct {
	ID        string `json:"id"`        // e.g. "tvn1"
	EntityA   string `json:"entity_a"`  // e.g. "protein:G0012"
	Relation  string `json:"relation"`  // truth.json relation word
	EntityB   string `json:"entity_b"`  // e.g. "clinical:tumor_vs_normal"
	Direction string `json:"direction"` // e.g. "higher_in_tumor"
}

// Key identifies the relation and its direction.
func (t TruthEffect) Key() string {
	return t.EntityA + "|" + t.Relation + "|" + t.EntityB + "|" + t.Direction
}

// plan holds the planted entities shared by both cohorts of a pair.
type plan struct {
	cfg                    SynthConfig
	genes                  []string
	protGene, rnaGene      []int // gene index of each protein / transcript
	cis                    []float64
	pBase, pSD, rBase, rSD []float64
	drivers                []string
	freq                   []float64
	tvn                    []int     // tumour-vs-normal proteins
	tvnSign                []float64 // +1 higher in tumour, −1 lower
	surv                   [2]int
	mutGene                int
	mutTargets             []int
	transP, transR         int
	stageP                 int
	decoyP                 int
}

// Synth writes a discovery/validation pair into dir/cohort_a and dir/cohort_b with dir/truth.json.
func Synth(dir string, cfg SynthConfig) (*Truth, error) {
	cfg.defaults()
	if cfg.Proteins < 60 || cfg.Mutations < 2 || cfg.Tumours < 40 || cfg.Normals < 10 {
		return nil, fmt.Errorf("synth: need at least 60 proteins, 2 driver genes, 40 tumours and 10 normals")
	}
	r := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	p := newPlan(cfg, r)
	truth := p.truth()
	for i, name := range []string{"cohort_a", "cohort_b"} {
		if err := p.cohort(filepath.Join(dir, name), name, i == 1, r); err != nil {
			return nil, err
		}
	}
	b, err := json.MarshalIndent(truth, "", " ")
	if err != nil {
		return nil, err
	}
	return truth, atomicfile.WriteFile(filepath.Join(dir, "truth.json"), b, 0o644)
}

func newPlan(cfg SynthConfig, r *rand.Rand) *plan {
	nGenes := cfg.Proteins + 25
	p := &plan{cfg: cfg}
	for g := 0; g < nGenes; g++ {
		p.genes = append(p.genes, fmt.Sprintf("G%04d", g+1))
		p.cis = append(p.cis, 0.25+0.4*r.Float64())
	}
	for i := 0; i < cfg.Proteins; i++ {
		p.protGene = append(p.protGene, i)
		p.pBase, p.pSD = append(p.pBase, 18+12*r.Float64()), append(p.pSD, 0.5+0.7*r.Float64())
	}
	for i := 0; i < cfg.Proteins; i++ { // transcripts
		p.rnaGene = append(p.rnaGene, 25+i)
		p.rBase, p.rSD = append(p.rBase, 2+7*r.Float64()), append(p.rSD, 0.5+r.Float64())
	}
	for d := 0; d < cfg.Mutations; d++ {
		p.drivers = append(p.drivers, fmt.Sprintf("DRV%02d", d+1))
		p.freq = append(p.freq, 0.07+0.13*r.Float64())
	}
	p.mutGene = r.IntN(cfg.Mutations)
	p.freq[p.mutGene] = 0.4
	// distinct proteins for every planted role; the trans protein has no transcript (index < 25)
	p.transP = r.IntN(25)
	p.transR = cfg.Proteins - 1 - r.IntN(25) // gene index >= Proteins: no protein
	perm := r.Perm(cfg.Proteins)
	var pool []int
	for _, i := range perm {
		if i != p.transP {
			pool = append(pool, i)
		}
	}
	p.tvn, pool = pool[:5], pool[5:]
	for range p.tvn {
		p.tvnSign = append(p.tvnSign, []float64{1, -1}[r.IntN(2)])
	}
	p.surv, pool = [2]int{pool[0], pool[1]}, pool[2:]
	p.mutTargets, pool = pool[:3], pool[3:]
	p.stageP, p.decoyP = pool[0], pool[1]
	// Planted proteins do not follow their mRNA, so no planted effect implies an mRNA effect.
	for _, i := range append(append([]int{p.stageP, p.decoyP, p.surv[0], p.surv[1]}, p.tvn...), p.mutTargets...) {
		p.cis[p.protGene[i]] = 0
	}
	return p
}

func (p *plan) truth() *Truth {
	prot := func(i int) string { return "protein:" + p.genes[p.protGene[i]] }
	t := &Truth{Synthetic: true, Seed: p.cfg.Seed, Cohorts: map[string]string{"cohort_a": "discovery", "cohort_b": "validation"}}
	for i, pi := range p.tvn {
		t.Effects = append(t.Effects, TruthEffect{fmt.Sprintf("tvn%d", i+1), prot(pi), "differential_abundance", "clinical:tumor_vs_normal", pick(p.tvnSign[i] > 0, "higher_in_tumor", "lower_in_tumor")})
	}
	for i, pi := range p.surv {
		t.Effects = append(t.Effects, TruthEffect{fmt.Sprintf("surv%d", i+1), prot(pi), "survival_association", "clinical:overall_survival", "worse_survival_when_high"})
	}
	for i, pi := range p.mutTargets {
		t.Effects = append(t.Effects, TruthEffect{fmt.Sprintf("mut%d", i+1), "mutation:" + p.drivers[p.mutGene], "mutation_association", prot(pi), "higher_in_mutated"})
	}
	t.Effects = append(t.Effects, TruthEffect{"corr1", prot(p.transP), "correlation", "mrna:" + p.genes[p.rnaGene[p.transR]], "positive"})
	t.Effects = append(t.Effects, TruthEffect{"stage1", prot(p.stageP), "stage_association", "clinical:stage", "increases_with_stage"})
	t.Decoy = TruthEffect{"decoy1", prot(p.decoyP), "sex_association", "clinical:sex", "higher_in_male"}
	return t
}

// synthSample is one generated sample.
type synthSample struct {
	id, patient, sex, grade, arm, tissue string
	age, stage                           int
	time                                 float64
	event                                int
	prot, rna                            []float64
	muts                                 [][2]string // gene, class
}

func (p *plan) cohort(dir, name string, validation bool, r *rand.Rand) error {
	cfg := p.cfg
	nT, nN := cfg.Tumours, cfg.Normals
	prefix, pOff, rOff := "A", 0.0, 0.0
	if validation {
		nT, nN, prefix, pOff, rOff = nT-10, nN-2, "B", 0.85, -0.3
	}
	var samples []*synthSample
	for i := 0; i < nT; i++ {
		pat := fmt.Sprintf("%s%04d", prefix, i+1)
		base := &synthSample{patient: pat, sex: []string{"Female", "Male"}[r.IntN(2)], age: 40 + r.IntN(50),
			stage: 1 + r.IntN(4), grade: fmt.Sprintf("G%d", 1+r.IntN(3)), arm: []string{"Standard", "Experimental"}[r.IntN(2)]}
		mutated := make([]bool, len(p.drivers))
		for d := range p.drivers {
			if r.Float64() < p.freq[d] {
				mutated[d] = true
			}
		}
		t := p.sample(base, pat+"-T", "Tumor", mutated, validation, pOff, rOff, r)
		samples = append(samples, t)
		if i < nN {
			samples = append(samples, p.sample(base, pat+"-N", "Normal", nil, validation, pOff, rOff, r))
		}
	}
	r.Shuffle(len(samples), func(i, j int) { samples[i], samples[j] = samples[j], samples[i] })
	return p.write(dir, samples)
}

// sample draws one sample's molecular values (and, for a tumour, its survival).
func (p *plan) sample(base *synthSample, id, tissue string, mutated []bool, validation bool, pOff, rOff float64, r *rand.Rand) *synthSample {
	s := *base
	s.id, s.tissue = id, tissue
	cfg := p.cfg
	mz := make([]float64, len(p.genes)) // latent mRNA z per gene
	for g := range mz {
		mz[g] = r.NormFloat64()
	}
	transR := p.rnaGene[p.transR]
	lat := make([]float64, cfg.Proteins)
	for i := range lat {
		g := p.protGene[i]
		c := 0.0
		if g >= 25 { // shared gene: protein follows its mRNA
			c = p.cis[g]
		}
		e := r.NormFloat64()
		lat[i] = c*mz[g] + math.Sqrt(1-c*c)*e
	}
	lat[p.transP] = 0.8*mz[transR] + 0.6*r.NormFloat64()
	// The stage and decoy shifts apply to a patient's normal too, and a normal carries the
	// tumours' mean mutation shift, so no planted effect implies a tumour-vs-normal difference.
	lat[p.stageP] += 0.75 * (float64(s.stage) - 2.5)
	if !validation && s.sex == "Male" {
		lat[p.decoyP] += 1.3
	}
	tumour := tissue == "Tumor"
	if !tumour {
		for k, i := range p.mutTargets {
			lat[i] += p.freq[p.mutGene] * (1.6 + 0.1*float64(k))
		}
	}
	if tumour {
		for k, i := range p.tvn {
			lat[i] += p.tvnSign[k] * (1.6 + 0.2*float64(k))
		}
		if mutated[p.mutGene] {
			for k, i := range p.mutTargets {
				lat[i] += 1.6 + 0.1*float64(k)
			}
		}
		for d, m := range mutated {
			if m {
				classes := []string{"Missense_Mutation", "Nonsense_Mutation", "Frame_Shift_Del", "Splice_Site"}
				s.muts = append(s.muts, [2]string{p.drivers[d], classes[r.IntN(len(classes))]})
			} else if r.Float64() < 0.03 {
				s.muts = append(s.muts, [2]string{p.drivers[d], "Silent"})
			}
		}
		// exponential survival, hazard on the two survival proteins (log HR 1.1 per SD each)
		h := math.Exp(1.1*lat[p.surv[0]]+1.1*lat[p.surv[1]]) / 900
		tt := r.ExpFloat64() / h
		cens := 200 + 2300*r.Float64()
		s.time, s.event = math.Round(math.Min(tt, cens)), 0
		if tt <= cens {
			s.event = 1
		}
		if s.time < 1 {
			s.time = 1
		}
	}
	s.prot = make([]float64, cfg.Proteins)
	for i, z := range lat {
		v := p.pBase[i] + p.pSD[i]*z + pOff
		if r.Float64() < 0.2*(0.5*math.Erfc(z/math.Sqrt2)) { // abundance-dependent missingness, ~10%
			v = math.NaN()
		}
		s.prot[i] = v
	}
	s.rna = make([]float64, cfg.Proteins)
	for i := range s.rna {
		s.rna[i] = p.rBase[i] + p.rSD[i]*mz[p.rnaGene[i]] + rOff
	}
	return &s
}

func (p *plan) write(dir string, samples []*synthSample) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var clin strings.Builder
	clin.WriteString("sample_id\tpatient_id\tage\tsex\tstage\tgrade\ttumor_vs_normal\ttreatment_arm\tos_time_days\tos_event\n")
	roman := []string{"", "I", "II", "III", "IV"}
	for _, s := range samples {
		fmt.Fprintf(&clin, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t", s.id, s.patient, s.age, s.sex, roman[s.stage], s.grade, s.tissue, s.arm)
		if s.tissue == "Tumor" {
			fmt.Fprintf(&clin, "%.0f\t%d\n", s.time, s.event)
		} else {
			clin.WriteString("NA\tNA\n")
		}
	}
	matrix := func(names []string, get func(*synthSample) []float64, format string) string {
		var b strings.Builder
		b.WriteString("gene")
		for _, s := range samples {
			b.WriteString("\t" + s.id)
		}
		b.WriteString("\n")
		for i, n := range names {
			b.WriteString(n)
			for _, s := range samples {
				v := get(s)[i]
				if math.IsNaN(v) {
					b.WriteString("\tNA")
				} else {
					fmt.Fprintf(&b, "\t"+format, v)
				}
			}
			b.WriteString("\n")
		}
		return b.String()
	}
	var pn, rn []string
	for _, g := range p.protGene {
		pn = append(pn, p.genes[g])
	}
	for _, g := range p.rnaGene {
		rn = append(rn, p.genes[g])
	}
	var mut strings.Builder
	mut.WriteString("sample_id\tgene\tvariant_class\n")
	var rows []string
	for _, s := range samples {
		for _, m := range s.muts {
			rows = append(rows, s.id+"\t"+m[0]+"\t"+m[1])
		}
	}
	sort.Strings(rows)
	for _, r := range rows {
		mut.WriteString(r + "\n")
	}
	files := map[string]string{
		"clinical.tsv":      clin.String(),
		"proteome.tsv":      matrix(pn, func(s *synthSample) []float64 { return s.prot }, "%.4f"),
		"transcriptome.tsv": matrix(rn, func(s *synthSample) []float64 { return s.rna }, "%.3f"),
		"mutations.tsv":     mut.String(),
	}
	for name, body := range files {
		if err := atomicfile.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}
