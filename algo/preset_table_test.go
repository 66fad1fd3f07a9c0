package algo

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestPresetTableListsEverySettingAndPaper(t *testing.T) {
	var buf bytes.Buffer
	if err := WritePresetTable(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, p := range Presets() {
		for _, want := range []string{p.Name, p.Paper, p.Summary} {
			if !strings.Contains(out, want) {
				t.Errorf("preset table lacks %q", want)
			}
		}
	}
	for _, label := range []string{"advantage", "loss", "aggregation", "kl", "entropy", "reward", "batch", "optimiser", "sampling", "critic"} {
		if !strings.Contains(out, "  "+label) {
			t.Errorf("preset table lacks the %s row", label)
		}
	}
}

func TestKLInRewardSubtractsTheMaskedPenalty(t *testing.T) {
	scores := [][]float64{{0, 1}, {0, 0}}
	old := [][]float64{{-1, -2}, {-1, -1}}
	ref := [][]float64{{-1.5, -2}, {-1, -3}}
	mask := [][]float64{{1, 1}, {1, 0}}
	r, kl, err := KLInReward(scores, old, ref, mask, 0.1, KLK1)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{-0.05, 1}, {0, 0}}
	for i := range want {
		for j := range want[i] {
			if math.Abs(r[i][j]-want[i][j]) > 1e-12 {
				t.Errorf("reward[%d][%d] = %v, want %v", i, j, r[i][j], want[i][j])
			}
		}
	}
	if math.Abs(kl-0.125) > 1e-8 {
		t.Errorf("mean sequence kl = %v, want 0.125 ((0.5+0)/2 for row 0, 0 for row 1, averaged)", kl)
	}
	c := AdaptiveKL{Beta: 0.001, Target: 0.1, Horizon: 10000}
	beta, err := c.Update(1.0, 100) // far above target: error clipped to +0.2
	if err != nil || math.Abs(beta-0.001*(1+0.2*100/10000.0)) > 1e-15 {
		t.Errorf("adaptive beta = %v, %v", beta, err)
	}
}
