package proteus

import (
	"path/filepath"
	"testing"
)

func TestTheGraphRoundTripsThroughJSONAndAnswersQueries(t *testing.T) {
	g := NewGraph()
	d := g.AddProcess(KindDirection, map[string]string{"triple": "protein:* differential_abundance clinical:tumor_vs_normal"})
	c := g.AddProcess(KindCall, map[string]string{"tool": "welch_t"})
	g.AddEdge(&Edge{Source: d.ID, Target: c.ID, Relation: "ran"})
	g.AddEdge(&Edge{Source: "protein:A", Target: "clinical:tumor_vs_normal", Relation: "differential_abundance", Test: "welch_t", P: 1e-6, Q: 1e-4, Cohort: "x", Role: "primary", Call: c.ID})
	g.AddEdge(&Edge{Source: "protein:B", Target: "clinical:tumor_vs_normal", Relation: "differential_abundance", Test: "welch_t", P: 0.2, Q: 0.3, Cohort: "x", Role: "primary", Call: c.ID})
	path := filepath.Join(t.TempDir(), "graph.json")
	if err := g.Save(path); err != nil {
		t.Fatal(err)
	}
	h, err := LoadGraph(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Nodes) != len(g.Nodes) || len(h.Edges) != 3 || h.Get("protein:A").Kind != KindProtein {
		t.Fatalf("loaded %d nodes, %d edges", len(h.Nodes), len(h.Edges))
	}
	cases := []struct {
		name string
		q    Query
		want int
	}{
		{"all evidence touching the tissue node", Query{Node: "clinical:tumor_vs_normal"}, 2},
		{"significant only", Query{Relation: "differential_abundance", MaxQ: 0.05}, 1},
		{"another cohort", Query{Cohort: "y"}, 0},
		{"process edges by relation", Query{Relation: "ran"}, 1},
	}
	for _, c := range cases {
		if got := h.Find(c.q); len(got) != c.want {
			t.Errorf("%s: %d edges, want %d", c.name, len(got), c.want)
		}
	}
	e := h.AddEdge(&Edge{Source: "protein:C", Target: "protein:D", Relation: "correlation"})
	p := h.AddProcess(KindCall, nil)
	for _, old := range g.Edges {
		if old.ID == e.ID {
			t.Fatalf("new edge id %s collides after loading", e.ID)
		}
	}
	if g.Get(p.ID) != nil {
		t.Fatalf("new process id %s collides after loading", p.ID)
	}
}
