package eval

import (
	"context"
	"fmt"
	"testing"

	"github.com/ascent-rl/ascent/data"
	"github.com/ascent-rl/ascent/reward"
)

// scriptedModel stands in for a served model (no weights exist here): it answers the arith
// problems it knows right in a set share of its samples, chosen by the sample seed.
type scriptedModel struct {
	answers map[string]string // prompt → gold
	skill   map[string]int    // prompt → right answers out of every 4 seeds
}

func (m scriptedModel) Name() string { return "scripted" }

func (m scriptedModel) Generate(_ context.Context, prompt string, p SamplingParams) (Generation, error) {
	if int(p.Seed%4) < m.skill[prompt] {
		return Generation{Text: `\boxed{` + m.answers[prompt] + `}`}, nil
	}
	return Generation{Text: `\boxed{-1}`}, nil
}

func TestLearnabilityDropsWhatTheModelAlwaysOrNeverSolves(t *testing.T) {
	cfg, _ := data.ArithLevel(1)
	task, err := data.NewArith(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := scriptedModel{answers: map[string]string{}, skill: map[string]int{}}
	var exs []data.Example
	skills := []int{4, 3, 2, 1, 0}
	for i, s := range skills {
		ex, err := task.Generate(1, data.SplitTrain, i)
		if err != nil {
			t.Fatal(err)
		}
		ex.DataSource = reward.AnswerDataSource // the arith task's own data_source is registered by the trainer
		exs = append(exs, ex)
		m.answers[ex.PromptText], m.skill[ex.PromptText] = ex.GroundTruth, s
	}
	cases := []struct {
		name         string
		keepUnsolved bool
		want         []float64 // pass rates of the kept rows, in order
	}{
		{"P1's filter keeps (0, 0.7]", false, []float64{0.5, 0.25}},
		{"keeping the unsolved too", true, []float64{0.5, 0.25, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			kept, rates, err := FilterLearnable(context.Background(), exs, m, LearnabilityOptions{K: 8, MaxPass: 0.7, KeepUnsolved: tc.keepUnsolved, Sampling: SamplingParams{Temperature: 1}})
			if err != nil {
				t.Fatal(err)
			}
			if len(rates) != 5 || rates[0].Rate != 1 || rates[1].Rate != 0.75 || rates[4].Rate != 0 {
				t.Fatalf("rates %+v", rates)
			}
			got := []float64{}
			for _, ex := range kept {
				got = append(got, ex.ExtraInfo["pass_rate"].(float64))
				if ex.ExtraInfo["pass_k"] != 8 {
					t.Errorf("row %s lacks pass_k 8: %v", ex.ID, ex.ExtraInfo)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("kept pass rates %v, want %v", got, tc.want)
			}
		})
	}
	if _, _, err := FilterLearnable(context.Background(), exs, m, LearnabilityOptions{K: 0, MaxPass: 0.7}); err == nil {
		t.Error("k 0 was accepted")
	}
}
