package vla

import (
	"math"
	"testing"
)

// TestEpisodeScaleBalancesAGroupOverItsRows: with the weights, a group's GRPO advantages (which
// sum to zero over its episodes) sum to zero over its rows too, whatever the episodes' lengths.
func TestEpisodeScaleBalancesAGroupOverItsRows(t *testing.T) {
	cases := []struct {
		name string
		lens []int
		adv  []float64
		want []float64
	}{
		{"equal lengths keep weight 1", []int{4, 4, 4, 4}, []float64{1, -1, 1, -1}, []float64{1, 1, 1, 1}},
		{"short success, long failures", []int{4, 8, 8, 8}, []float64{1.5, -0.5, -0.5, -0.5}, []float64{1.75, 0.875, 0.875, 0.875}},
		{"empty episode gets 0", []int{0, 6, 2}, []float64{0, 0.5, -0.5}, []float64{0, 4.0 / 6, 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := episodeScale(c.lens)
			sum := 0.0
			for i, g := range got {
				if math.Abs(g-c.want[i]) > 1e-12 {
					t.Fatalf("episodeScale(%v)[%d] = %g, want %g", c.lens, i, g, c.want[i])
				}
				sum += c.adv[i] * g * float64(c.lens[i])
			}
			if math.Abs(sum) > 1e-12 {
				t.Fatalf("row-summed advantage %g, want 0", sum)
			}
		})
	}
}
