package proteus

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodClinical = "sample_id\tpatient_id\tage\tsex\tstage\ttumor_vs_normal\tos_time_days\tos_event\n" +
	"S1-T\tS1\t50\tMale\tI\tTumor\t100\t1\n" +
	"S2-T\tS2\t61\tFemale\tII\tTumor\t200\t0\n" +
	"S1-N\tS1\t50\tMale\tI\tNormal\t100\t1\n"

const goodMatrix = "gene\tS1-T\tS2-T\tS1-N\nA\t1.5\tNA\t2\nB\t3\t4\t5\n"

func writeCohort(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	base := map[string]string{"clinical.tsv": goodClinical, "proteome.tsv": goodMatrix}
	for k, v := range files {
		base[k] = v
	}
	for name, body := range base {
		if body == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBadInputIsAnErrorNamingFileRowAndColumn(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string // substrings of the error
	}{
		{"a ragged matrix row", map[string]string{"proteome.tsv": "gene\tS1-T\tS2-T\nA\t1\t2\nB\t3\n"}, []string{"proteome.tsv:3", "ragged", "2 fields", "header has 3"}},
		{"a non-numeric matrix cell", map[string]string{"proteome.tsv": "gene\tS1-T\tS2-T\nA\t1\tx1.2\n"}, []string{"proteome.tsv:2", `"S2-T"`, `"x1.2" is not a number`}},
		{"duplicate sample ids in a matrix", map[string]string{"proteome.tsv": "gene\tS1-T\tS1-T\nA\t1\t2\n"}, []string{"proteome.tsv:1", `duplicate sample id "S1-T"`}},
		{"a duplicate feature", map[string]string{"proteome.tsv": "gene\tS1-T\nA\t1\nA\t2\n"}, []string{"proteome.tsv:3", `duplicate feature "A"`}},
		{"duplicate clinical sample ids", map[string]string{"clinical.tsv": goodClinical + "S2-T\tS2\t61\tFemale\tII\tTumor\t200\t0\n"}, []string{"clinical.tsv:5", `"sample_id"`, `duplicate sample id "S2-T"`}},
		{"a negative survival time", map[string]string{"clinical.tsv": strings.Replace(goodClinical, "\t200\t0", "\t-3\t0", 1)}, []string{"clinical.tsv:3", `"os_time_days"`, "negative survival time -3"}},
		{"an event that is not 0/1", map[string]string{"clinical.tsv": strings.Replace(goodClinical, "\t200\t0", "\t200\t2", 1)}, []string{"clinical.tsv:3", `"os_event"`}},
		{"a ragged csv", map[string]string{"proteome.tsv": "", "proteome.csv": "gene,S1-T\nA,1,2\n"}, []string{"proteome.csv:2", "ragged"}},
		{"no clinical table", map[string]string{"clinical.tsv": ""}, []string{"no clinical table"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadCohort(writeCohort(t, c.files))
			if err == nil {
				t.Fatal("loaded without error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestProfilingTypesVariablesAndReportsMatching(t *testing.T) {
	dir := writeCohort(t, map[string]string{"proteome.tsv": "gene\tS1-T\tS2-T\tX9\nA\t1.5\tNA\t2\nB\t3\t3\t3\n"})
	c, err := LoadCohort(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Profile()
	types := map[string]VarType{}
	for _, v := range p.Variables {
		types[v.Name] = v.Type
	}
	if types["sex"] != Categorical || types["stage"] != Ordinal || types["tumor_vs_normal"] != Categorical {
		t.Errorf("types %v", types)
	}
	if len(p.Survivals) != 1 || p.Survivals[0].Name != "overall_survival" || p.Survivals[0].Events != 2 {
		t.Errorf("survival %+v", p.Survivals)
	}
	if c.Tissue != "tumor_vs_normal" || p.Tumours != 2 {
		t.Errorf("tissue %q, tumours %d", c.Tissue, p.Tumours)
	}
	m := p.Matrices[0]
	if m.MissingFrac != 1.0/6 || len(m.ZeroVariance) != 1 || m.ZeroVariance[0] != "B" {
		t.Errorf("matrix profile %+v", m)
	}
	f := p.Match.Files[0]
	if f.Matched != 2 || f.NotInClinical != 1 || f.ClinicalOnly != 1 || p.Match.Unmatched["proteome.tsv"][0] != "X9" {
		t.Errorf("match %+v", p.Match)
	}
}

func TestZeroVarianceFeaturesAreCountedExclusionsNeverNaN(t *testing.T) {
	clin := "sample_id\ttumor_vs_normal\n"
	mat := "gene"
	for i := 0; i < 12; i++ {
		id := fmt.Sprintf("S%d", i)
		clin += id + "\t" + map[bool]string{true: "Tumor", false: "Normal"}[i < 6] + "\n"
		mat += "\t" + id
	}
	mat += "\nFLAT" + strings.Repeat("\t7.5", 12) + "\nVARY"
	for i := 0; i < 12; i++ {
		mat += fmt.Sprintf("\t%d", i*i%7)
	}
	mat += "\nFEW\t1\t2" + strings.Repeat("\tNA", 10) + "\n"
	c, err := LoadCohort(writeCohort(t, map[string]string{"clinical.tsv": clin, "proteome.tsv": mat}))
	if err != nil {
		t.Fatal(err)
	}
	s := NewStudy(c, "builtin")
	var pairs [][2]string
	for _, f := range []string{"FLAT", "VARY", "FEW", "NOPE"} {
		pairs = append(pairs, [2]string{"protein:" + f, "clinical:tumor_vs_normal"})
	}
	fr := s.Screen("protein_tumor_vs_normal", "test", pairs, false)
	if fr.Tests != 1 || fr.Excluded != 3 || fr.Reasons["zero variance"] != 1 || len(fr.Examples) != 3 {
		t.Fatalf("report %+v", fr)
	}
	for i, want := range []string{"protein:FLAT", "protein:FEW", "protein:NOPE is not in"} {
		if !strings.Contains(fr.Examples[i], want) {
			t.Errorf("exclusion %d %q lacks %q", i, fr.Examples[i], want)
		}
	}
}
