package algo

import (
	"math"
	"strings"
	"testing"
)

func TestTISWeightsByHand(t *testing.T) {
	ln := func(x float64) float32 { return float32(math.Log(x)) }
	// Trainer/rollout probabilities: ratios 0.5, 1.5, 4 (capped at 2), and an untrained token.
	train := []float32{ln(0.2), ln(0.6), ln(0.8), ln(0.1)}
	roll := []float32{ln(0.4), ln(0.4), ln(0.2), ln(0.9)}
	trained := func(t int) bool { return t < 3 }
	cases := []struct {
		name   string
		cfg    TISConfig
		want   []float64
		capped int
	}{
		{"token level caps each ratio", TISConfig{Cap: 2, Level: "token"}, []float64{0.5, 1.5, 2, 1}, 1},
		{"sequence level: the product 0.5·1.5·4 = 3, capped at 2, on every trained token", TISConfig{Cap: 2, Level: "sequence"}, []float64{2, 2, 2, 1}, 1},
		{"a high cap keeps the product", TISConfig{Cap: 10, Level: "sequence"}, []float64{3, 3, 3, 1}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, c := tc.cfg.TISWeights(train, roll, trained)
			for i := range w {
				if math.Abs(w[i]-tc.want[i]) > 1e-6 {
					t.Fatalf("weights %v, want %v", w, tc.want)
				}
			}
			if c != tc.capped {
				t.Fatalf("capped %d, want %d", c, tc.capped)
			}
		})
	}
}

// Weighting the advantages is verl's pg_losses · w: checked on a toy batch against the clipped
// surrogate written out by hand, token by token.
func TestTISThroughTheAdvantagesIsWeightedPGLoss(t *testing.T) {
	cfg := GRPOPreset()
	cfg.Loss.ClipC = 0
	cfg.Loss.Agg = Aggregation{Mode: TokenMean}
	l, err := NewLoss(cfg.Loss)
	if err != nil {
		t.Fatal(err)
	}
	logp := [][]float64{{-1.0, -0.5, -2.0}, {-0.3, -1.2, -0.7}}
	old := [][]float64{{-1.1, -0.2, -2.5}, {-0.3, -1.0, -0.9}}
	adv := [][]float64{{1, 1, 1}, {-0.5, -0.5, -0.5}}
	mask := [][]float64{{1, 1, 1}, {1, 1, 0}}
	w := [][]float64{{0.9, 2, 1.3}, {1.1, 0.7, 1}}
	scaled := make([][]float64, 2)
	for i := range adv {
		scaled[i] = make([]float64, 3)
		for j := range adv[i] {
			scaled[i][j] = adv[i][j] * w[i][j]
		}
	}
	ref := l.(Reference)
	r, err := ref.Reference(BatchRef{LogProb: logp, OldLogProb: old, Advantages: scaled, Mask: mask})
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := 1-cfg.Loss.ClipLow, 1+cfg.Loss.ClipHigh
	var sum, n float64
	for i := range logp {
		for j := range logp[i] {
			if mask[i][j] == 0 {
				continue
			}
			ratio := math.Exp(logp[i][j] - old[i][j])
			pg := math.Max(-adv[i][j]*ratio, -adv[i][j]*math.Min(math.Max(ratio, lo), hi))
			sum += w[i][j] * pg
			n++
		}
	}
	if math.Abs(r.Loss-sum/n) > 1e-8 { // the token mean divides by N + 1e-8
		t.Fatalf("loss with weighted advantages %.12g, hand-computed Σ w·pg / N %.12g", r.Loss, sum/n)
	}
}

func TestTISConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		cfg  func() Config
		want string
	}{
		{"a negative cap", func() Config { c := GRPOPreset(); c.TIS.Cap = -1; return c }, "tis.cap -1"},
		{"a cap under 1", func() Config { c := GRPOPreset(); c.TIS.Cap = 0.5; return c }, "tis.cap 0.5"},
		{"an unknown level", func() Config { c := GRPOPreset(); c.TIS = TISConfig{Cap: 2, Level: "row"}; return c }, `tis.level "row"`},
		{"with flowrl", func() Config { c, _ := Preset("flowrl"); c.TIS.Cap = 2; return c }, "flowrl"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg().Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	if err := P1Preset().Validate(); err != nil {
		t.Fatalf("the p1 preset: %v", err)
	}
}
