package proteus

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/ascent-rl/ascent/internal/atomicfile"
)

// Node kinds of the entity graph: biological entities, and the research-process records.
const (
	KindProtein   = "protein"
	KindMRNA      = "mrna"
	KindMutation  = "mutation"
	KindClinical  = "clinical"
	KindGroup     = "sample_group"
	KindPathway   = "pathway"
	KindDirection = "direction" // a research direction tried (process)
	KindCall      = "call"      // a tool run (process)
)

// Node is a typed vertex: an entity ("protein:ACTB") or a process record ("direction:d3").
type Node struct {
	ID    string            `json:"id"`              // "type:name"
	Kind  string            `json:"kind"`            // one of the Kind constants
	Name  string            `json:"name"`            // the symbol or variable name
	Attrs map[string]string `json:"attrs,omitempty"` // free-form facts (profiling, planner notes)
}

// Edge is a typed relation. Evidence edges carry a statistical result; process edges link a
// direction to the calls it ran.
type Edge struct {
	ID        string  `json:"id"`                    // "e<n>"
	Source    string  `json:"source"`                // node id (entity_a)
	Target    string  `json:"target"`                // node id (entity_b)
	Relation  string  `json:"relation"`              // truth.json vocabulary, or "ran"/"explores"
	Direction string  `json:"direction,omitempty"`   // e.g. "higher_in_tumor"
	Family    string  `json:"family,omitempty"`      // the scan family, e.g. "protein_tumor_vs_normal"
	Test      string  `json:"test,omitempty"`        // stats tool name
	StatName  string  `json:"stat_name,omitempty"`   // what Statistic is
	Statistic float64 `json:"statistic,omitempty"`   // the test statistic
	EffectOf  string  `json:"effect_name,omitempty"` // what Effect is
	Effect    float64 `json:"effect,omitempty"`      // effect size
	P         float64 `json:"p,omitempty"`           // two-sided p-value
	Q         float64 `json:"q,omitempty"`           // BH q within (family, cohort)
	N         int     `json:"n,omitempty"`           // observations used
	Cohort    string  `json:"cohort,omitempty"`      // cohort name
	Call      string  `json:"call,omitempty"`        // id of the call node that produced it
	Role      string  `json:"role,omitempty"`        // "primary", "alternative" or "validation"
}

// Graph is the entity graph with the research process recorded in it. It is not safe for
// concurrent use.
type Graph struct {
	Nodes []*Node `json:"nodes"` // entities and process records
	Edges []*Edge `json:"edges"` // evidence and process edges
	nodes map[string]*Node
	next  int
}

// NewGraph returns an empty graph.
func NewGraph() *Graph { return &Graph{nodes: map[string]*Node{}} }

// Node returns the node with id, adding it (kind and name from "kind:name") when absent.
func (g *Graph) Node(id string) *Node {
	if n, ok := g.nodes[id]; ok {
		return n
	}
	kind, name, _ := strings.Cut(id, ":")
	n := &Node{ID: id, Kind: kind, Name: name}
	g.nodes[id] = n
	g.Nodes = append(g.Nodes, n)
	return n
}

// Get returns the node with id, or nil.
func (g *Graph) Get(id string) *Node { return g.nodes[id] }

// AddEdge assigns e an id, adds its endpoints as nodes and appends it.
func (g *Graph) AddEdge(e *Edge) *Edge {
	g.next++
	e.ID = fmt.Sprintf("e%d", g.next)
	g.Node(e.Source)
	g.Node(e.Target)
	g.Edges = append(g.Edges, e)
	return e
}

// AddProcess adds a process node (direction or call) with a fresh id and its attributes.
func (g *Graph) AddProcess(kind string, attrs map[string]string) *Node {
	g.next++
	n := g.Node(fmt.Sprintf("%s:%s%d", kind, kind[:1], g.next))
	n.Attrs = attrs
	return n
}

// Query is a filter over evidence edges; empty fields match anything.
type Query struct {
	Node     string  // an endpoint id
	Relation string  // relation
	Family   string  // family
	Cohort   string  // cohort
	Role     string  // role
	MaxQ     float64 // keep q <= MaxQ (0: no limit)
}

// Find returns the edges matching q, by ascending p.
func (g *Graph) Find(q Query) []*Edge {
	var out []*Edge
	for _, e := range g.Edges {
		if q.Node != "" && e.Source != q.Node && e.Target != q.Node {
			continue
		}
		if q.Relation != "" && e.Relation != q.Relation || q.Family != "" && e.Family != q.Family {
			continue
		}
		if q.Cohort != "" && e.Cohort != q.Cohort || q.Role != "" && e.Role != q.Role {
			continue
		}
		if q.MaxQ > 0 && (e.Test == "" || e.Q > q.MaxQ) {
			continue
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].P < out[b].P })
	return out
}

// Edge returns the edge with id, or nil.
func (g *Graph) Edge(id string) *Edge {
	for _, e := range g.Edges {
		if e.ID == id {
			return e
		}
	}
	return nil
}

// Save writes the graph as indented JSON, atomically.
func (g *Graph) Save(path string) error {
	b, err := json.MarshalIndent(g, "", " ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, b, 0o644)
}

// LoadGraph reads a graph written by Save.
func LoadGraph(path string) (*Graph, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	g := NewGraph()
	if err := json.Unmarshal(b, g); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, n := range g.Nodes {
		g.nodes[n.ID] = n
		if k, _, ok := strings.Cut(n.ID, ":"); ok && (k == KindDirection || k == KindCall) {
			g.bump(n.ID[len(k)+2:])
		}
	}
	for _, e := range g.Edges {
		g.bump(e.ID[1:])
	}
	return g, nil
}

// bump keeps the id counter above a loaded numeric suffix so new ids never collide.
func (g *Graph) bump(suffix string) {
	var n int
	if _, err := fmt.Sscan(suffix, &n); err == nil && n > g.next {
		g.next = n
	}
}
