package data

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// MathDataSource is the data_source given to rows of the shared math files
// (/work/shared/data/math/*.jsonl), which carry no data_source of their own; the reward registry
// maps it to the math-equivalence verifier.
const MathDataSource = "math"

// LoadOptions control how file rows become Examples.
type LoadOptions struct {
	// DefaultDataSource is used for rows without a data_source; when empty such rows are an error.
	DefaultDataSource string
	// PromptSuffix, when set, is appended to the last user turn and to PromptText of every row
	// (e.g. JustRLSuffix).
	PromptSuffix string
}

// knownFields are the top-level row fields the loaders interpret; all others go to ExtraInfo.
var knownFields = map[string]bool{
	"id": true, "prompt": true, "problem": true, "question": true, "answer": true, "ground_truth": true,
	"reward_model": true, "data_source": true, "extra_info": true, "demonstration": true, "solution": true,
	"prompt_text": true,
}

// rowError is an error about one row of one file, naming the field when there is one.
func rowError(file string, row int, field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if field != "" {
		return fmt.Errorf("data: %s row %d: field %q: %s", file, row, field, msg)
	}
	return fmt.Errorf("data: %s row %d: %s", file, row, msg)
}

// exampleFromRow converts one decoded row (JSONL object or parquet map) into an Example. row is the
// 1-based row number used in errors.
func exampleFromRow(m map[string]any, file string, row int, opts LoadOptions) (Example, error) {
	var ex Example
	m = normalizeValue(m).(map[string]any)
	prompt, field, err := promptOf(m)
	if err != nil {
		return ex, rowError(file, row, field, "%v", err)
	}
	ex.Prompt = prompt
	ex.PromptText = lastUserContent(ex.Prompt)
	if ex.PromptText == "" && len(ex.Prompt) > 0 {
		ex.PromptText = ex.Prompt[len(ex.Prompt)-1].Content
	}
	if v, ok := m["prompt_text"]; ok && v != nil { // written by WriteJSONL for built-in tasks
		s, ok := v.(string)
		if !ok {
			return ex, rowError(file, row, "prompt_text", "is %T, want a string", v)
		}
		ex.PromptText = s
	}

	// Ground truth: reward_model.ground_truth, else answer, else ground_truth.
	gt, field, err := groundTruthOf(m)
	if err != nil {
		return ex, rowError(file, row, field, "%v", err)
	}
	if gt == "" {
		return ex, rowError(file, row, "", `missing ground truth: want field "reward_model.ground_truth", "answer" or "ground_truth"`)
	}
	ex.GroundTruth = gt

	switch ds := m["data_source"].(type) {
	case nil:
		if opts.DefaultDataSource == "" {
			return ex, rowError(file, row, "data_source", "missing and no default data source was given")
		}
		ex.DataSource = opts.DefaultDataSource
	case string:
		if ds == "" {
			ds = opts.DefaultDataSource
		}
		if ds == "" {
			return ex, rowError(file, row, "data_source", "is empty and no default data source was given")
		}
		ex.DataSource = ds
	default:
		return ex, rowError(file, row, "data_source", "is %T, want a string", ds)
	}

	ex.ExtraInfo = map[string]any{}
	switch ei := m["extra_info"].(type) {
	case nil:
	case map[string]any:
		for k, v := range ei {
			ex.ExtraInfo[k] = normalizeValue(v)
		}
	default:
		return ex, rowError(file, row, "extra_info", "is %T, want an object", ei)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, taken := ex.ExtraInfo[k]; !knownFields[k] && !taken && m[k] != nil {
			ex.ExtraInfo[k] = normalizeValue(m[k])
		}
	}

	for _, f := range []string{"demonstration", "solution"} {
		v, ok := m[f]
		if !ok || v == nil {
			continue
		}
		s, ok := v.(string)
		if list, isList := v.([]any); isList && len(list) > 0 {
			s, ok = list[0].(string) // several alternative solutions (OlympiadBench): take the first
		}
		if !ok {
			return ex, rowError(file, row, f, "is %T, want a string or a list of strings", v)
		}
		if s == "" {
			continue
		}
		if !strings.Contains(s, `\boxed{`) {
			s = strings.TrimRight(s, " \n") + "\n" + `\boxed{` + gt + `}`
		}
		ex.Demonstration = s
		break
	}

	switch id := m["id"].(type) {
	case string:
		ex.ID = id
	case nil:
		base := filepath.Base(file)
		if idx, ok := ex.ExtraInfo["index"]; ok {
			ex.ID = fmt.Sprintf("%s:%v", base, idx)
		} else {
			ex.ID = fmt.Sprintf("%s:%d", base, row)
		}
	default:
		ex.ID = scalarString(normalizeValue(id))
	}
	if opts.PromptSuffix != "" {
		ex = WithSuffix(ex, opts.PromptSuffix)
	}
	return ex, nil
}

// promptOf reads the chat prompt: "prompt" as a chat list or a string, else "problem" or
// "question" as one user turn. On error it returns the offending field ("" when none is present).
func promptOf(m map[string]any) ([]Message, string, error) {
	switch p := m["prompt"].(type) {
	case nil:
		for _, f := range []string{"problem", "question"} {
			v, ok := m[f]
			if !ok || v == nil {
				continue
			}
			s, ok := v.(string)
			if !ok {
				return nil, f, fmt.Errorf("is %T, want a string", v)
			}
			if s == "" {
				return nil, f, fmt.Errorf("is empty")
			}
			return []Message{{Role: "user", Content: s}}, "", nil
		}
		return nil, "", fmt.Errorf(`missing prompt: want field "prompt" (chat list or string), "problem" or "question"`)
	case string:
		if p == "" {
			return nil, "prompt", fmt.Errorf("is empty")
		}
		return []Message{{Role: "user", Content: p}}, "", nil
	case []any:
		if len(p) == 0 {
			return nil, "prompt", fmt.Errorf("is an empty chat list")
		}
		msgs := make([]Message, 0, len(p))
		for k, item := range p {
			msg, ok := item.(map[string]any)
			if !ok {
				return nil, fmt.Sprintf("prompt[%d]", k), fmt.Errorf("is %T, want {role, content}", item)
			}
			role, ok := msg["role"].(string)
			if !ok || role == "" {
				return nil, fmt.Sprintf("prompt[%d].role", k), fmt.Errorf("is %v, want a non-empty string", msg["role"])
			}
			content, ok := msg["content"].(string)
			if !ok {
				return nil, fmt.Sprintf("prompt[%d].content", k), fmt.Errorf("is %v, want a string", msg["content"])
			}
			msgs = append(msgs, Message{Role: role, Content: content})
		}
		return msgs, "", nil
	default:
		return nil, "prompt", fmt.Errorf("is %T, want a chat list or a string", p)
	}
}

// groundTruthOf finds the ground truth and returns it as a string, with the field it came from.
// Numbers print in their shortest form; lists and objects as compact JSON.
func groundTruthOf(m map[string]any) (string, string, error) {
	if rm, ok := m["reward_model"]; ok && rm != nil {
		rmm, ok := rm.(map[string]any)
		if !ok {
			return "", "reward_model", fmt.Errorf("is %T, want an object with ground_truth", rm)
		}
		if v, ok := rmm["ground_truth"]; ok && v != nil {
			s, err := gtString(v)
			return s, "reward_model.ground_truth", err
		}
	}
	for _, f := range []string{"answer", "ground_truth"} {
		if v, ok := m[f]; ok && v != nil {
			s, err := gtString(v)
			return s, f, err
		}
	}
	return "", "", nil
}

// gtString renders a ground-truth value as a string.
func gtString(v any) (string, error) {
	switch x := normalizeValue(v).(type) {
	case string:
		return x, nil
	case int64, float64, bool:
		return scalarString(x), nil
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return "", fmt.Errorf("cannot encode %T: %w", v, err)
		}
		return string(b), nil
	}
}

// scalarString prints a normalised scalar without exponent noise.
func scalarString(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}

// normalizeValue turns json.Number and every parquet integer/float width into int64 or float64,
// recursively, so rows from JSONL and parquet look alike.
func normalizeValue(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x)
		}
		return float64(x)
	case float32:
		return float64(x)
	case []byte:
		return string(x)
	case []any:
		out := make([]any, len(x))
		for k, e := range x {
			out[k] = normalizeValue(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalizeValue(e)
		}
		return out
	}
	return v
}
