package ee

import (
	"sort"
)

// Vote is one annotator's events for one sentence.
type Vote struct {
	ID        string  `json:"id"`
	Annotator string  `json:"annotator"`
	Events    []Event `json:"events"`
}

// Unresolved is a disagreement that the majority cannot settle and that needs a re-vote: a
// trigger span that two or more annotators marked with no type reaching two votes (Kind "type",
// Votes by annotator, null for one who did not mark the span), or, in a kept event, an argument
// span that two or more of the event's annotators gave with no role reaching two votes (Kind
// "role", Votes over the event's annotators).
type Unresolved struct {
	Kind     string             `json:"kind"`
	Type     string             `json:"type,omitempty"`
	Trigger  Span               `json:"trigger"`
	Argument *Span              `json:"argument,omitempty"`
	Votes    map[string]*string `json:"votes"`
}

// Majority is one sentence's vote outcome.
type Majority struct {
	ID         string       `json:"id"`
	Events     []Event      `json:"events"`
	Unresolved []Unresolved `json:"unresolved"`
}

type spanKey struct{ start, end int }
type eventKey struct {
	start, end int
	typ        string
}

// MajorityVote applies the rule of ../shared/data/ee/README.md to one sentence's votes: an event
// (trigger span + type) is kept when at least 2 annotators give it (an annotator's duplicates
// count once); a kept event's argument (span + role) is kept when at least 2 of the annotators who
// gave the event give it. Ties that a re-vote must settle are returned as Unresolved (see its
// doc). Events and arguments come out in canonical order.
func MajorityVote(id string, votes []Vote) Majority {
	annotators := []string{}
	byAnn := map[string][]Event{}
	for _, v := range votes {
		if _, ok := byAnn[v.Annotator]; !ok {
			annotators = append(annotators, v.Annotator)
		}
		byAnn[v.Annotator] = append(byAnn[v.Annotator], v.Events...)
	}
	sort.Strings(annotators)
	evVotes := map[eventKey]map[string]Event{} // key → annotator → their event (first one)
	spanTypes := map[spanKey]map[string]string{}
	spanText := map[spanKey]string{}
	for _, a := range annotators {
		for _, e := range byAnn[a] {
			k := eventKey{e.Trigger.Start, e.Trigger.End, e.Type}
			if evVotes[k] == nil {
				evVotes[k] = map[string]Event{}
			}
			if _, dup := evVotes[k][a]; !dup {
				evVotes[k][a] = e
			}
			sk := spanKey{e.Trigger.Start, e.Trigger.End}
			if spanTypes[sk] == nil {
				spanTypes[sk] = map[string]string{}
			}
			if _, dup := spanTypes[sk][a]; !dup {
				spanTypes[sk][a] = e.Type
			}
			spanText[sk] = e.Trigger.Text
		}
	}
	out := Majority{ID: id, Events: []Event{}, Unresolved: []Unresolved{}}
	keptSpan := map[spanKey]bool{}
	var keys []eventKey
	for k, anns := range evVotes {
		if len(anns) >= 2 {
			keys = append(keys, k)
			keptSpan[spanKey{k.start, k.end}] = true
		}
	}
	sort.Slice(keys, func(i, j int) bool { return lessEventKey(keys[i], keys[j]) })
	var spans []spanKey
	for sk, types := range spanTypes {
		if len(types) >= 2 && !keptSpan[sk] {
			spans = append(spans, sk)
		}
	}
	sort.Slice(spans, func(i, j int) bool { return lessSpan(spans[i], spans[j]) })
	for _, sk := range spans {
		u := Unresolved{Kind: "type", Trigger: Span{Text: spanText[sk], Start: sk.start, End: sk.end}, Votes: map[string]*string{}}
		for _, a := range annotators {
			u.Votes[a] = optional(spanTypes[sk], a)
		}
		out.Unresolved = append(out.Unresolved, u)
	}
	for _, k := range keys {
		ev, unresolved := keepArguments(k, evVotes[k])
		out.Events = append(out.Events, ev)
		out.Unresolved = append(out.Unresolved, unresolved...)
	}
	SortEvents(out.Events)
	return out
}

// keepArguments builds a kept event from its annotators' versions.
func keepArguments(k eventKey, byAnn map[string]Event) (Event, []Unresolved) {
	anns := make([]string, 0, len(byAnn))
	for a := range byAnn {
		anns = append(anns, a)
	}
	sort.Strings(anns)
	type argKey struct {
		start, end int
		role       string
	}
	argVotes := map[argKey]map[string]bool{}
	argText := map[spanKey]string{}
	spanRoles := map[spanKey]map[string]string{}
	for _, a := range anns {
		for _, g := range byAnn[a].Arguments {
			ak := argKey{g.Start, g.End, g.Role}
			if argVotes[ak] == nil {
				argVotes[ak] = map[string]bool{}
			}
			argVotes[ak][a] = true
			sk := spanKey{g.Start, g.End}
			argText[sk] = g.Text
			if spanRoles[sk] == nil {
				spanRoles[sk] = map[string]string{}
			}
			if _, dup := spanRoles[sk][a]; !dup {
				spanRoles[sk][a] = g.Role
			}
		}
	}
	first := byAnn[anns[0]]
	ev := Event{Type: k.typ, Trigger: first.Trigger, Arguments: []Argument{}}
	keptSpan := map[spanKey]bool{}
	for ak, voters := range argVotes {
		if len(voters) >= 2 {
			sk := spanKey{ak.start, ak.end}
			ev.Arguments = append(ev.Arguments, Argument{Role: ak.role, Text: argText[sk], Start: ak.start, End: ak.end})
			keptSpan[sk] = true
		}
	}
	var spans []spanKey
	for sk, roles := range spanRoles {
		counts := map[string]int{}
		top := 0
		for _, r := range roles {
			counts[r]++
			top = max(top, counts[r])
		}
		if len(roles) >= 2 && top < 2 {
			spans = append(spans, sk)
		}
	}
	sort.Slice(spans, func(i, j int) bool { return lessSpan(spans[i], spans[j]) })
	var un []Unresolved
	for _, sk := range spans {
		u := Unresolved{Kind: "role", Type: k.typ, Trigger: ev.Trigger,
			Argument: &Span{Text: argText[sk], Start: sk.start, End: sk.end}, Votes: map[string]*string{}}
		for _, a := range anns {
			u.Votes[a] = optional(spanRoles[sk], a)
		}
		un = append(un, u)
	}
	return ev, un
}

func optional(m map[string]string, k string) *string {
	if v, ok := m[k]; ok {
		return &v
	}
	return nil
}

func lessSpan(a, b spanKey) bool {
	if a.start != b.start {
		return a.start < b.start
	}
	return a.end < b.end
}

func lessEventKey(a, b eventKey) bool {
	if a.start != b.start {
		return a.start < b.start
	}
	if a.end != b.end {
		return a.end < b.end
	}
	return a.typ < b.typ
}
