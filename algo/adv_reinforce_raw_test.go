package algo

import "testing"

func TestReinforceGivesEachTokenItsRowsScore(t *testing.T) {
	e, err := NewAdvantage(AdvantageConfig{Estimator: "reinforce"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Compute(AdvantageInputs{
		TokenRewards: [][]float64{{0, 0, 1}, {0, 0, 0}, {0, 0.5, 0}},
		Mask:         [][]float64{{1, 1, 1}, {1, 1, 0}, {1, 1, 0}},
		Group:        []string{"a", "a", "b"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{1, 1, 1}, {0, 0, 0}, {0.5, 0.5, 0}}
	for i := range want {
		for j := range want[i] {
			if out.Advantages[i][j] != want[i][j] {
				t.Fatalf("advantages %v, want %v", out.Advantages, want)
			}
		}
	}
}
