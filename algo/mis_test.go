package algo

import (
	"math"
	"strings"
	"testing"
)

func TestMISWeightsByHand(t *testing.T) {
	ln := func(x float64) float32 { return float32(math.Log(x)) }
	// Ratios 0.5, 1.5, 4, and an untrained token.
	train := []float32{ln(0.2), ln(0.6), ln(0.8), ln(0.1)}
	roll := []float32{ln(0.4), ln(0.4), ln(0.2), ln(0.9)}
	trained := func(t int) bool { return t < 3 }
	cases := []struct {
		name   string
		cfg    MISConfig
		want   []float64
		masked int
	}{
		{"token level masks the ratios outside the band", MISConfig{Low: 0.6, High: 2}, []float64{0, 1.5, 0, 1}, 2},
		{"a wide band keeps every ratio as it is", MISConfig{Low: 0.1, High: 10}, []float64{0.5, 1.5, 4, 1}, 0},
		{"sequence level: the product 3 is outside [0.5, 2], so the sample is masked", MISConfig{Low: 0.5, High: 2, Level: "sequence"}, []float64{0, 0, 0, 1}, 1},
		{"sequence level keeps a product inside the band", MISConfig{Low: 0.5, High: 5, Level: "sequence"}, []float64{3, 3, 3, 1}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, m := tc.cfg.MISWeights(train, roll, trained)
			for i := range w {
				if math.Abs(w[i]-tc.want[i]) > 1e-6 {
					t.Fatalf("weights %v, want %v", w, tc.want)
				}
			}
			if m != tc.masked {
				t.Fatalf("masked %d, want %d", m, tc.masked)
			}
		})
	}
}

func TestMISAndDecoupledConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"low above high", MISConfig{Low: 3, High: 2}.Validate(), "low > high"},
		{"a negative bound", MISConfig{Low: -1, High: 2}.Validate(), "must be ≥ 0"},
		{"high under 1", MISConfig{Low: 0, High: 0.5}.Validate(), "high < 1"},
		{"low over 1", MISConfig{Low: 1.5, High: 2}.Validate(), "low > 1"},
		{"an unknown level", MISConfig{High: 2, Level: "row"}.Validate(), `mis level "row"`},
		{"a decoupled cap under 1", DecoupledConfig{Cap: 0.5}.Validate(), "decoupled cap 0.5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", tc.err, tc.want)
			}
		})
	}
	if err := (MISConfig{Low: 0.5, High: 2}).Validate(); err != nil {
		t.Fatalf("a valid band: %v", err)
	}
}

// AReaL's decoupled objective written out by hand — Σ_t w_t · max(−Â r_t, −Â clip(r_t)) with
// r_t = π_θ/π_prox and w_t = π_prox/π_behav, masked above the cap — equals the clipped loss with
// old = π_prox and advantages scaled by DecoupledConfig.Weights.
func TestDecoupledObjectiveIsTheProximalLossWithBehaviourWeights(t *testing.T) {
	cfg := GRPOPreset()
	cfg.Loss.ClipC = 0
	cfg.Loss.Agg = Aggregation{Mode: TokenMean}
	l, err := NewLoss(cfg.Loss)
	if err != nil {
		t.Fatal(err)
	}
	logp := [][]float64{{-1.0, -0.5, -2.0}, {-0.3, -1.2, -0.7}}  // π_θ
	prox := [][]float64{{-1.1, -0.2, -2.5}, {-0.3, -1.0, -0.9}}  // π_prox, recomputed by the learner
	behav := [][]float64{{-1.3, -0.2, -4.0}, {-0.1, -1.1, -0.9}} // π_behav, the stale sampler's
	adv := [][]float64{{1, 1, 1}, {-0.5, -0.5, -0.5}}
	mask := [][]float64{{1, 1, 1}, {1, 1, 0}}
	dc := DecoupledConfig{Cap: 2}
	scaled := make([][]float64, 2)
	f32 := func(x []float64) []float32 {
		out := make([]float32, len(x))
		for i, v := range x {
			out[i] = float32(v)
		}
		return out
	}
	for i := range adv {
		w, _ := dc.Weights(f32(prox[i]), f32(behav[i]), func(t int) bool { return mask[i][t] > 0 })
		scaled[i] = make([]float64, 3)
		for j := range adv[i] {
			scaled[i][j] = adv[i][j] * w[j]
		}
	}
	r, err := l.(Reference).Reference(BatchRef{LogProb: logp, OldLogProb: prox, Advantages: scaled, Mask: mask})
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := 1-cfg.Loss.ClipLow, 1+cfg.Loss.ClipHigh
	var sum, n float64
	masked := 0
	for i := range logp {
		for j := range logp[i] {
			if mask[i][j] == 0 {
				continue
			}
			n++
			w := math.Exp(prox[i][j] - behav[i][j])
			if w > dc.Cap {
				masked++
				continue // AReaL: behav_mask = behav_imp_weight <= cap
			}
			ratio := math.Exp(logp[i][j] - prox[i][j])
			sum += w * math.Max(-adv[i][j]*ratio, -adv[i][j]*math.Min(math.Max(ratio, lo), hi))
		}
	}
	if masked != 1 {
		t.Fatalf("the toy batch should mask exactly one token (weight e^1.5), masked %d", masked)
	}
	if math.Abs(r.Loss-sum/n) > 1e-6 {
		t.Fatalf("proximal loss with behaviour-weighted advantages %.9g, AReaL's objective by hand %.9g", r.Loss, sum/n)
	}
}
