package proteus

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Summary is what `ascent proteus --json` prints.
type Summary struct {
	Planner      string          `json:"planner"`
	Discovery    string          `json:"discovery"`
	Validation   string          `json:"validation,omitempty"`
	Hypotheses   int             `json:"hypotheses"`
	Replicated   int             `json:"replicated"`
	NotRepl      int             `json:"not_replicated"`
	Families     []*FamilyReport `json:"families"`
	GraphNodes   int             `json:"graph_nodes"`
	GraphEdges   int             `json:"graph_edges"`
	Seconds      float64         `json:"seconds"`
	Out          string          `json:"out"`
	Calls        int             `json:"llm_calls,omitempty"`
	Tokens       int             `json:"llm_tokens,omitempty"`
	Rejected     int             `json:"rejected_tool_calls,omitempty"`
	Judged       int             `json:"judged,omitempty"`
	BudgetReason string          `json:"budget_end,omitempty"`
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
