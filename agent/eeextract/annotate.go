package eeextract

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ascent-rl/ascent/agent"
	"github.com/ascent-rl/ascent/ee"
)

// Roles of the annotation calls (headers "<workflow>/refine", "/recheck" and "/escalate").
const (
	RoleRefine   = "refine"
	RoleRecheck  = "recheck"
	RoleEscalate = "escalate"
)

// AnnotateWorkflow names the embedded templates of the annotation calls (agent/prompts/eemt).
const AnnotateWorkflow = "eemt"

// NoneOfThese is the last option of every type-refinement question.
const NoneOfThese = "none of these"

// Annotator is one voter: a name ("a1") and an extractor on its own endpoint, model and persona.
type Annotator struct {
	Name      string     // its name in votes.jsonl
	Extractor *Extractor // its session, candidate recall, partitions and persona
}

// Collab is EEMT's collaborative annotation: every annotator extracts; trigger spans whose type no
// majority agrees on are re-voted as a multiple-choice question (the voted types and "none of
// these") put to every annotator; a re-vote with no majority (e.g. a 3-way split) goes to the
// stronger model when one is configured; each annotator then re-checks its arguments of the kept
// events against the span rules; argument spans whose role no majority agrees on are re-voted the
// same way among the event's annotators; and ee.MajorityVote gives the final annotation.
type Collab struct {
	Annotators []Annotator    // at least 2 (3 for a majority that can break a 1-1 tie)
	Escalate   *agent.Session // the stronger model for strong disagreements (nil: left unresolved)
	Prompts    agent.Prompts  // refine.tmpl and recheck.tmpl (workflow "eemt")
	Ontology   *ee.Ontology   // the event types
	Parallel   int            // sentences annotated at once (default 2)
}

// Run annotates every sentence (their own events are ignored) and returns the outcomes in input
// order. Once a session's token or wall budget is spent, the remaining sentences are skipped
// (counted, and left out). A call that fails after its retries ends the run; the traces let a rerun resume.
func (c *Collab) Run(ctx context.Context, sents []ee.Sentence) ([]Annotation, AnnotateStats, error) {
	for _, a := range c.Annotators {
		if err := a.Extractor.defaults(); err != nil {
			return nil, AnnotateStats{}, fmt.Errorf("annotator %s: %w", a.Name, err)
		}
	}
	out := make([]Annotation, len(sents))
	var mu sync.Mutex
	var total AnnotateStats
	parallel := c.Parallel
	if parallel == 0 {
		parallel = 2
	}
	err := forEach(ctx, sents, parallel, func(ctx context.Context, i int) error {
		if end := c.exhausted(); end != "" {
			mu.Lock()
			total.Skipped++
			total.BudgetEnd = end
			mu.Unlock()
			return nil
		}
		a, st, err := c.Sentence(ctx, i+1, sents[i])
		mu.Lock()
		defer mu.Unlock()
		out[i] = a
		total.add(st)
		return err
	})
	kept := out[:0]
	for _, a := range out {
		if a.ID != "" {
			kept = append(kept, a)
		}
	}
	return kept, total, err
}

// exhausted returns the budget limit that any annotator's (or the stronger model's) session has
// reached, or "".
func (c *Collab) exhausted() string {
	for _, a := range c.Annotators {
		if end := a.Extractor.Session.Exhausted(1); end != "" {
			return end
		}
	}
	if c.Escalate != nil {
		return c.Escalate.Exhausted(1)
	}
	return ""
}

// prompts returns the templates, workflow "eemt" unless set.
func (c *Collab) prompts() agent.Prompts {
	p := c.Prompts
	if p.Workflow == "" {
		p.Workflow = AnnotateWorkflow
	}
	return p
}

func (s *AnnotateStats) add(o AnnotateStats) {
	s.Sentences += o.Sentences
	s.Extraction.add(o.Extraction)
	s.Ties += o.Ties
	s.RoleTies += o.RoleTies
	s.Revoted += o.Revoted
	s.Escalated += o.Escalated
	s.ByEscalate += o.ByEscalate
	s.Unsettled += o.Unsettled
	s.Rechecks += o.Rechecks
	s.Malformed += o.Malformed
	s.Kept += o.Kept
	s.Unresolved += o.Unresolved
	s.Skipped += o.Skipped
	if o.BudgetEnd != "" {
		s.BudgetEnd = o.BudgetEnd
	}
}

// Resolution is one re-voted tie.
type Resolution struct {
	Kind     string            `json:"kind"`               // "type" (a trigger's type) or "role" (an argument's role)
	Type     string            `json:"type,omitempty"`     // the event type (kind "role")
	Trigger  ee.Span           `json:"trigger"`            // the trigger span
	Argument *ee.Span          `json:"argument,omitempty"` // the argument span (kind "role")
	Options  []string          `json:"options"`            // the choices, "none of these" last
	Answers  map[string]string `json:"answers"`            // annotator → chosen option ("" when unparsable)
	Winner   string            `json:"winner"`             // the settled option ("" when unsettled)
	By       string            `json:"by"`                 // "revote", "escalation" or "" (unsettled)
}

// Annotation is one sentence's outcome.
type Annotation struct {
	ID          string       `json:"id"`          // sentence id
	Text        string       `json:"text"`        // sentence
	Votes       []ee.Vote    `json:"votes"`       // each annotator's events after refinement and re-check
	Majority    ee.Majority  `json:"majority"`    // the final vote (kept events and what is still unresolved)
	Resolutions []Resolution `json:"resolutions"` // the re-voted spans
}

// AnnotateStats count what an annotation run did.
type AnnotateStats struct {
	Sentences  int    `json:"sentences"`             // sentences annotated
	Extraction Stats  `json:"extraction"`            // the annotators' extraction, summed
	Ties       int    `json:"ties"`                  // ties re-voted (trigger types and argument roles)
	RoleTies   int    `json:"role_ties"`             // of which argument roles
	Revoted    int    `json:"revoted"`               // settled by the re-vote's majority
	Escalated  int    `json:"escalated"`             // sent to the stronger model
	ByEscalate int    `json:"settled_by_escalation"` // settled by the stronger model
	Unsettled  int    `json:"unsettled"`             // ties neither settled
	Rechecks   int    `json:"rechecks"`              // re-check calls
	Malformed  int    `json:"malformed"`             // refine, escalate and re-check replies with no usable JSON
	Kept       int    `json:"kept"`                  // events in the final annotation
	Unresolved int    `json:"unresolved"`            // entries left unresolved by the final vote
	Skipped    int    `json:"skipped"`               // sentences not annotated because a budget was spent
	BudgetEnd  string `json:"budget_end"`            // the budget limit reached ("" when none was)
}

// Sentence annotates one sentence; round numbers its calls in the traces.
func (c *Collab) Sentence(ctx context.Context, round int, s ee.Sentence) (Annotation, AnnotateStats, error) {
	if len(c.Annotators) < 2 {
		return Annotation{}, AnnotateStats{}, errors.New("eeextract: collaborative annotation needs at least 2 annotators")
	}
	st := AnnotateStats{Sentences: 1}
	votes := make([]ee.Vote, len(c.Annotators))
	err := c.each(func(i int, a Annotator) (Stats, error) {
		evs, xs, err := a.Extractor.Sentence(ctx, round, s)
		votes[i] = ee.Vote{ID: s.ID, Annotator: a.Name, Events: evs}
		return xs, err
	}, &st)
	if err != nil {
		return Annotation{}, st, err
	}
	out := Annotation{ID: s.ID, Text: s.Text, Resolutions: []Resolution{}}
	if err := c.revote(ctx, round, s, votes, "type", &out, &st); err != nil {
		return Annotation{}, st, err
	}
	type key struct {
		start, end int
		typ        string
	}
	kept := map[key]bool{}
	for _, e := range ee.MajorityVote(s.ID, votes).Events {
		kept[key{e.Trigger.Start, e.Trigger.End, e.Type}] = true
	}
	err = c.each(func(i int, a Annotator) (Stats, error) {
		var xs Stats
		for j, e := range votes[i].Events {
			if !kept[key{e.Trigger.Start, e.Trigger.End, e.Type}] {
				continue
			}
			t := c.Ontology.Lookup(e.Type)
			prompt, err := c.prompts().Render(RoleRecheck, map[string]any{"Persona": a.Extractor.Persona, "Text": s.Text,
				"Type": t, "Trigger": e.Trigger, "Arguments": e.Arguments})
			if err != nil {
				return xs, err
			}
			before := xs.Malformed
			args, err := a.Extractor.parseArgs(ctx, RoleRecheck, round, prompt, s.Text, t, &xs)
			if err != nil {
				return xs, err
			}
			if xs.Malformed == before { // an unusable re-check keeps the annotator's spans
				votes[i].Events[j].Arguments = args
			}
		}
		return xs, nil
	}, &st)
	if err != nil {
		return Annotation{}, st, err
	}
	if err := c.revote(ctx, round, s, votes, "role", &out, &st); err != nil {
		return Annotation{}, st, err
	}
	for i := range votes {
		ee.SortEvents(votes[i].Events)
	}
	out.Votes = votes
	out.Majority = ee.MajorityVote(s.ID, votes)
	st.Kept, st.Unresolved = len(out.Majority.Events), len(out.Majority.Unresolved)
	return out, st, nil
}

// each runs fn for every annotator at once, adding their stats; the re-check calls' counts go to
// Rechecks and Malformed, the extraction's to Extraction.
func (c *Collab) each(fn func(i int, a Annotator) (Stats, error), st *AnnotateStats) error {
	var wg sync.WaitGroup
	stats := make([]Stats, len(c.Annotators))
	errs := make([]error, len(c.Annotators))
	for i, a := range c.Annotators {
		wg.Add(1)
		go func() { defer wg.Done(); stats[i], errs[i] = fn(i, a) }()
	}
	wg.Wait()
	for i, xs := range stats {
		if errs[i] != nil {
			return fmt.Errorf("annotator %s: %w", c.Annotators[i].Name, errs[i])
		}
		if xs.Sentences > 0 {
			st.Extraction.add(xs)
		} else {
			st.Rechecks += xs.Calls
			st.Malformed += xs.Malformed
			st.Extraction.Drops = st.Extraction.Drops.Add(xs.Drops)
		}
	}
	return nil
}
