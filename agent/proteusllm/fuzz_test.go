package proteusllm

import "testing"

func FuzzParse(f *testing.F) {
	f.Add(`{"directions": [{"entity_a": "protein:*", "entity_b": "clinical:stage", "tool": "spearman"}], "stop": false}`)
	f.Add("```json\n{\"hypotheses\": [{\"evidence\": [\"e1\"]}]}\n```")
	f.Add("no json here }{")
	f.Fuzz(func(t *testing.T, text string) {
		r, err := parse(text)
		if err != nil {
			return
		}
		for _, h := range r.Hypotheses {
			_ = h.Evidence
		}
	})
}

func FuzzParseScore(f *testing.F) {
	f.Add(`{"novelty": 3, "soundness": 4, "evidence": 5, "clarity": 2}`)
	f.Add(`{"novelty": 7}`)
	f.Fuzz(func(t *testing.T, text string) {
		sc, err := parseScore(text, DefaultAxes)
		if err != nil {
			return
		}
		if sc.Total < 1 || sc.Total > 5 || len(sc.Axes) != len(DefaultAxes) {
			t.Fatalf("accepted %+v", sc)
		}
	})
}
