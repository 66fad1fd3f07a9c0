// Package eeextract is LLM-PEE's two-stage event extraction and EEMT's collaborative annotation
// on the agent runtime. Per sentence, BM25 recalls the top-k candidate types, a partitioner splits
// them into short prompts, and per partition the model detects triggers with their type among the
// partition's candidates ("detect"); each detected trigger then gets an argument-extraction call
// with its type's roles ("arguments"). Replies are parsed by ee.ParseReply / ee.ParseArguments:
// spans are located in the sentence, and whatever cannot be located is counted and dropped, never
// guessed. Results are unioned across partitions.
//
//	ascent ee extract --ontology O --data D --endpoint URL --model M --k 20 --partition level --size 5 --out DIR
//	ascent ee annotate --ontology O --data D --annotator URL,MODEL[,PERSONA] ... [--escalate URL,MODEL] --out DIR
package eeextract

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/ascent-rl/ascent/agent"
	"github.com/ascent-rl/ascent/ee"
)

// Roles of the extraction calls (headers "<workflow>/detect" and "<workflow>/arguments").
const (
	RoleDetect    = "detect"
	RoleArguments = "arguments"
)

// PromptWorkflow names the embedded templates of the extraction calls (agent/prompts/llmpee).
const PromptWorkflow = "llmpee"

// Extractor runs the two-stage extraction through one session.
type Extractor struct {
	Session   *agent.Session // client, trace and budget
	Prompts   agent.Prompts  // templates detect.tmpl and arguments.tmpl (workflow "llmpee")
	Ontology  *ee.Ontology   // the event types
	Index     *ee.Index      // BM25 over the ontology
	K         int            // candidate types recalled per sentence (default 20)
	Partition ee.Partitioner // how candidates are split into prompts (default level)
	Size      int            // candidate types per prompt (default 5)
	Seed      uint64         // seed of the random partitioner (sentence i uses Seed+i)
	Persona   string         // optional instruction put first in every prompt (an annotator's persona)
}

// Stats count what an extraction run did.
type Stats struct {
	Sentences  int      `json:"sentences"`  // sentences extracted
	Calls      int      `json:"calls"`      // detect + arguments calls
	Partitions int      `json:"partitions"` // detect calls (one per partition)
	Detected   int      `json:"detected"`   // distinct events detected (after the union)
	Malformed  int      `json:"malformed"`  // replies with no parsable JSON (their call yields nothing)
	Drops      ee.Drops `json:"drops"`      // triggers and arguments dropped, by reason
	Skipped    int      `json:"skipped"`    // sentences not extracted because the budget was spent
	BudgetEnd  string   `json:"budget_end"` // the budget limit reached ("" when none was)
}

func (s *Stats) add(o Stats) {
	s.Sentences += o.Sentences
	s.Calls += o.Calls
	s.Partitions += o.Partitions
	s.Detected += o.Detected
	s.Malformed += o.Malformed
	s.Drops = s.Drops.Add(o.Drops)
	s.Skipped += o.Skipped
	if o.BudgetEnd != "" {
		s.BudgetEnd = o.BudgetEnd
	}
}

// typeView is a type as the detect prompt shows it.
type typeView struct {
	Name, Definition, Examples string
}

func (x *Extractor) defaults() error {
	if x.Session == nil || x.Ontology == nil {
		return errors.New("eeextract: an Extractor needs a Session and an Ontology")
	}
	if x.Index == nil {
		x.Index = ee.NewIndex(x.Ontology)
	}
	if x.K <= 0 {
		x.K = 20
	}
	if x.Size <= 0 {
		x.Size = 5
	}
	if x.Partition == nil {
		x.Partition, _ = ee.LookupPartitioner("level")
	}
	if x.Prompts.Workflow == "" {
		x.Prompts.Workflow = PromptWorkflow
	}
	return nil
}

// Run extracts every sentence (their own events are ignored), at most the client's concurrency at
// once, and returns the predictions in input order. Once the session's token or wall budget is
// spent, the remaining sentences are skipped (counted, and left out of the predictions). A call that fails after its retries ends the
// run with the error; the trace lets a rerun resume without repeating finished calls.
func (x *Extractor) Run(ctx context.Context, sents []ee.Sentence) ([]ee.Sentence, Stats, error) {
	if err := x.defaults(); err != nil {
		return nil, Stats{}, err
	}
	out := make([]ee.Sentence, len(sents))
	var mu sync.Mutex
	var total Stats
	done := make([]bool, len(sents))
	err := forEach(ctx, sents, x.Session.Client.Config().Concurrency, func(ctx context.Context, i int) error {
		if end := x.Session.Exhausted(1); end != "" {
			mu.Lock()
			total.Skipped++
			total.BudgetEnd = end
			mu.Unlock()
			return nil
		}
		evs, st, err := x.Sentence(ctx, i+1, sents[i])
		mu.Lock()
		defer mu.Unlock()
		out[i] = ee.Sentence{ID: sents[i].ID, Text: sents[i].Text, Events: evs}
		done[i] = err == nil
		total.add(st)
		return err
	})
	kept := out[:0]
	for i, s := range out {
		if done[i] {
			kept = append(kept, s)
		}
	}
	return kept, total, err
}

// forEach runs fn for every sentence, parallel at once, and returns the first error (naming the
// sentence), cancelling the others.
func forEach(ctx context.Context, sents []ee.Sentence, parallel int, fn func(ctx context.Context, i int) error) error {
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, max(parallel, 1))
	for i := range sents {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := fn(ctx, i); err != nil {
				mu.Lock()
				if first == nil {
					first = fmt.Errorf("eeextract: sentence %s: %w", sents[i].ID, err)
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

// Sentence extracts one sentence; round numbers its calls in the trace.
func (x *Extractor) Sentence(ctx context.Context, round int, s ee.Sentence) ([]ee.Event, Stats, error) {
	if err := x.defaults(); err != nil {
		return nil, Stats{}, err
	}
	st := Stats{Sentences: 1}
	cands := x.Index.TopK(s.Text, x.K)
	groups := x.Partition(cands, x.Size, x.Seed+uint64(round-1))
	type key struct {
		start, end int
		typ        string
	}
	seen := map[key]bool{}
	var events []ee.Event
	for _, g := range groups {
		evs, err := x.detect(ctx, round, s.Text, g, &st)
		if err != nil {
			return nil, st, err
		}
		for _, e := range evs {
			k := key{e.Trigger.Start, e.Trigger.End, e.Type}
			if !seen[k] {
				seen[k] = true
				events = append(events, e)
			}
		}
	}
	st.Detected = len(events)
	for i := range events {
		args, err := x.Arguments(ctx, round, s.Text, events[i], &st)
		if err != nil {
			return nil, st, err
		}
		events[i].Arguments = args
	}
	ee.SortEvents(events)
	if events == nil {
		events = []ee.Event{}
	}
	return events, st, nil
}

// detect asks for the triggers of one partition's types.
func (x *Extractor) detect(ctx context.Context, round int, text string, group []ee.Candidate, st *Stats) ([]ee.Event, error) {
	var types []ee.Type
	var views []typeView
	for _, c := range group {
		t := x.Ontology.Lookup(c.Type)
		if t == nil {
			return nil, fmt.Errorf("candidate type %q is not in the ontology", c.Type)
		}
		types = append(types, *t)
		views = append(views, typeView{Name: t.Name, Definition: t.Definition, Examples: strings.Join(t.Examples, ", ")})
	}
	sub, err := ee.NewOntology(types)
	if err != nil {
		return nil, err
	}
	prompt, err := x.Prompts.Render(RoleDetect, map[string]any{"Persona": x.Persona, "Text": text, "Types": views})
	if err != nil {
		return nil, err
	}
	var evs []ee.Event
	var drops ee.Drops
	_, err = x.call(ctx, RoleDetect, round, prompt, st, func(reply string) (string, error) {
		var perr error
		evs, drops, perr = ee.ParseReply(reply, text, sub)
		return fmt.Sprintf("%d triggers, %d dropped", len(evs), drops.Total()), perr
	})
	if err != nil {
		return nil, err
	}
	st.Drops = st.Drops.Add(drops)
	for i := range evs {
		evs[i].Arguments = []ee.Argument{} // the arguments stage fills them
	}
	return evs, nil
}

// Arguments asks for the arguments of one detected event, with its type's roles.
func (x *Extractor) Arguments(ctx context.Context, round int, text string, e ee.Event, st *Stats) ([]ee.Argument, error) {
	t := x.Ontology.Lookup(e.Type)
	if t == nil {
		return nil, fmt.Errorf("event type %q is not in the ontology", e.Type)
	}
	prompt, err := x.Prompts.Render(RoleArguments, map[string]any{"Persona": x.Persona, "Text": text, "Type": t, "Trigger": e.Trigger})
	if err != nil {
		return nil, err
	}
	return x.parseArgs(ctx, RoleArguments, round, prompt, text, t, st)
}

// parseArgs makes one call whose reply is an argument list.
func (x *Extractor) parseArgs(ctx context.Context, role string, round int, prompt, text string, t *ee.Type, st *Stats) ([]ee.Argument, error) {
	var args []ee.Argument
	var drops ee.Drops
	ok, err := x.call(ctx, role, round, prompt, st, func(reply string) (string, error) {
		var perr error
		args, drops, perr = ee.ParseArguments(reply, text, t)
		return fmt.Sprintf("%d arguments, %d dropped", len(args), drops.Total()), perr
	})
	if err != nil || !ok {
		return []ee.Argument{}, err
	}
	st.Drops = st.Drops.Add(drops)
	return args, nil
}

// call makes one call; an unparsable reply is counted in st.Malformed and reported as ok=false
// with no error.
func (x *Extractor) call(ctx context.Context, role string, round int, prompt string, st *Stats, parse func(string) (string, error)) (bool, error) {
	_, err := x.Session.Call(ctx, role, round, []agent.Message{{Role: "user", Content: prompt}}, parse)
	st.Calls++
	if role == RoleDetect {
		st.Partitions++
	}
	var pe *agent.ParseError
	if errors.As(err, &pe) {
		st.Malformed++
		return false, nil
	}
	return err == nil, err
}
