// Package proteusllm is PROTEUS's LLM planner on the agent runtime: each round the model reads
// the graph summary and the results so far, proposes research directions as (entity, relation,
// entity) triples with a tool from the stats registry, and writes hypotheses that cite evidence
// edges. The model never computes a statistic: every number comes from a tool call the planner
// runs and records in the graph. Malformed replies and tool calls are rejected, counted and fed
// back; the run ends when the model stops or the budget does.
//
//	ascent proteus --data DIR --planner llm --endpoint http://127.0.0.1:8000/v1 --model M --out DIR
package proteusllm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ascent-rl/ascent/agent"
	"github.com/ascent-rl/ascent/proteus"
	"github.com/ascent-rl/ascent/stats"
)

// Role is the planner's role name (header "proteus/planner").
const Role = "planner"

// Planner runs the loop.
type Planner struct {
	Session    *agent.Session // client, trace and budget
	Prompts    agent.Prompts  // templates (workflow "proteus")
	MaxResults int            // result lines shown per round (default 40)
}

// Stats counts what happened in a run.
type Stats struct {
	Rounds     int      `json:"rounds"`     // rounds run
	Directions int      `json:"directions"` // directions accepted and run
	Rejected   int      `json:"rejected"`   // malformed replies, tool calls and hypotheses rejected
	Reasons    []string `json:"reasons"`    // why, one line each
	Hypotheses int      `json:"hypotheses"` // hypotheses written from cited evidence
	BudgetEnd  string   `json:"budget_end"` // the limit that ended the run ("" when the model stopped)
}

// reply is what the model is asked to return.
type reply struct {
	Directions []struct {
		EntityA  string `json:"entity_a"`
		Relation string `json:"relation"`
		EntityB  string `json:"entity_b"`
		Tool     string `json:"tool"`
		Why      string `json:"why"`
	} `json:"directions"`
	Hypotheses []struct {
		Evidence  []string `json:"evidence"`
		Statement string   `json:"statement"`
	} `json:"hypotheses"`
	Stop bool `json:"stop"`
}

// parse extracts the JSON object from a reply (a code fence or prose around it is allowed).
func parse(text string) (reply, error) {
	var r reply
	i, j := strings.Index(text, "{"), strings.LastIndex(text, "}")
	if i < 0 || j < i {
		return r, errors.New("the reply holds no JSON object")
	}
	dec := json.NewDecoder(strings.NewReader(text[i : j+1]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return r, fmt.Errorf("the reply is not the requested JSON: %v", err)
	}
	return r, nil
}

// Run explores s (s.Manual is set: only the model proposes) until the model stops or the budget
// ends, and writes the final trace record.
func (p *Planner) Run(ctx context.Context, s *proteus.Study) (Stats, error) {
	s.Manual = true
	if p.MaxResults == 0 {
		p.MaxResults = 40
	}
	var st Stats
	var tools []stats.Tool
	for _, n := range stats.Names() {
		t, _ := stats.Lookup(n)
		tools = append(tools, t)
	}
	sys, err := p.Prompts.Render("planner_system", nil)
	if err != nil {
		return st, err
	}
	var feedback []string
	for round := 1; ; round++ {
		if end := p.Session.Exhausted(round); end != "" {
			st.BudgetEnd = end
			break
		}
		user, err := p.Prompts.Render(Role, map[string]any{"Round": round, "MaxRounds": p.Session.Budget.MaxRounds,
			"Cohort": s.Disc.Name, "Profile": s.Summary(), "Tools": tools, "Results": s.Results(p.MaxResults),
			"Feedback": strings.Join(feedback, "\n")})
		if err != nil {
			return st, err
		}
		feedback = nil
		var parsed reply
		_, perr := p.Session.Call(ctx, Role, round, []agent.Message{{Role: "system", Content: sys}, {Role: "user", Content: user}},
			func(text string) (string, error) {
				r, err := parse(text)
				if err != nil {
					return "", err
				}
				parsed = r
				return fmt.Sprintf("%d directions, %d hypotheses, stop=%v", len(r.Directions), len(r.Hypotheses), r.Stop), nil
			})
		st.Rounds = round
		reject := func(why string) {
			st.Rejected++
			st.Reasons = append(st.Reasons, fmt.Sprintf("round %d: %s", round, why))
			feedback = append(feedback, "- "+why)
		}
		var pe *agent.ParseError
		if errors.As(perr, &pe) {
			reject("malformed reply: " + pe.Err.Error())
			continue
		}
		if perr != nil {
			return st, perr // the call itself failed after its retries
		}
		for _, d := range parsed.Directions {
			if err := p.direction(s, round, d.EntityA, d.Relation, d.EntityB, d.Tool, d.Why); err != nil {
				reject(fmt.Sprintf("direction %s %s %s with %q: %v", d.EntityA, d.Relation, d.EntityB, d.Tool, err))
				continue
			}
			st.Directions++
		}
		for _, h := range parsed.Hypotheses {
			if _, err := s.Propose(h.Evidence, h.Statement); err != nil {
				reject(fmt.Sprintf("hypothesis citing %v: %v", h.Evidence, err))
				continue
			}
			st.Hypotheses++
		}
		if parsed.Stop {
			break
		}
	}
	calls, prompt, completion := p.Session.Client.Usage()
	err = p.Session.Finish(st.BudgetEnd, map[string]any{"directions": st.Directions, "rejected": st.Rejected,
		"hypotheses": st.Hypotheses, "new_calls": calls, "prompt_tokens": prompt, "completion_tokens": completion})
	return st, err
}

// direction checks and runs one proposed direction: a wildcard screens the family with BH
// control; a concrete pair is one test whose q is adjusted with the other single tests.
func (p *Planner) direction(s *proteus.Study, round int, a, rel, b, tool, why string) error {
	if a == "" || b == "" || tool == "" {
		return errors.New("entity_a, entity_b and tool are required")
	}
	if _, err := stats.Lookup(tool); err != nil {
		return err
	}
	pairs, err := s.Expand(a, b)
	if err != nil {
		return err
	}
	if len(pairs) == 0 {
		return errors.New("the direction expands to no pairs")
	}
	an, err := s.Disc.Resolve(pairs[0][0], pairs[0][1])
	if err != nil {
		return err
	}
	if rel != "" && rel != an.Relation {
		return fmt.Errorf("relation %q does not match the analysis of these entities (%s)", rel, an.Relation)
	}
	if !an.Applies(tool) {
		return fmt.Errorf("tool does not apply; applicable: %s", strings.Join(an.Tools, ", "))
	}
	triple := a + " " + an.Relation + " " + b
	d := s.Graph.AddProcess(proteus.KindDirection, map[string]string{"planner": "llm", "triple": triple, "tool": tool,
		"why": why, "round": fmt.Sprint(round)})
	if len(pairs) == 1 && !strings.Contains(a+b, "*") {
		_, err := s.Test(pairs[0][0], pairs[0][1], tool, d.ID)
		return err
	}
	fr := s.ScreenWith("", triple, pairs, false, tool, d.ID)
	if fr.Tests == 0 {
		return fmt.Errorf("no pair could be tested (%d excluded)", fr.Excluded)
	}
	return nil
}
