package proteus

import (
	"fmt"
	"path/filepath"
	"time"
)

// PairScore is the built-in planner's score on one synthetic pair.
type PairScore struct {
	Seed          uint64  `json:"seed"`             // generator seed of the pair
	Planted       int     `json:"planted"`          // planted effects
	Recovered     int     `json:"recovered"`        // planted effects proposed and replicated
	Proposed      int     `json:"proposed"`         // hypotheses
	Replicated    int     `json:"replicated"`       // hypotheses replicated
	FalseRepl     int     `json:"false_replicated"` // replicated hypotheses that are not planted
	DecoyProposed bool    `json:"decoy_proposed"`   // the decoy was proposed in discovery
	DecoyRepl     bool    `json:"decoy_replicated"` // the decoy was (wrongly) replicated
	Seconds       float64 `json:"seconds"`          // wall time of load, screen and validation
}

// ScorePair compares a study's hypotheses with the planted truth.
func ScorePair(t *Truth, hs []*Hypothesis) PairScore {
	ps := PairScore{Seed: t.Seed, Planted: len(t.Effects), Proposed: len(hs)}
	planted := map[string]bool{}
	for _, e := range t.Effects {
		planted[e.Key()] = true
	}
	for _, h := range hs {
		key := h.EntityA + "|" + h.Relation + "|" + h.EntityB + "|" + h.Direction
		rep := h.Replicated != nil && *h.Replicated
		if key == t.Decoy.Key() {
			ps.DecoyProposed = true
			ps.DecoyRepl = rep
		}
		if !rep {
			continue
		}
		ps.Replicated++
		if planted[key] {
			ps.Recovered++
		} else {
			ps.FalseRepl++
		}
	}
	return ps
}

// RunPair generates the pair of seed into dir, runs the built-in planner on the discovery cohort
// with validation on the other, and scores it.
func RunPair(dir string, cfg SynthConfig) (PairScore, *Study, error) {
	truth, err := Synth(dir, cfg)
	if err != nil {
		return PairScore{}, nil, err
	}
	start := time.Now()
	disc, err := LoadCohort(filepath.Join(dir, "cohort_a"))
	if err != nil {
		return PairScore{}, nil, fmt.Errorf("seed %d: %w", cfg.Seed, err)
	}
	val, err := LoadCohort(filepath.Join(dir, "cohort_b"))
	if err != nil {
		return PairScore{}, nil, fmt.Errorf("seed %d: %w", cfg.Seed, err)
	}
	s := NewStudy(disc, "builtin")
	Builtin(s)
	s.Validate(val)
	ps := ScorePair(truth, s.Hypotheses)
	ps.Seconds = time.Since(start).Seconds()
	return ps, s, nil
}
