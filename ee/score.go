package ee

import "encoding/json"

// PRF is precision, recall and F1 of one tuple level, with the counts behind them.
type PRF struct {
	P    float64 `json:"p"`
	R    float64 `json:"r"`
	F1   float64 `json:"f1"`
	TP   int     `json:"tp"`
	Pred int     `json:"pred"`
	Gold int     `json:"gold"`
}

// Scores are the four standard levels: trigger identification and classification, argument
// identification and classification.
type Scores struct {
	TI PRF `json:"TI"`
	TC PRF `json:"TC"`
	AI PRF `json:"AI"`
	AC PRF `json:"AC"`
}

// tuple is one scored fact of a sentence, with the sentence id, type and role interned; unused
// fields stay zero.
type tuple struct {
	id, typ, role  int32
	ts, te, as, ae int32
	level          int8 // 0 TI, 1 TC, 2 AI, 3 AC
}

// interner numbers strings from 1 (0 is "none").
type interner map[string]int32

func (in interner) id(s string) int32 {
	if v, ok := in[s]; ok {
		return v
	}
	v := int32(len(in) + 1)
	in[s] = v
	return v
}

// tuples adds a sentence's de-duplicated tuples of every level to set.
func tuples(id int32, evs []Event, names interner, set map[tuple]struct{}) {
	for _, e := range evs {
		ti := tuple{id: id, ts: int32(e.Trigger.Start), te: int32(e.Trigger.End)}
		set[ti] = struct{}{}
		tc := ti
		tc.typ, tc.level = names.id(e.Type), 1
		set[tc] = struct{}{}
		for _, a := range e.Arguments {
			ai := tc
			ai.as, ai.ae, ai.level = int32(a.Start), int32(a.End), 2
			set[ai] = struct{}{}
			ac := ai
			ac.role, ac.level = names.id(a.Role), 3
			set[ac] = struct{}{}
		}
	}
}

// Score compares predictions with gold exactly as ../shared/data/ee/README.md defines it: micro
// over the file, exact offsets, tuples de-duplicated per sentence; the gold ids are the evaluation
// set (a missing prediction is empty, predictions for other ids are ignored).
func Score(gold, pred []Sentence) Scores {
	g := make(map[tuple]struct{}, 8*len(gold))
	ids := make(interner, len(gold))
	names := interner{}
	for _, s := range gold {
		tuples(ids.id(s.ID), s.Events, names, g)
	}
	p := make(map[tuple]struct{}, 8*len(pred))
	for _, s := range pred {
		if id, ok := ids[s.ID]; ok {
			tuples(id, s.Events, names, p)
		}
	}
	var counts [4]PRF
	for t := range g {
		counts[t.level].Gold++
	}
	for t := range p {
		counts[t.level].Pred++
		if _, ok := g[t]; ok {
			counts[t.level].TP++
		}
	}
	for i := range counts {
		c := &counts[i]
		c.P, c.R = ratio(c.TP, c.Pred), ratio(c.TP, c.Gold)
		if c.P+c.R > 0 {
			c.F1 = 2 * c.P * c.R / (c.P + c.R)
		}
	}
	return Scores{TI: counts[0], TC: counts[1], AI: counts[2], AC: counts[3]}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// MarshalJSON writes nil arguments as [].
func (e Event) MarshalJSON() ([]byte, error) {
	type plain Event
	if e.Arguments == nil {
		e.Arguments = []Argument{}
	}
	return json.Marshal(plain(e))
}
