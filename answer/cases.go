package answer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// Case is one labelled verification case (a line of a cases JSONL file such as
// ../shared/testdata/verify/cases.jsonl). Other fields of the line are ignored.
type Case struct {
	ID       string `json:"id"`       // case identifier (optional; defaults to "line N")
	Gold     string `json:"gold"`     // gold answer or gold solution
	Pred     string `json:"pred"`     // model response or bare predicted answer
	Expected *bool  `json:"expected"` // the label; nil when the line has none
	Tier     string `json:"tier"`     // "core", "policy", "synthetic", ...
	Line     int    `json:"-"`        // 1-based line number in the file
	// AnswerType is the physics schema's answer_type ("Numerical Value", ...); "" for a math
	// case. A case with a type is compared by EquivalentPhysics.
	AnswerType AnswerType `json:"answer_type,omitempty"`
	GoldUnit   string     `json:"gold_unit,omitempty"` // the physics schema's gold_unit ("" when null)
}

// ReadCases reads a JSONL file of cases (the math schema, or the physics schema with
// answer_type and gold_unit). A malformed line is an error naming the line and field.
func ReadCases(path string) ([]Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read cases %s: %w", path, err)
	}
	defer f.Close()
	cs, err := DecodeCases(f)
	if err != nil {
		return nil, fmt.Errorf("read cases %s: %w", path, err)
	}
	return cs, nil
}

// DecodeCases parses JSONL cases from r; blank lines are skipped.
func DecodeCases(r io.Reader) ([]Case, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var out []Case
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(trimSpaceBytes(b)) == 0 {
			continue
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("line %d: not a JSON object: %w", line, err)
		}
		c := Case{Line: line}
		var at string
		for _, f := range []struct {
			name string
			dst  *string
			req  bool
		}{{"gold", &c.Gold, true}, {"pred", &c.Pred, true}, {"id", &c.ID, false}, {"tier", &c.Tier, false},
			{"answer_type", &at, false}, {"gold_unit", &c.GoldUnit, false}} {
			v, ok := raw[f.name]
			if ok && string(v) == "null" && !f.req {
				continue
			}
			if !ok {
				if f.req {
					return nil, fmt.Errorf("line %d: missing field %q (want a string)", line, f.name)
				}
				continue
			}
			if err := json.Unmarshal(v, f.dst); err != nil {
				return nil, fmt.Errorf("line %d: field %q: want a string, got %s", line, f.name, clipBytes(v))
			}
		}
		if at != "" {
			t, err := ParseAnswerType(at)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			c.AnswerType = t
		}
		if v, ok := raw["expected"]; ok && string(v) != "null" {
			var e bool
			if err := json.Unmarshal(v, &e); err != nil {
				return nil, fmt.Errorf("line %d: field \"expected\": want true or false, got %s", line, clipBytes(v))
			}
			c.Expected = &e
		}
		if c.ID == "" {
			c.ID = fmt.Sprintf("line %d", line)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	return out, nil
}

func trimSpaceBytes(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	return b
}

func clipBytes(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "..."
	}
	return string(b)
}

// Outcome is the verifier's verdict on one case.
type Outcome struct {
	Case    Case
	Verdict Verdict
	Latency time.Duration
}

// Report summarizes a run over labelled cases.
type Report struct {
	Total        int     `json:"total"`         // cases run
	Labelled     int     `json:"labelled"`      // cases with an expected label
	Agree        int     `json:"agree"`         // labelled cases where the verdict matches the label
	Accuracy     float64 `json:"accuracy"`      // Agree / Labelled
	FalseAccepts int     `json:"false_accepts"` // label false, verdict correct
	FalseRejects int     `json:"false_rejects"` // label true, verdict not correct
	Timeouts     int     `json:"timeouts"`      // verdicts with StatusTimeout
	Errors       int     `json:"errors"`        // verdicts with StatusError
	Unparsable   int     `json:"unparsable"`    // verdicts with StatusUnparsable
	CasesPerSec  float64 `json:"cases_per_s"`   // single-goroutine throughput
	P50ms        float64 `json:"p50_ms"`        // median latency per case
	P99ms        float64 `json:"p99_ms"`        // 99th percentile latency per case
	// ByType breaks the labelled cases down by answer_type ("math" for cases without one).
	ByType map[string]*TypeReport `json:"by_type"`
	// Passes is how many times each case was timed (RunPasses); latencies and throughput are
	// then from each case's fastest pass, which filters out a shared machine's preemptions.
	Passes   int           `json:"passes"`
	Outcomes []Outcome     `json:"-"` // every verdict, in input order
	Elapsed  time.Duration `json:"-"` // wall time of the run
}

// TypeReport is the agreement on the labelled cases of one answer type.
type TypeReport struct {
	Labelled     int     `json:"labelled"`
	Agree        int     `json:"agree"`
	Accuracy     float64 `json:"accuracy"`
	FalseAccepts int     `json:"false_accepts"`
	FalseRejects int     `json:"false_rejects"`
}

// add tallies one labelled verdict.
func (t *TypeReport) add(expected, correct bool) {
	t.Labelled++
	switch {
	case correct == expected:
		t.Agree++
	case correct:
		t.FalseAccepts++
	default:
		t.FalseRejects++
	}
	t.Accuracy = float64(t.Agree) / float64(t.Labelled)
}

// verifyCase judges one case: a physics case (with an answer type) by EquivalentPhysics, or by
// GradePhysics when its pred is a response with boxes; a math case by Verify.
func verifyCase(c Case, opt Options) Verdict {
	if c.AnswerType == "" {
		return Verify(c.Gold, c.Pred, opt)
	}
	g := PhysicsGold{Answer: c.Gold, Unit: c.GoldUnit, Type: c.AnswerType}
	if strings.Contains(c.Pred, `oxed`) || strings.Contains(c.Pred, `box`) {
		return GradePhysics(c.Pred, []PhysicsGold{g}, opt).Verdicts[0]
	}
	return EquivalentPhysics(g, c.Pred, opt)
}

// Run verifies every case sequentially on one goroutine (pred read as a response) and tallies
// the agreement with the labels.
func Run(cases []Case, opt Options) Report {
	r := Report{Total: len(cases), Outcomes: make([]Outcome, len(cases)), ByType: map[string]*TypeReport{}, Passes: 1}
	lat := make([]time.Duration, len(cases))
	start := time.Now()
	for i, c := range cases {
		t0 := time.Now()
		v := verifyCase(c, opt)
		lat[i] = time.Since(t0)
		r.Outcomes[i] = Outcome{Case: c, Verdict: v, Latency: lat[i]}
		switch v.Status {
		case StatusTimeout:
			r.Timeouts++
		case StatusError:
			r.Errors++
		case StatusUnparsable:
			r.Unparsable++
		}
		if c.Expected == nil {
			continue
		}
		r.Labelled++
		key := string(c.AnswerType)
		if key == "" {
			key = "math"
		}
		if r.ByType[key] == nil {
			r.ByType[key] = &TypeReport{}
		}
		r.ByType[key].add(*c.Expected, v.Correct)
		switch {
		case v.Correct == *c.Expected:
			r.Agree++
		case v.Correct:
			r.FalseAccepts++
		default:
			r.FalseRejects++
		}
	}
	r.Elapsed = time.Since(start)
	if r.Labelled > 0 {
		r.Accuracy = float64(r.Agree) / float64(r.Labelled)
	}
	if r.Elapsed > 0 {
		r.CasesPerSec = float64(r.Total) / r.Elapsed.Seconds()
	}
	r.setLatencies(lat)
	return r
}

// setLatencies fills P50ms and P99ms from per-case latencies (sorted in place).
func (r *Report) setLatencies(lat []time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if n := len(lat); n > 0 {
		r.P50ms = float64(lat[n/2]) / 1e6
		r.P99ms = float64(lat[min(n-1, n*99/100)]) / 1e6
	}
}

// RunPasses is Run followed by passes−1 more timed passes: each case's latency is its fastest
// pass and throughput is cases over the sum of those latencies (one goroutine), so that the
// figures measure the verifier rather than a busy machine's scheduler. Verdicts are the first
// pass's.
func RunPasses(cases []Case, opt Options, passes int) Report {
	r := Run(cases, opt)
	if passes <= 1 {
		return r
	}
	best := make([]time.Duration, len(cases))
	for i, o := range r.Outcomes {
		best[i] = o.Latency
	}
	for range passes - 1 {
		for i, c := range cases {
			t0 := time.Now()
			verifyCase(c, opt)
			best[i] = min(best[i], time.Since(t0))
		}
	}
	var sum time.Duration
	for i, d := range best {
		r.Outcomes[i].Latency = d
		sum += d
	}
	if sum > 0 {
		r.CasesPerSec = float64(len(cases)) / sum.Seconds()
	}
	r.Passes = passes
	r.setLatencies(best)
	return r
}
