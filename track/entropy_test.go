package track

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// vectorFile holds the shared entropy-mechanism vectors (law_* cases: R = −a·e^H + b).
const vectorFile = "../../shared/testdata/algos/entropy_dynamics.json"

type lawCase struct {
	Name   string         `json:"name"`
	Params map[string]any `json:"params"`
	Inputs map[string]any `json:"inputs"`
	Expect map[string]any `json:"expected"`
}

func lawCases(t *testing.T) []lawCase {
	t.Helper()
	b, err := os.ReadFile(vectorFile)
	if err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	var f struct {
		Cases []lawCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("parse %s: %v", vectorFile, err)
	}
	var out []lawCase
	for _, c := range f.Cases {
		if strings.HasPrefix(c.Name, "law_") {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no law_* cases", vectorFile)
	}
	return out
}

func TestLawMatchesTheSharedVectors(t *testing.T) {
	for _, c := range lawCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			a, b, h := c.Params["a"].(float64), c.Params["b"].(float64), c.Inputs["H"].(float64)
			if got := LawR(a, b, h); math.Abs(got-c.Expect["R"].(float64)) > 1e-9 {
				t.Fatalf("R(a=%v,b=%v,H=%v) = %v, want %v", a, b, h, got, c.Expect["R"].(float64))
			}
		})
	}
}

// TestFitRecoversTheVectorsLaws fits points generated from each vector's (a, b) (exactly, then
// with noise) and checks a, b, R² and the ceiling b − a, and that the fitted law reproduces the
// vector's expected R at its H.
func TestFitRecoversTheVectorsLaws(t *testing.T) {
	for _, c := range lawCases(t) {
		a, b := c.Params["a"].(float64), c.Params["b"].(float64)
		h0 := c.Inputs["H"].(float64)
		t.Run(c.Name+" exact points give the exact law", func(t *testing.T) {
			var hs, rs []float64
			for h := 0.1; h < 1.6; h += 0.1 {
				hs, rs = append(hs, h), append(rs, LawR(a, b, h))
			}
			fit, err := FitEntropyLaw(hs, rs)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(fit.A-a) > 1e-9 || math.Abs(fit.B-b) > 1e-9 || math.Abs(fit.R2-1) > 1e-9 {
				t.Fatalf("fit a=%v b=%v R²=%v, want a=%v b=%v R²=1", fit.A, fit.B, fit.R2, a, b)
			}
			if math.Abs(fit.Ceiling-(b-a)) > 1e-9 || math.Abs(fit.Predict(h0)-c.Expect["R"].(float64)) > 1e-9 {
				t.Fatalf("ceiling %v (want %v), R(%v) %v (want %v)", fit.Ceiling, b-a, h0, fit.Predict(h0), c.Expect["R"].(float64))
			}
		})
		t.Run(c.Name+" noisy points match the normal-equations reference", func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			var hs, rs []float64
			for i := 0; i < 200; i++ {
				h := 0.05 + 1.5*rng.Float64()
				hs, rs = append(hs, h), append(rs, LawR(a, b, h)+0.005*rng.NormFloat64())
			}
			fit, err := FitEntropyLaw(hs, rs)
			if err != nil {
				t.Fatal(err)
			}
			ra, rb := FitEntropyLawReference(hs, rs)
			if math.Abs(fit.A-ra) > 1e-10 || math.Abs(fit.B-rb) > 1e-10 {
				t.Fatalf("QR fit (%v, %v) != reference (%v, %v)", fit.A, fit.B, ra, rb)
			}
			if math.Abs(fit.A-a) > 0.02 || math.Abs(fit.B-b) > 0.03 || fit.R2 <= 0 || fit.R2 > 1 {
				t.Fatalf("fit a=%v b=%v R²=%v far from a=%v b=%v", fit.A, fit.B, fit.R2, a, b)
			}
		})
	}
}

func TestFitRejectsUnidentifiableInput(t *testing.T) {
	tests := []struct {
		name string
		h, r []float64
		want string
	}{
		{"one point", []float64{1}, []float64{0.5}, "need at least 2"},
		{"equal entropies", []float64{1, 1, 1}, []float64{0.1, 0.2, 0.3}, "all entropies are equal"},
		{"mismatched lengths", []float64{1, 2}, []float64{0.1}, "2 entropies but 1"},
		{"only NaNs", []float64{math.NaN(), 1}, []float64{0.1, math.NaN()}, "0 finite points"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FitEntropyLaw(tt.h, tt.r)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestRunFitPrefersValidationAccuracyThenTrainingAccuracyThenTrainingScore(t *testing.T) {
	var rows []Row
	for s := 1; s <= 20; s++ {
		h := 1.5 - 0.06*float64(s)
		v := map[string]float64{MetricEntropy: h, MetricScoreMean: LawR(0.3, 1.0, h), MetricAccuracy: LawR(0.25, 0.9, h)}
		if s%5 == 0 {
			v[MetricValAccuracy] = LawR(0.2, 0.8, h)
		}
		rows = append(rows, Row{Step: s, Values: v})
	}
	fit, err := FitRunEntropyLaw(rows)
	if err != nil {
		t.Fatal(err)
	}
	if fit.Metric != MetricValAccuracy || fit.N != 4 || math.Abs(fit.A-0.2) > 1e-9 {
		t.Fatalf("fit %+v, want val/accuracy with 4 points and a=0.2", fit)
	}
	for i := range rows {
		delete(rows[i].Values, MetricValAccuracy)
	}
	fit, err = FitRunEntropyLaw(rows)
	if err != nil || fit.Metric != MetricAccuracy || math.Abs(fit.A-0.25) > 1e-9 {
		t.Fatalf("fit %+v (%v), want reward/accuracy with a=0.25", fit, err)
	}
	for i := range rows {
		delete(rows[i].Values, MetricAccuracy)
	}
	fit, err = FitRunEntropyLaw(rows)
	if err != nil || fit.Metric != MetricScoreMean || math.Abs(fit.B-1.0) > 1e-9 {
		t.Fatalf("fit %+v (%v), want critic/score/mean with b=1", fit, err)
	}
	if _, err := FitRunEntropyLaw(rows[:2]); err == nil || !strings.Contains(err.Error(), "need 3") {
		t.Fatalf("err = %v for 2 rows, want 'need 3'", err)
	}
}
