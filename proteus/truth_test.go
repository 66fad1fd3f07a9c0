package proteus

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/internal/testutil"
)

// truthFile is the part of ../shared/data/omics/truth.json the tests read.
type truthFile struct {
	Cohorts map[string]string `json:"cohorts"`
	Effects []truthEffect     `json:"effects"`
	Decoy   truthEffect       `json:"decoy"`
}

type truthEffect struct {
	ID        string `json:"id"`
	EntityA   string `json:"entity_a"`
	Relation  string `json:"relation"`
	EntityB   string `json:"entity_b"`
	Direction string `json:"direction"`
}

func (t truthEffect) key() string {
	return t.EntityA + "|" + t.Relation + "|" + t.EntityB + "|" + t.Direction
}

func hypKey(h *Hypothesis) string {
	return h.EntityA + "|" + h.Relation + "|" + h.EntityB + "|" + h.Direction
}

func TestBuiltinRecoversThePlantedEffectsOfTheSharedPair(t *testing.T) {
	dir := testutil.SharedPath(t, "data", "omics")
	raw, err := os.ReadFile(dir + "/truth.json")
	if err != nil {
		t.Fatal(err)
	}
	var truth truthFile
	if err := json.Unmarshal(raw, &truth); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	disc, err := LoadCohort(dir + "/cohort_a")
	if err != nil {
		t.Fatal(err)
	}
	val, err := LoadCohort(dir + "/cohort_b")
	if err != nil {
		t.Fatal(err)
	}
	s := NewStudy(disc, "builtin")
	Builtin(s)
	s.Validate(val)
	t.Logf("%d hypotheses in %v", len(s.Hypotheses), time.Since(start))
	byKey := map[string]*Hypothesis{}
	for _, h := range s.Hypotheses {
		byKey[hypKey(h)] = h
		rep := h.Replicated != nil && *h.Replicated
		t.Logf("%s %s %s %s q=%.2g alt=%.2g replicated=%v val=%+v", h.EntityA, h.Relation, h.EntityB, h.Direction, h.Q, h.AltP, rep, *h.Validation)
	}
	planted := map[string]bool{}
	for _, e := range truth.Effects {
		planted[e.key()] = true
		h := byKey[e.key()]
		if h == nil {
			t.Errorf("planted %s (%s) not proposed", e.ID, e.key())
			continue
		}
		if h.Replicated == nil || !*h.Replicated {
			t.Errorf("planted %s proposed but not replicated: %+v", e.ID, h.Validation)
		}
	}
	d := byKey[truth.Decoy.key()]
	if d == nil {
		t.Errorf("decoy %s not proposed", truth.Decoy.key())
	} else if *d.Replicated {
		t.Errorf("decoy %s marked replicated", truth.Decoy.key())
	}
	for _, h := range s.Hypotheses {
		if h.Replicated != nil && *h.Replicated && !planted[hypKey(h)] {
			t.Errorf("null relation %s reported as replicated", hypKey(h))
		}
	}
}
