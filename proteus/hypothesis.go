package proteus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ascent-rl/ascent/internal/atomicfile"
)

// Hypothesis is one proposed relation with the statistics behind it. Every number comes from an
// evidence edge of the graph (Evidence lists their ids).
type Hypothesis struct {
	ID         string      `json:"id"`                   // "h<n>"
	EntityA    string      `json:"entity_a"`             // e.g. "protein:DCN"
	Relation   string      `json:"relation"`             // e.g. "differential_abundance"
	EntityB    string      `json:"entity_b"`             // e.g. "clinical:tumor_vs_normal"
	Direction  string      `json:"direction"`            // e.g. "higher_in_tumor"
	Family     string      `json:"family"`               // scan family
	Test       string      `json:"test"`                 // standard test (stats tool)
	StatName   string      `json:"stat_name"`            // what Statistic is
	Statistic  float64     `json:"statistic"`            // its statistic
	EffectName string      `json:"effect_name"`          // what Effect is
	Effect     float64     `json:"effect"`               // effect size
	P          float64     `json:"p"`                    // p-value in the discovery cohort
	Q          float64     `json:"q"`                    // BH q within the family
	N          int         `json:"n"`                    // observations
	Cohort     string      `json:"cohort"`               // discovery cohort
	AltTest    string      `json:"alt_test,omitempty"`   // the alternative (rank or median-split) test
	AltP       float64     `json:"alt_p,omitempty"`      // its p-value
	Replicated *bool       `json:"replicated"`           // null without a validation cohort
	Validation *Validation `json:"validation,omitempty"` // the re-test on the validation cohort
	Evidence   []string    `json:"evidence"`             // evidence edge ids in graph.json
	Planner    string      `json:"planner"`              // "builtin" or "llm"
	Text       string      `json:"text"`                 // one sentence
	Score      *Score      `json:"score,omitempty"`      // the rubric judge's score, when asked
}

// Validation is the re-test of a hypothesis on the independent cohort.
type Validation struct {
	Cohort    string  `json:"cohort"`         // validation cohort name
	Test      string  `json:"test"`           // the same standard test
	Statistic float64 `json:"statistic"`      // its statistic there
	Effect    float64 `json:"effect"`         // its effect there
	P         float64 `json:"p"`              // its p-value there
	Q         float64 `json:"q"`              // BH across the hypotheses re-tested
	N         int     `json:"n"`              // observations there
	Direction string  `json:"direction"`      // the direction observed there
	Edge      string  `json:"edge"`           // the validation evidence edge
	Note      string  `json:"note,omitempty"` // why it could not be re-tested
}

// Score is an open-ended judge's rubric score.
type Score struct {
	Axes  map[string]float64 `json:"axes"`  // axis → score
	Total float64            `json:"total"` // mean over axes
	Judge string             `json:"judge"` // model
}

// sentence writes the hypothesis as one plain sentence.
func (h *Hypothesis) sentence() string {
	return fmt.Sprintf("%s %s %s: %s (%s %s = %.3g, %s = %.3g, p = %.2g, q = %.2g, n = %d, %s).",
		h.EntityA, strings.ReplaceAll(h.Relation, "_", " "), h.EntityB, strings.ReplaceAll(h.Direction, "_", " "),
		h.Test, h.StatName, h.Statistic, h.EffectName, h.Effect, h.P, h.Q, h.N, h.Cohort)
}

// WriteHypotheses writes one JSON object a line, atomically.
func WriteHypotheses(path string, hs []*Hypothesis) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, h := range hs {
		if err := enc.Encode(h); err != nil {
			return fmt.Errorf("hypothesis %s: %w", h.ID, err)
		}
	}
	return atomicfile.WriteFile(path, buf.Bytes(), 0o644)
}
