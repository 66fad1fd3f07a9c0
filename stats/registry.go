package stats

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Args is what a [Tool] reads. Each tool documents which fields it needs and rejects calls
// missing them; values are paired by index (one entry per sample).
type Args struct {
	X          []float64            // a numeric variable (feature levels, a score)
	Y          []float64            // a second numeric variable (correlations, OLS response)
	Group      []string             // a categorical variable (two levels for two-sample tests)
	Group2     []string             // a second categorical variable (contingency tables)
	Time       []float64            // survival times
	Status     []int                // survival status, 1 = event
	Covariates map[string][]float64 // extra numeric covariates (OLS, Cox)
	Levels     [2]string            // for two-sample tests: the groups compared as Levels[0] − Levels[1]
}

// Outcome is a tool's answer in the form the entity graph stores.
type Outcome struct {
	Test      string  // the tool name
	Statistic float64 // the test statistic (t, W, H, r, ρ, X², z, χ²)
	StatName  string  // what Statistic is
	Effect    float64 // the effect size (mean difference, r, ρ, hazard ratio, odds ratio)
	Effect2   string  // what Effect is
	P         float64 // two-sided p-value
	N         int     // observations used
}

// Tool is one statistical routine a planner can pick by name.
type Tool struct {
	Name    string                        // registry key, e.g. "welch_t"
	Summary string                        // one line for a planner's tool list
	Needs   string                        // which Args fields it reads
	Run     func(a Args) (Outcome, error) // runs it
}

var registry = map[string]Tool{}

// Register adds a tool; a duplicate name panics (registries are filled in init).
func Register(t Tool) {
	if _, dup := registry[t.Name]; dup {
		panic("stats: tool " + t.Name + " registered twice")
	}
	registry[t.Name] = t
}

// Names lists the registered tools, sorted.
func Names() []string {
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the tool called name, or an error that lists the known names.
func Lookup(name string) (Tool, error) {
	t, ok := registry[name]
	if !ok {
		return Tool{}, fmt.Errorf("stats: no tool %q; known: %s", name, strings.Join(Names(), ", "))
	}
	return t, nil
}

// split returns X's values in Levels[0] and Levels[1] of Group, skipping NaN values.
func split(a Args) (x, y []float64, err error) {
	if len(a.X) != len(a.Group) || len(a.X) == 0 {
		return nil, nil, fmt.Errorf("needs X and Group of equal, non-zero length (got %d and %d)", len(a.X), len(a.Group))
	}
	if a.Levels[0] == "" || a.Levels[1] == "" {
		return nil, nil, fmt.Errorf("needs Levels, the two groups to compare")
	}
	for i, g := range a.Group {
		if math.IsNaN(a.X[i]) {
			continue
		}
		switch g {
		case a.Levels[0]:
			x = append(x, a.X[i])
		case a.Levels[1]:
			y = append(y, a.X[i])
		}
	}
	return x, y, nil
}

// pairs returns the (X, Y) pairs where neither is NaN.
func pairs(a Args) (x, y []float64, err error) {
	if len(a.X) != len(a.Y) || len(a.X) == 0 {
		return nil, nil, fmt.Errorf("needs X and Y of equal, non-zero length (got %d and %d)", len(a.X), len(a.Y))
	}
	for i := range a.X {
		if !math.IsNaN(a.X[i]) && !math.IsNaN(a.Y[i]) {
			x, y = append(x, a.X[i]), append(y, a.Y[i])
		}
	}
	return x, y, nil
}

// survivalRows returns the rows with a time, a non-NaN X when X is given and a non-empty label
// when Group is given.
func survivalRows(a Args) (t []float64, s []int, x []float64, g []string, err error) {
	if len(a.Time) != len(a.Status) || len(a.Time) == 0 {
		return nil, nil, nil, nil, fmt.Errorf("needs Time and Status of equal, non-zero length")
	}
	for i := range a.Time {
		if a.X != nil && math.IsNaN(a.X[i]) {
			continue
		}
		if math.IsNaN(a.Time[i]) || (a.Group != nil && a.Group[i] == "") {
			continue
		}
		t, s = append(t, a.Time[i]), append(s, a.Status[i])
		if a.X != nil {
			x = append(x, a.X[i])
		}
		if a.Group != nil {
			g = append(g, a.Group[i])
		}
	}
	return t, s, x, g, nil
}
