package reward

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ascent-rl/ascent/answer"
	"github.com/ascent-rl/ascent/ee"
)

// EventF1DataSource is the data_source of event-extraction rows: the ground truth is the sentence
// with its gold events ({"text": …, "events": [...]} in ../shared/data/ee's schema), or the event
// list alone with the sentence in extra_info "text" (a verl row whose ground truth is the list), the response
// a JSON list of events (spans as text, located in the sentence by ee.ParseReply), and the reward
// tc_weight·F1(TC) + (1 − tc_weight)·F1(AC) of that sentence, tc_weight from the row's extra_info
// (default 0.5). A reply without parsable JSON is StatusUnparsable (score 0); dropped spans are
// counted in the verdict's detail.
const EventF1DataSource = "event_f1"

func init() { Register(EventF1DataSource, EventF1) }

// EventF1 is the event-extraction reward (see EventF1DataSource).
func EventF1(_ context.Context, req Request) Result {
	var gold ee.Sentence
	if strings.HasPrefix(strings.TrimSpace(req.GroundTruth), "[") {
		text, _ := req.ExtraInfo["text"].(string)
		if text == "" {
			return failed(answer.StatusError, "event_f1: a ground truth that is an event list needs the sentence in extra_info.text")
		}
		gold.Text = text
		if err := json.Unmarshal([]byte(req.GroundTruth), &gold.Events); err != nil {
			return failed(answer.StatusError, fmt.Sprintf("event_f1: ground truth is not a list of events: %v", err))
		}
	} else if err := json.Unmarshal([]byte(req.GroundTruth), &gold); err != nil {
		return failed(answer.StatusError, fmt.Sprintf("event_f1: ground truth is not {\"text\", \"events\"}: %v", err))
	}
	if err := gold.Validate(nil); err != nil {
		return failed(answer.StatusError, fmt.Sprintf("event_f1: ground truth: %v", err))
	}
	w := 0.5
	if v, ok := req.ExtraInfo["tc_weight"].(float64); ok {
		if v < 0 || v > 1 {
			return failed(answer.StatusError, fmt.Sprintf("event_f1: extra_info.tc_weight %v is outside [0, 1]", v))
		}
		w = v
	}
	evs, drops, err := ee.ParseReply(req.Solution, gold.Text, nil)
	if err != nil {
		return failed(answer.StatusUnparsable, "event_f1: "+err.Error())
	}
	gold.ID = "x"
	s := ee.Score([]ee.Sentence{gold}, []ee.Sentence{{ID: "x", Events: evs}})
	// A level with nothing to find is right exactly when nothing is predicted (F1's 0/0).
	tc, ac := s.TC.F1, s.AC.F1
	if s.TC.Gold == 0 && s.TC.Pred == 0 {
		tc = 1
	}
	if s.AC.Gold == 0 && s.AC.Pred == 0 {
		ac = 1
	}
	pred, _ := json.Marshal(evs)
	return Result{Score: w*tc + (1-w)*ac, Verdict: answer.Verdict{Status: answer.StatusOK, Correct: tc == 1 && ac == 1,
		Pred: string(pred), Detail: fmt.Sprintf("TC F1 %.3f, AC F1 %.3f, %d spans dropped", tc, ac, drops.Total())}}
}
