package proteus

import (
	"testing"
)

func TestTheBuiltinPlannerRecoversASyntheticPairsPlantedTruth(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		ps, s, err := RunPair(t.TempDir(), SynthConfig{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %d: %+v", seed, ps)
		if ps.Recovered != ps.Planted {
			for _, h := range s.Hypotheses {
				t.Logf("  %s %s %s %s q=%.2g rep=%v", h.EntityA, h.Relation, h.EntityB, h.Direction, h.Q, *h.Replicated)
			}
			t.Errorf("seed %d: recovered %d of %d planted effects", seed, ps.Recovered, ps.Planted)
		}
		if !ps.DecoyProposed || ps.DecoyRepl {
			t.Errorf("seed %d: decoy proposed %v, replicated %v", seed, ps.DecoyProposed, ps.DecoyRepl)
		}
	}
}

func TestSynthIsDeterministicPerSeed(t *testing.T) {
	a, err := Synth(t.TempDir(), SynthConfig{Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Synth(t.TempDir(), SynthConfig{Seed: 9})
	c, _ := Synth(t.TempDir(), SynthConfig{Seed: 10})
	if a.Effects[0] != b.Effects[0] || a.Decoy != b.Decoy {
		t.Fatal("same seed, different truth")
	}
	if a.Decoy == c.Decoy && a.Effects[0] == c.Effects[0] {
		t.Fatal("different seeds, same truth")
	}
}
