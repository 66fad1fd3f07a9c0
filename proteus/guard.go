package proteus

import (
	"fmt"
	"math"

	"github.com/ascent-rl/ascent/stats"
)

// Minimum data for a test to be run rather than counted as an exclusion.
const (
	minPerGroup = 5  // observed values per group of a two-sample or log-rank test
	minPairs    = 10 // complete pairs for a correlation, rows for Cox
	minEvents   = 5  // events for a survival test
)

// guard checks that args hold enough finite, varying data for tool; the error is the exclusion
// reason counted in the family's call record.
func guard(tool string, a stats.Args) error {
	switch tool {
	case "welch_t", "student_t", "mann_whitney":
		var x, y []float64
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
		if len(x) < minPerGroup || len(y) < minPerGroup {
			return fmt.Errorf("fewer than %d observed values per group (%d %s, %d %s)", minPerGroup, len(x), a.Levels[0], len(y), a.Levels[1])
		}
		if constant(append(x, y...)) {
			return errZeroVar
		}
	case "pearson", "spearman", "ols":
		var x, y []float64
		for i := range a.X {
			if !math.IsNaN(a.X[i]) && !math.IsNaN(a.Y[i]) {
				x, y = append(x, a.X[i]), append(y, a.Y[i])
			}
		}
		if len(x) < minPairs {
			return fmt.Errorf("fewer than %d complete pairs (%d)", minPairs, len(x))
		}
		if constant(x) || constant(y) {
			return errZeroVar
		}
	case "cox", "logrank":
		var x []float64
		ev := 0
		groups := map[string]int{}
		for i := range a.Time {
			if math.IsNaN(a.Time[i]) || (a.X != nil && math.IsNaN(a.X[i])) || (a.Group != nil && a.Group[i] == "") {
				continue
			}
			ev += a.Status[i]
			if a.X != nil {
				x = append(x, a.X[i])
			}
			if a.Group != nil {
				groups[a.Group[i]]++
			}
		}
		if ev < minEvents {
			return fmt.Errorf("fewer than %d events (%d)", minEvents, ev)
		}
		if a.X != nil && (len(x) < minPairs || constant(x)) {
			return pickErr(len(x) < minPairs, fmt.Errorf("fewer than %d observations (%d)", minPairs, len(x)), errZeroVar)
		}
		if a.Group != nil {
			if len(groups) < 2 {
				return fmt.Errorf("fewer than two groups")
			}
			for g, n := range groups {
				if n < minPerGroup {
					return fmt.Errorf("group %q has %d observations (< %d)", g, n, minPerGroup)
				}
			}
		}
	case "kruskal":
		groups := map[string]int{}
		var x []float64
		for i, g := range a.Group {
			if g != "" && !math.IsNaN(a.X[i]) {
				groups[g]++
				x = append(x, a.X[i])
			}
		}
		if len(groups) < 2 || len(x) < minPairs {
			return fmt.Errorf("fewer than two groups or %d observations", minPairs)
		}
		if constant(x) {
			return errZeroVar
		}
	}
	return nil
}

var errZeroVar = fmt.Errorf("zero variance")

func pickErr(c bool, a, b error) error {
	if c {
		return a
	}
	return b
}

func constant(x []float64) bool {
	for _, v := range x[1:] {
		if v != x[0] {
			return false
		}
	}
	return true
}
