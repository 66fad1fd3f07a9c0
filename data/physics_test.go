package data

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/model/tokenizer"
)

// physicsGolds reads a physics example's ground truth as the reward does.
func physicsGolds(t *testing.T, truth string) []answer.PhysicsGold {
	t.Helper()
	var raw []struct{ Answer, Unit, Type string }
	if err := json.Unmarshal([]byte(truth), &raw); err != nil {
		t.Fatalf("ground truth %s: %v", truth, err)
	}
	out := make([]answer.PhysicsGold, len(raw))
	for i, g := range raw {
		out[i] = answer.PhysicsGold{Answer: g.Answer, Unit: g.Unit, Type: answer.AnswerType(g.Type)}
	}
	return out
}

func TestPhysicsDemonstrationsEarnFullRewardAndUseTheTinyAlphabet(t *testing.T) {
	for level := 1; level <= 4; level++ {
		task, err := NewTask("physics", level, nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg := task.(*Physics).Config()
		kinds := map[string]bool{}
		for _, split := range []Split{SplitTrain, SplitTest} {
			for i := range 150 {
				ex, err := task.Generate(3, split, i)
				if err != nil {
					t.Fatal(err)
				}
				golds := physicsGolds(t, ex.GroundTruth)
				if len(golds) != cfg.Parts || ex.DataSource != PhysicsDataSource {
					t.Fatalf("%s: %d golds, want %d", ex.ID, len(golds), cfg.Parts)
				}
				if r := answer.GradePhysics(ex.Demonstration, golds, answer.DefaultOptions()); r.Score != 1 || r.Boxes != cfg.Parts {
					t.Fatalf("%s: demonstration %q scores %+v", ex.ID, ex.Demonstration, r)
				}
				// A demonstration with its last answer changed loses exactly one part.
				last := golds[len(golds)-1].Answer
				i := strings.LastIndex(ex.Demonstration, `\boxed{`+last+`}`)
				wrong := ex.Demonstration[:i] + `\boxed{` + last + `1}` + ex.Demonstration[i+len(last)+8:]
				if r := answer.GradePhysics(wrong, golds, answer.DefaultOptions()); r.Score != float64(cfg.Parts-1)/float64(cfg.Parts) {
					t.Fatalf("%s: %q scores %g", ex.ID, wrong, r.Score)
				}
				for _, s := range []string{ex.PromptText, ex.Demonstration} {
					for _, c := range s {
						if !strings.ContainsRune(tokenizer.TaskAlphabet, c) {
							t.Fatalf("%s: %q outside the tiny model's alphabet in %q", ex.ID, c, s)
						}
					}
				}
				kinds[ex.ExtraInfo["kind"].(string)] = true
			}
		}
		if len(kinds) != len(cfg.Kinds) {
			t.Fatalf("level %d: kinds %v, want all of %v", level, kinds, cfg.Kinds)
		}
	}
}

func TestPhysicsSplitsAreDisjointAndDeterministic(t *testing.T) {
	task, err := NewTask("physics", 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	train := map[string]bool{}
	for i := range 500 {
		ex, _ := task.Generate(1, SplitTrain, i)
		again, _ := task.Generate(1, SplitTrain, i)
		if ex.PromptText != again.PromptText || ex.GroundTruth != again.GroundTruth {
			t.Fatalf("index %d is not reproducible", i)
		}
		train[ex.PromptText] = true
	}
	for i := range 200 {
		ex, err := task.Generate(1, SplitTest, i)
		if err != nil {
			t.Fatal(err)
		}
		if train[ex.PromptText] {
			t.Fatalf("held-out problem %q is in the train split", ex.PromptText)
		}
	}
}

func TestPhysicsConfigErrors(t *testing.T) {
	cases := []struct {
		name      string
		level     int
		overrides map[string]any
		want      string
	}{
		{"an unknown kind lists the known ones", 1, map[string]any{"kinds": []string{"quantum"}}, "known: circuit"},
		{"too many parts", 1, map[string]any{"parts": 4}, "parts = 4"},
		{"an unknown field", 1, map[string]any{"colour": 1}, "colour"},
		{"a level out of range", 5, nil, "out of range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewTask("physics", c.level, c.overrides)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}
