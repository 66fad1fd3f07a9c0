package proteus

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Summary is what `ascent proteus --json` prints.
type Summary struct {
	Planner      string          `json:"planner"`                       // "builtin" or "llm"
	Discovery    string          `json:"discovery"`                     // discovery cohort directory
	Validation   string          `json:"validation,omitempty"`          // validation cohort directory, if any
	Hypotheses   int             `json:"hypotheses"`                    // hypotheses written
	Replicated   int             `json:"replicated"`                    // of those, replicated
	NotRepl      int             `json:"not_replicated"`                // of those, re-tested and not replicated
	Families     []*FamilyReport `json:"families"`                      // every family screened
	GraphNodes   int             `json:"graph_nodes"`                   // nodes in graph.json
	GraphEdges   int             `json:"graph_edges"`                   // edges in graph.json
	Seconds      float64         `json:"seconds"`                       // wall time of the run
	Out          string          `json:"out"`                           // output directory
	Calls        int             `json:"llm_calls,omitempty"`           // LLM planner calls (one per round)
	Tokens       int             `json:"llm_tokens,omitempty"`          // LLM planner tokens
	Rejected     int             `json:"rejected_tool_calls,omitempty"` // malformed replies and tool calls rejected
	Judged       int             `json:"judged,omitempty"`              // hypotheses scored by the rubric judge
	BudgetReason string          `json:"budget_end,omitempty"`          // the budget limit that ended the LLM planner ("" if it stopped)
}

// Finish writes hypotheses.jsonl, graph.json and report.md into out and returns the summary;
// val (nil without one) is the cohort Validate ran on.
func (s *Study) Finish(out string, val *Cohort, start time.Time) (*Summary, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	if err := WriteHypotheses(filepath.Join(out, "hypotheses.jsonl"), s.Hypotheses); err != nil {
		return nil, err
	}
	if err := s.Graph.Save(filepath.Join(out, "graph.json")); err != nil {
		return nil, fmt.Errorf("write graph: %w", err)
	}
	if err := s.WriteReport(out, val); err != nil {
		return nil, err
	}
	sum := &Summary{Planner: s.Planner, Discovery: s.Disc.Dir, Hypotheses: len(s.Hypotheses), Families: s.Families,
		GraphNodes: len(s.Graph.Nodes), GraphEdges: len(s.Graph.Edges), Out: out}
	if val != nil {
		sum.Validation = val.Dir
	}
	for _, h := range s.Hypotheses {
		if h.Replicated != nil {
			if *h.Replicated {
				sum.Replicated++
			} else {
				sum.NotRepl++
			}
		}
	}
	sum.Seconds = time.Since(start).Seconds()
	return sum, nil
}
