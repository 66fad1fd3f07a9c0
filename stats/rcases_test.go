package stats

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ascent-rl/ascent/internal/testutil"
)

// rCase is one reference case in the schema of ../shared/testdata/stats/README.md.
type rCase struct {
	Name     string                     `json:"name"`
	Routine  string                     `json:"routine"`
	Input    map[string]json.RawMessage `json:"input"`
	Params   json.RawMessage            `json:"params"`
	Expected map[string]any             `json:"expected"`
	RCall    string                     `json:"r_call"`
}

// tolerance is the relative tolerance against R. The brief asks for 1e-6; every shipped case
// (the iterative Cox and Fisher fits and the Spearman Edgeworth series included) matches at 1e-9,
// so that is what is enforced. Differences below 1e-14 absolute are ignored (values R prints as
// exactly zero). Set ASCENT_STATS_TOL to loosen it for hidden cases on other data.
func tol() float64 {
	if v := os.Getenv("ASCENT_STATS_TOL"); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	}
	return 1e-9
}

func casesDir(t *testing.T) string {
	if d := os.Getenv("ASCENT_STATS_CASES"); d != "" {
		return d
	}
	return testutil.SharedPath(t, "testdata", "stats")
}

func TestEveryRCaseMatches(t *testing.T) {
	dir := casesDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files in %s (%v)", dir, err)
	}
	total := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			Cases []rCase `json:"cases"`
		}
		if err := json.Unmarshal(raw, &file); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, c := range file.Cases {
			total++
			t.Run(c.Routine+"/"+c.Name, func(t *testing.T) {
				got, err := runRCase(c)
				if e, ok := c.Expected["error"]; ok {
					if err == nil || err.Error() != e {
						t.Fatalf("want R's error %q, got %v", e, err)
					}
					return
				}
				if err != nil {
					t.Fatalf("%s: %v", c.RCall, err)
				}
				tol := tol()
				if _, ok := c.Expected["warnings"]; !ok {
					c.Expected["warnings"] = []any{}
				}
				for k, want := range c.Expected {
					g, ok := got[k]
					if !ok {
						t.Errorf("%s: field %q not produced", c.RCall, k)
						continue
					}
					for _, msg := range compare(k, want, g, tol) {
						t.Errorf("%s: %s", c.RCall, msg)
					}
				}
			})
		}
	}
	t.Logf("%d R cases from %s", total, dir)
}

// compare checks got against R's JSON value want and returns the mismatches.
func compare(path string, want, got any, tol float64) []string {
	switch w := want.(type) {
	case map[string]any:
		gm, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %T", path, got)}
		}
		var out []string
		for k, v := range w {
			out = append(out, compare(path+"."+k, v, gm[k], tol)...)
		}
		return out
	case []any:
		gl := toList(got)
		if gl == nil && len(w) > 0 {
			return []string{fmt.Sprintf("%s: want a list of %d, got %T", path, len(w), got)}
		}
		if len(gl) != len(w) {
			return []string{fmt.Sprintf("%s: want %d items, got %d (%v)", path, len(w), len(gl), got)}
		}
		var out []string
		for i := range w {
			out = append(out, compare(fmt.Sprintf("%s[%d]", path, i), w[i], gl[i], tol)...)
		}
		return out
	case string:
		if f, ok := rNumber(w); ok {
			return compareNum(path, f, got, tol)
		}
		if g, ok := got.(string); !ok || g != w {
			return []string{fmt.Sprintf("%s: want %q, got %v", path, w, got)}
		}
		return nil
	case bool:
		if g, ok := got.(bool); !ok || g != w {
			return []string{fmt.Sprintf("%s: want %v, got %v", path, w, got)}
		}
		return nil
	case float64:
		return compareNum(path, w, got, tol)
	}
	return []string{fmt.Sprintf("%s: unhandled expected type %T", path, want)}
}

func rNumber(s string) (float64, bool) {
	switch s {
	case "NA", "NaN":
		return math.NaN(), true
	case "Inf":
		return math.Inf(1), true
	case "-Inf":
		return math.Inf(-1), true
	}
	return 0, false
}

func compareNum(path string, want float64, got any, tol float64) []string {
	var g float64
	switch v := got.(type) {
	case float64:
		g = v
	case int:
		g = float64(v)
	default:
		return []string{fmt.Sprintf("%s: want %v, got %T %v", path, want, got, got)}
	}
	if math.IsNaN(want) || math.IsInf(want, 0) {
		if math.IsNaN(want) && math.IsNaN(g) || want == g {
			return nil
		}
		return []string{fmt.Sprintf("%s: want %v, got %v", path, want, g)}
	}
	scale := math.Max(math.Abs(want), 1e-300)
	if d := math.Abs(g - want); d > tol*scale && d > 1e-14 {
		return []string{fmt.Sprintf("%s: want %.17g, got %.17g (rel %.2g)", path, want, g, d/scale)}
	}
	return nil
}

func toList(v any) []any {
	switch l := v.(type) {
	case []any:
		return l
	case []float64:
		out := make([]any, len(l))
		for i, x := range l {
			out[i] = x
		}
		return out
	case []int:
		out := make([]any, len(l))
		for i, x := range l {
			out[i] = float64(x)
		}
		return out
	case []string:
		out := make([]any, len(l))
		for i, x := range l {
			out[i] = x
		}
		return out
	case []bool:
		out := make([]any, len(l))
		for i, x := range l {
			out[i] = x
		}
		return out
	case [2]float64:
		return []any{l[0], l[1]}
	case [][]float64:
		out := make([]any, len(l))
		for i, x := range l {
			out[i] = x
		}
		return out
	}
	return nil
}

// nums reads an input array of numbers.
func nums(c rCase, key string) []float64 {
	var v []float64
	if err := json.Unmarshal(c.Input[key], &v); err != nil {
		panic(fmt.Sprintf("%s: input %q: %v", c.Name, key, err))
	}
	return v
}

// labels reads an input array of strings or numbers as strings.
func labels(c rCase, key string) []string {
	var raw []any
	if err := json.Unmarshal(c.Input[key], &raw); err != nil {
		panic(fmt.Sprintf("%s: input %q: %v", c.Name, key, err))
	}
	out := make([]string, len(raw))
	for i, v := range raw {
		switch x := v.(type) {
		case string:
			out[i] = x
		case float64:
			out[i] = strconv.FormatFloat(x, 'f', -1, 64)
		}
	}
	return out
}

func ints(v []float64) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

func params(c rCase) map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal(c.Params, &m) // R writes an empty list as []
	return m
}

func warnings(w []string) []any {
	out := []any{}
	for _, s := range w {
		out = append(out, s)
	}
	return out
}
