package proteus

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func FuzzReadMatrix(f *testing.F) {
	f.Add("gene\tS1\tS2\nA\t1.5\tNA\nB\t2\t3\n")
	f.Add("gene,S1\nA,x\n")
	f.Add("gene\tS1\tS1\nA\t1\t2\n")
	f.Fuzz(func(t *testing.T, body string) {
		path := filepath.Join(t.TempDir(), "m.tsv")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := ReadMatrix(path, "protein")
		if err != nil {
			return
		}
		for i, row := range m.Values {
			if len(row) != len(m.Samples) {
				t.Fatalf("row %d has %d values for %d samples", i, len(row), len(m.Samples))
			}
			for _, v := range row {
				if math.IsInf(v, 0) {
					t.Fatal("an infinite value was accepted")
				}
			}
		}
	})
}

func FuzzReadClinical(f *testing.F) {
	f.Add(goodClinical)
	f.Add("sample_id\tos_time\tos_event\nA\t-1\t1\n")
	f.Fuzz(func(t *testing.T, body string) {
		path := filepath.Join(t.TempDir(), "clinical.tsv")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := ReadClinical(path)
		if err != nil {
			return
		}
		for _, s := range c.Survivals {
			for i, tm := range s.Time {
				if tm < 0 || (s.Event[i] != -1 && s.Event[i] != 0 && s.Event[i] != 1) {
					t.Fatalf("accepted time %v event %d", tm, s.Event[i])
				}
			}
		}
	})
}
