package reward

import (
	"context"
	"math"
	"testing"

	"github.com/ascent-rl/ascent/answer"
)

func TestEventF1ScoresRepliesAgainstTheSentence(t *testing.T) {
	gold := `{"text": "Police arrested Ann in Oslo.", "events": [{"type": "Justice.Arrest", "trigger": {"text": "arrested", "start": 7, "end": 15},
		"arguments": [{"role": "agent", "text": "Police", "start": 0, "end": 6}, {"role": "detainee", "text": "Ann", "start": 16, "end": 19}]}]}`
	empty := `{"text": "Nothing happened.", "events": []}`
	cases := []struct {
		name, truth, reply string
		extra              map[string]any
		score              float64
		status             answer.Status
	}{
		{"a perfect reply", gold, "```json\n[{\"type\": \"Justice.Arrest\", \"trigger\": \"arrested\", \"arguments\": [{\"role\": \"agent\", \"text\": \"Police\"}, {\"role\": \"detainee\", \"text\": \"Ann\"}]}]\n```", nil, 1, answer.StatusOK},
		{"right trigger, one wrong role: TC 1, AC 1/2", gold, `[{"type": "Justice.Arrest", "trigger": "arrested", "arguments": [{"role": "agent", "text": "Police"}, {"role": "place", "text": "Ann"}]}]`, nil, 0.75, answer.StatusOK},
		{"tc_weight 1 scores the trigger alone", gold, `[{"type": "Justice.Arrest", "trigger": "arrested", "arguments": []}]`, map[string]any{"tc_weight": 1.0}, 1, answer.StatusOK},
		{"a span not in the sentence is dropped, not guessed", gold, `{"events": [{"type": "Justice.Arrest", "trigger": "detained", "arguments": []}]}`, nil, 0, answer.StatusOK},
		{"no JSON is unparsable", gold, "I think someone was arrested.", nil, 0, answer.StatusUnparsable},
		{"an empty sentence rewards an empty reply", empty, "[]", nil, 1, answer.StatusOK},
		{"a bad weight is the row's error", gold, "[]", map[string]any{"tc_weight": 2.0}, 0, answer.StatusError},
		{"an event-list ground truth takes the sentence from extra_info", `[{"type": "Justice.Arrest", "trigger": {"text": "arrested", "start": 7, "end": 15}, "arguments": []}]`,
			`[{"type": "Justice.Arrest", "trigger": "arrested", "arguments": []}]`, map[string]any{"text": "Police arrested Ann in Oslo."}, 1, answer.StatusOK},
		{"an event list without the sentence is the row's error", `[]`, `[]`, nil, 0, answer.StatusError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Score(context.Background(), Request{DataSource: EventF1DataSource, Solution: tc.reply, GroundTruth: tc.truth, ExtraInfo: tc.extra})
			if math.Abs(r.Score-tc.score) > 1e-9 || r.Status != tc.status {
				t.Fatalf("score %v status %s (%s), want %v %s", r.Score, r.Status, r.Detail, tc.score, tc.status)
			}
		})
	}
}
