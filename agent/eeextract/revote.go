package eeextract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/ascent-rl/ascent/agent"
	"github.com/ascent-rl/ascent/ee"
)

// revote re-votes the current vote's ties of one kind and applies the winners to votes.
func (c *Collab) revote(ctx context.Context, round int, s ee.Sentence, votes []ee.Vote, kind string, out *Annotation, st *AnnotateStats) error {
	for _, u := range ee.MajorityVote(s.ID, votes).Unresolved {
		if u.Kind != kind {
			continue
		}
		res, err := c.refine(ctx, round, s.Text, u, st)
		if err != nil {
			return err
		}
		out.Resolutions = append(out.Resolutions, res)
		switch {
		case res.Winner == "":
		case kind == "type":
			c.apply(votes, u.Trigger, res.Winner)
		default:
			applyRole(votes, u, res.Winner)
		}
	}
	return nil
}

// option is one choice of a refinement question.
type option struct{ Letter, Name, Definition string }

// refine re-votes one tie as a multiple-choice question — a trigger span's type (kind "type",
// put to every annotator, template refine.tmpl) or a kept event's argument role (kind "role", put
// to the event's annotators, template refine_role.tmpl) — and, when no option wins more than half
// of the answers asked for, puts it to the stronger model.
func (c *Collab) refine(ctx context.Context, round int, text string, u ee.Unresolved, st *AnnotateStats) (Resolution, error) {
	st.Ties++
	tmpl, typ := RoleRefine, c.Ontology.Lookup(u.Type)
	if u.Kind == "role" {
		st.RoleTies++
		tmpl = "refine_role"
	}
	seen := map[string]bool{}
	res := Resolution{Kind: u.Kind, Type: u.Type, Trigger: u.Trigger, Argument: u.Argument, Answers: map[string]string{}}
	for _, v := range u.Votes {
		if v != nil && !seen[*v] {
			seen[*v] = true
			res.Options = append(res.Options, *v)
		}
	}
	sort.Strings(res.Options)
	res.Options = append(res.Options, NoneOfThese)
	var opts []option
	for i, name := range res.Options {
		o := option{Letter: string(rune('A' + i)), Name: name}
		if t := c.Ontology.Lookup(name); u.Kind == "type" && t != nil {
			o.Definition = t.Definition
		}
		for _, r := range roles(typ) {
			if u.Kind == "role" && r.Name == name {
				o.Definition = r.Definition
			}
		}
		opts = append(opts, o)
	}
	ask := func(s *agent.Session, role, persona string) (string, error) {
		prompt, err := c.prompts().Render(tmpl, map[string]any{"Persona": persona, "Text": text, "Trigger": u.Trigger,
			"Type": typ, "Argument": u.Argument, "Options": opts})
		if err != nil {
			return "", err
		}
		var choice string
		_, err = s.Call(ctx, role, round, []agent.Message{{Role: "user", Content: prompt}}, func(reply string) (string, error) {
			var perr error
			choice, perr = parseChoice(reply, opts)
			return choice, perr
		})
		var pe *agent.ParseError
		if errors.As(err, &pe) {
			st.Malformed++
			return "", nil
		}
		return choice, err
	}
	var mu sync.Mutex
	asked := 0
	err := c.each(func(i int, a Annotator) (Stats, error) {
		if _, in := u.Votes[a.Name]; !in && u.Kind == "role" {
			return Stats{}, nil
		}
		choice, err := ask(a.Extractor.Session, RoleRefine, a.Extractor.Persona)
		mu.Lock()
		res.Answers[a.Name] = choice
		asked++
		mu.Unlock()
		return Stats{}, err
	}, st)
	if err != nil {
		return res, err
	}
	counts := map[string]int{}
	for _, ch := range res.Answers {
		if ch != "" {
			counts[ch]++
		}
	}
	for ch, n := range counts {
		if 2*n > asked {
			res.Winner, res.By = ch, "revote"
			st.Revoted++
			return res, nil
		}
	}
	if c.Escalate == nil {
		st.Unsettled++
		return res, nil
	}
	st.Escalated++
	choice, err := ask(c.Escalate, RoleEscalate, "")
	if err != nil {
		return res, fmt.Errorf("escalation: %w", err)
	}
	res.Answers["escalation"] = choice
	if choice == "" {
		st.Unsettled++
		return res, nil
	}
	res.Winner, res.By = choice, "escalation"
	st.ByEscalate++
	return res, nil
}

func roles(t *ee.Type) []ee.Role {
	if t == nil {
		return nil
	}
	return t.Roles
}

// parseChoice reads {"answer": "B"} (a letter or an option's name) from a reply.
func parseChoice(reply string, opts []option) (string, error) {
	i, j := strings.Index(reply, "{"), strings.LastIndex(reply, "}")
	if i < 0 || j < i {
		return "", errors.New(`the reply holds no JSON object {"answer": "letter"}`)
	}
	var v struct {
		Answer string `json:"answer"`
	}
	if err := json.Unmarshal([]byte(reply[i:j+1]), &v); err != nil {
		return "", fmt.Errorf(`the reply is not {"answer": "letter"}: %w`, err)
	}
	a := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v.Answer), "."))
	for _, o := range opts {
		if strings.EqualFold(a, o.Letter) || a == o.Name {
			return o.Name, nil
		}
	}
	return "", fmt.Errorf("answer %q is none of the options A-%s", v.Answer, opts[len(opts)-1].Letter)
}

// apply relabels every annotator's event at span to the winning type (roles outside its schema
// are removed), or removes those events when the winner is "none of these".
func (c *Collab) apply(votes []ee.Vote, span ee.Span, winner string) {
	t := c.Ontology.Lookup(winner)
	for i := range votes {
		var keep []ee.Event
		dup := false
		for _, e := range votes[i].Events {
			if e.Trigger.Start != span.Start || e.Trigger.End != span.End {
				keep = append(keep, e)
				continue
			}
			if t == nil || dup {
				continue
			}
			dup = true
			e.Type = winner
			args := []ee.Argument{}
			for _, a := range e.Arguments {
				if t.HasRole(a.Role) {
					args = append(args, a)
				}
			}
			e.Arguments = args
			keep = append(keep, e)
		}
		if keep == nil {
			keep = []ee.Event{}
		}
		votes[i].Events = keep
	}
}

// applyRole gives the argument span of a kept event the winning role in the version of every
// annotator who gave that span, or removes it there when the winner is "none of these".
func applyRole(votes []ee.Vote, u ee.Unresolved, winner string) {
	for i := range votes {
		for j, e := range votes[i].Events {
			if e.Type != u.Type || e.Trigger.Start != u.Trigger.Start || e.Trigger.End != u.Trigger.End {
				continue
			}
			args, done := []ee.Argument{}, false
			for _, a := range e.Arguments {
				if a.Start != u.Argument.Start || a.End != u.Argument.End {
					args = append(args, a)
				} else if winner != NoneOfThese && !done {
					a.Role, done = winner, true
					args = append(args, a)
				}
			}
			votes[i].Events[j].Arguments = args
		}
	}
}
