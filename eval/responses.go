package eval

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// RescoreOptions configure scoring of existing generations (`ascent eval --responses FILE`).
type RescoreOptions struct {
	// Benchmark names the benchmark of rows without a `benchmark` field (name, alias or path); it is also
	// where a missing `gold` is looked up by problem ID. Empty: rows must carry `benchmark` or `gold`.
	Benchmark string
	// GroupBy splits the table by a field; "" (one table) or "model".
	GroupBy string
	// PredField, when set, names a field holding an already-extracted answer (e.g. ToRA's "source_pred"),
	// which is compared with the gold answer instead of extracting one from `response`.
	PredField string
	// Score controls grading and the bootstrap.
	Score ScoreOptions
}

// Grouped holds one Results per group (per model with GroupBy "model"; one group "" otherwise).
type Grouped struct {
	GroupBy string              `json:"group_by,omitempty"` // the field the rows were grouped by
	Groups  map[string]*Results `json:"groups"`             // by group value
	Order   []string            `json:"order"`              // group values in first-appearance order
	Grader  string              `json:"grader"`             // which grader produced the verdicts
}

// ReadResponses parses a responses JSONL file into ungraded samples. Each line needs problem_id (or id)
// and response (or the PredField); sample_index, gold, benchmark and model are optional. A missing gold is
// looked up from the benchmark by ID. Errors name the line and the field.
func ReadResponses(path string, opt RescoreOptions) ([]Sample, map[string]*Benchmark, error) {
	if opt.GroupBy != "" && opt.GroupBy != "model" {
		return nil, nil, fmt.Errorf("eval: cannot group by %q; known: model", opt.GroupBy)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("eval: open responses %s: %w", path, err)
	}
	defer f.Close()
	benches := map[string]*Benchmark{}
	ids := map[string]map[string]*Problem{}
	bench := func(name string) (*Benchmark, error) {
		if b, ok := benches[name]; ok {
			return b, nil
		}
		b, err := Load(name)
		if err != nil {
			return nil, err
		}
		benches[name], ids[name] = b, b.byID()
		return b, nil
	}
	defaultBench := ""
	if opt.Benchmark != "" {
		b, err := bench(opt.Benchmark)
		if err != nil {
			return nil, nil, err
		}
		defaultBench = b.Name
		benches[defaultBench], ids[defaultBench] = b, b.byID()
	}
	nextIndex := map[string]int{}
	var out []Sample
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), maxLine)
	line := 0
	for sc.Scan() {
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		var rec map[string]any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&rec); err != nil {
			return nil, nil, fmt.Errorf("eval: %s line %d: invalid JSON: %w", path, line, err)
		}
		where := fmt.Sprintf("eval: %s line %d", path, line)
		s := Sample{Graded: false}
		var ok bool
		if s.ProblemID, ok = field(rec, "problem_id", "id"); !ok {
			return nil, nil, fmt.Errorf("%s: missing field \"problem_id\" (or \"id\")", where)
		}
		s.Response, ok = field(rec, "response")
		if opt.PredField != "" {
			if s.Pred, ok = field(rec, opt.PredField); !ok {
				return nil, nil, fmt.Errorf("%s: missing field %q (named by the prediction-field option)", where, opt.PredField)
			}
			s.PredSource = opt.PredField
		} else if !ok {
			return nil, nil, fmt.Errorf("%s: missing field \"response\" (a string)", where)
		}
		if opt.GroupBy == "model" {
			if s.Model, ok = field(rec, "model"); !ok {
				return nil, nil, fmt.Errorf("%s: missing field \"model\" (needed to group by model)", where)
			}
		} else {
			s.Model, _ = field(rec, "model")
		}
		s.Prompt, _ = field(rec, "problem", "prompt", "question") // shown to the judge when the benchmark lacks the ID
		s.Benchmark = defaultBench
		if b, ok := field(rec, "benchmark"); ok && b != "" {
			s.Benchmark = CanonicalName(b)
		}
		gold, hasGold := field(rec, "gold")
		if !hasGold {
			if s.Benchmark == "" {
				return nil, nil, fmt.Errorf("%s: missing field \"gold\" and no \"benchmark\" field or default benchmark to look it up in", where)
			}
			if _, err := bench(s.Benchmark); err != nil {
				return nil, nil, fmt.Errorf("%s: missing field \"gold\", and benchmark %q cannot be loaded to look it up: %w", where, s.Benchmark, err)
			}
			p := ids[s.Benchmark][s.ProblemID]
			if p == nil {
				return nil, nil, fmt.Errorf("%s: missing field \"gold\", and problem_id %q is not in benchmark %s", where, s.ProblemID, s.Benchmark)
			}
			gold = p.Answer
		}
		s.Gold = gold
		if s.Benchmark == "" {
			s.Benchmark = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		}
		key := s.Model + "\x00" + s.Benchmark + "\x00" + s.ProblemID
		if v, ok := rec["sample_index"]; ok && v != nil {
			n, isNum := v.(json.Number)
			i, err := n.Int64()
			if !isNum || err != nil || i < 0 {
				return nil, nil, fmt.Errorf("%s: field \"sample_index\" must be a non-negative integer, got %v", where, v)
			}
			s.SampleIndex = int(i)
		} else {
			s.SampleIndex = nextIndex[key]
		}
		nextIndex[key] = s.SampleIndex + 1
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("eval: read %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, nil, fmt.Errorf("eval: %s holds no responses", path)
	}
	return out, benches, nil
}

// field returns rec[name] for the first present name as a string (numbers rendered without exponent).
func field(rec map[string]any, names ...string) (string, bool) {
	for _, n := range names {
		v, ok := rec[n]
		if !ok || v == nil {
			continue
		}
		if s, ok := scalarString(v); ok {
			return s, true
		}
	}
	return "", false
}

// Rescore grades the responses in path with grader and, when outDir is not empty, writes results.json,
// report.md and samples.jsonl there. No model is needed.
func Rescore(ctx context.Context, path, outDir string, opt RescoreOptions, grader Grader) (*Grouped, error) {
	samples, benches, err := ReadResponses(path, opt)
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	problems := map[string]map[string]*Problem{}
	for _, b := range benches {
		titles[b.Name] = b.Title
		problems[b.Name] = b.byID()
	}
	for _, s := range samples {
		if spec, ok := lookupSpec(s.Benchmark); ok {
			titles[s.Benchmark] = spec.title
		}
	}
	var order []string
	for _, n := range Names() {
		order = append(order, n)
	}
	lookup := func(bench, id string) string {
		if p := problems[bench][id]; p != nil {
			return p.Problem
		}
		return ""
	}
	if err := GradeSamples(ctx, samples, grader, opt.Score, lookup); err != nil {
		return nil, err
	}
	g := &Grouped{GroupBy: opt.GroupBy, Groups: map[string]*Results{}, Grader: grader.Name()}
	byGroup := map[string][]Sample{}
	for _, s := range samples {
		k := ""
		if opt.GroupBy == "model" {
			k = s.Model
		}
		if _, ok := byGroup[k]; !ok {
			g.Order = append(g.Order, k)
		}
		byGroup[k] = append(byGroup[k], s)
	}
	for _, k := range g.Order {
		res, err := Aggregate(byGroup[k], order, titles, opt.Score)
		if err != nil {
			return nil, err
		}
		res.Grader, res.Model = grader.Name(), k
		g.Groups[k] = res
	}
	if outDir == "" {
		return g, nil
	}
	sort.SliceStable(samples, func(i, j int) bool { return samples[i].Model < samples[j].Model })
	if err := writeSamples(filepath.Join(outDir, SamplesFile), samples); err != nil {
		return nil, err
	}
	if opt.GroupBy == "" {
		return g, writeResults(outDir, g.Groups[""])
	}
	return g, writeGrouped(outDir, g)
}
