package algo

// Conformance: every *.json in the vector directory (env ASCENT_ALGO_VECTORS, default
// ../shared/testdata/algos next to the repository root) is run through the Go implementation —
// graph (float64, values and autodiff gradients) and plain-Go reference alike — and compared at
// 1e-6. A file whose `name` is unknown, a case kind it cannot dispatch, or any params/inputs/expected
// key that no check consumed is a failure, so new vectors cannot be skipped silently.
//
//	go test ./algo -run Conformance -v
//	ASCENT_ALGO_VECTORS=/path/to/other/vectors go test ./algo -run Conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/ascent-rl/ascent/internal/testutil"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// vectorTol is the absolute tolerance of spec §11.
const vectorTol = 1e-6

// vectorHandlers dispatch on a file's `name` field.
var vectorHandlers = map[string]func(t *testing.T, c *vcase){
	"loss aggregation modes": checkAggCase,
	"PPO/GRPO/DAPO clipped surrogate (verl 'vanilla' policy loss)":                         checkPPOCase,
	"KL estimators used for KL-in-reward / KL loss":                                        checkKLCase,
	"PPO clipped value loss":                                                               checkValueCase,
	"PPO GAE advantage/returns":                                                            checkGAECase,
	"GRPO outcome advantage":                                                               checkGRPOCase,
	"DAPO overlong reward shaping and dynamic-sampling group filter":                       checkDAPOCase,
	"Clip-Cov policy loss (Entropy Mechanism paper)":                                       checkClipCovCase,
	"KL-Cov policy loss (Entropy Mechanism paper)":                                         checkKLCovCase,
	"FlowRL trajectory-balance objective":                                                  checkFlowRLCase,
	"TTRL majority-vote pseudo-label reward":                                               checkTTRLCase,
	"HPT switch rule and mixed SFT/RL loss (offline_loss_type=sft, unify_strategy=switch)": checkHPTCase,
	"Entropy-mechanism diagnostics: covariance identity and R=-a*exp(H)+b":                 checkEntropyDynamicsCase,
}

// vectorDir finds the vector directory: $ASCENT_ALGO_VECTORS, else <repo root>/../shared/testdata/algos
// where the repo root is the nearest ancestor holding go.mod.
func vectorDir(t *testing.T) string {
	if d := os.Getenv("ASCENT_ALGO_VECTORS"); d != "" {
		return d
	}
	return testutil.SharedPath(t, "testdata", "algos")
}

func TestConformanceVectors(t *testing.T) {
	dir := vectorDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatalf("list %s: %v", dir, err)
	}
	if len(files) == 0 {
		t.Fatalf("no *.json vectors in %s: the shared test data (../shared beside the repository, or "+
			"$ASCENT_ALGO_VECTORS) is required — CI always has it", dir)
	}
	total := 0
	for _, path := range files {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		var f struct {
			Name   string            `json:"name"`
			Source string            `json:"source"`
			Notes  string            `json:"notes"`
			Cases  []json.RawMessage `json:"cases"`
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			t.Errorf("%s: not a vector file {name, source, notes, cases}: %v", filepath.Base(path), err)
			continue
		}
		h, ok := vectorHandlers[f.Name]
		if !ok {
			known := make([]string, 0, len(vectorHandlers))
			for k := range vectorHandlers {
				known = append(known, fmt.Sprintf("%q", k))
			}
			sort.Strings(known)
			t.Errorf("%s: unknown vector file name %q; known: %s", filepath.Base(path), f.Name, strings.Join(known, ", "))
			continue
		}
		if len(f.Cases) == 0 {
			t.Errorf("%s: no cases", filepath.Base(path))
		}
		for i, rc := range f.Cases {
			c, err := parseCase(rc)
			if err != nil {
				t.Errorf("%s case %d: %v", filepath.Base(path), i, err)
				continue
			}
			total++
			t.Run(strings.TrimSuffix(filepath.Base(path), ".json")+"/"+c.Name, func(t *testing.T) {
				c.t = t
				h(t, c)
				c.finish()
			})
		}
	}
	t.Logf("%d vector files, %d cases from %s", len(files), total, dir)
}

// vcase is one vector case with bookkeeping of which keys a check consumed.
type vcase struct {
	Name     string
	Kind     string
	Params   map[string]json.RawMessage
	Inputs   map[string]json.RawMessage
	Expected map[string]json.RawMessage
	used     map[string]bool
	t        *testing.T
}

// parseCase decodes a case; top-level keys other than the schema's and the documentation-only
// note/provenance/original_repo are an error.
func parseCase(raw json.RawMessage) (*vcase, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	c := &vcase{used: map[string]bool{}}
	for k, v := range m {
		var err error
		switch k {
		case "name":
			err = json.Unmarshal(v, &c.Name)
		case "kind":
			err = json.Unmarshal(v, &c.Kind)
		case "params":
			err = json.Unmarshal(v, &c.Params)
		case "inputs":
			err = json.Unmarshal(v, &c.Inputs)
		case "expected":
			err = json.Unmarshal(v, &c.Expected)
		case "note", "provenance", "original_repo": // documentation
		default:
			return nil, fmt.Errorf("unknown case key %q", k)
		}
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", k, err)
		}
	}
	if c.Name == "" || c.Expected == nil {
		return nil, fmt.Errorf("case without name or expected")
	}
	return c, nil
}

// raw returns the raw value of section.key and marks it used; missing is fatal.
func (c *vcase) raw(section, key string) json.RawMessage {
	c.t.Helper()
	var m map[string]json.RawMessage
	switch section {
	case "params":
		m = c.Params
	case "inputs":
		m = c.Inputs
	default:
		m = c.Expected
	}
	v, ok := m[key]
	if !ok {
		c.t.Fatalf("%s.%s missing", section, key)
	}
	c.used[section+"."+key] = true
	return v
}

// has reports whether section.key exists (without marking it).
func (c *vcase) has(section, key string) bool {
	switch section {
	case "params":
		_, ok := c.Params[key]
		return ok
	case "inputs":
		_, ok := c.Inputs[key]
		return ok
	}
	_, ok := c.Expected[key]
	return ok
}

// decode unmarshals section.key into v.
func (c *vcase) decode(section, key string, v any) {
	c.t.Helper()
	if err := json.Unmarshal(c.raw(section, key), v); err != nil {
		c.t.Fatalf("%s.%s: %v", section, key, err)
	}
}

func (c *vcase) num(section, key string) float64 {
	var v float64
	c.decode(section, key, &v)
	return v
}

func (c *vcase) mat(section, key string) [][]float64 {
	var v [][]float64
	c.decode(section, key, &v)
	return v
}

func (c *vcase) vec(section, key string) []float64 {
	var v []float64
	c.decode(section, key, &v)
	return v
}

// doc marks documentation-only params as understood.
func (c *vcase) doc(keys ...string) {
	for _, k := range keys {
		if c.has("params", k) {
			c.used["params."+k] = true
		}
	}
}

// finish fails on every key no check consumed.
func (c *vcase) finish() {
	c.t.Helper()
	for sec, m := range map[string]map[string]json.RawMessage{"params": c.Params, "inputs": c.Inputs, "expected": c.Expected} {
		for k := range m {
			if !c.used[sec+"."+k] {
				c.t.Errorf("%s.%s is not understood by the conformance test (unchecked)", sec, k)
			}
		}
	}
}

// near compares scalars.
func (c *vcase) near(what string, got, want float64) {
	c.t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > vectorTol {
		c.t.Errorf("%s = %.12g, want %.12g (|diff| %.3g > %g)", what, got, want, math.Abs(got-want), vectorTol)
	}
}

// nearMat compares matrices elementwise.
func (c *vcase) nearMat(what string, got, want [][]float64) {
	c.t.Helper()
	if len(got) != len(want) {
		c.t.Errorf("%s: %d rows, want %d", what, len(got), len(want))
		return
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			c.t.Errorf("%s row %d: %d columns, want %d", what, i, len(got[i]), len(want[i]))
			return
		}
		for j := range want[i] {
			if math.IsNaN(got[i][j]) || math.Abs(got[i][j]-want[i][j]) > vectorTol {
				c.t.Errorf("%s[%d][%d] = %.12g, want %.12g", what, i, j, got[i][j], want[i][j])
			}
		}
	}
}

// nearVec compares vectors.
func (c *vcase) nearVec(what string, got, want []float64) {
	c.t.Helper()
	c.nearMat(what, [][]float64{got}, [][]float64{want})
}

// aggParam reads loss_agg_mode (and loss_scale_factor when present).
func (c *vcase) aggParam() Aggregation {
	var mode string
	c.decode("params", "loss_agg_mode", &mode)
	a := Aggregation{Mode: AggMode(mode)}
	if c.has("params", "loss_scale_factor") {
		var f *float64
		c.decode("params", "loss_scale_factor", &f)
		if f != nil {
			a.ScaleFactor = *f
		}
	}
	if err := a.Validate(); err != nil {
		c.t.Fatalf("params: %v", err)
	}
	return a
}

// must fails the case on err.
func (c *vcase) must(err error) {
	c.t.Helper()
	if err != nil {
		c.t.Fatal(err)
	}
}
