package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// maxLine is the longest JSONL line accepted (long reasoning traces run to hundreds of KB).
const maxLine = 64 << 20

// parseJSONL reads one problem per non-empty line; name is used in errors.
func parseJSONL(data []byte, name string) ([]Problem, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 1<<20), maxLine)
	var out []Problem
	line := 0
	for sc.Scan() {
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, fmt.Errorf("eval: %s line %d: invalid JSON: %w", name, line, err)
		}
		p, err := problemFromRecord(rec, len(out))
		if err != nil {
			return nil, fmt.Errorf("eval: %s line %d: %w", name, line, err)
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("eval: read %s: %w", name, err)
	}
	return checkProblems(out, name)
}

// readParquet reads a verl-style parquet file with the schema-driven map reader (typed reads return
// empty list<struct> values when the list element is named `item`, as in files written by pandas).
func readParquet(path string) ([]Problem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("eval: open %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("eval: stat %s: %w", path, err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("eval: read parquet %s: %w", path, err)
	}
	r := parquet.NewReader(pf) // cannot panic: pf is already open and no options are given
	defer r.Close()
	var out []Problem
	for i := 0; ; i++ {
		rec := map[string]any{}
		if err := r.Read(&rec); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("eval: read parquet %s row %d: %w", path, i, err)
		}
		p, err := problemFromRecord(rec, i)
		if err != nil {
			return nil, fmt.Errorf("eval: %s row %d: %w", path, i, err)
		}
		out = append(out, p)
	}
	return checkProblems(out, path)
}

// checkProblems rejects empty files and duplicate IDs.
func checkProblems(probs []Problem, name string) ([]Problem, error) {
	if len(probs) == 0 {
		return nil, fmt.Errorf("eval: %s holds no problems", name)
	}
	seen := make(map[string]bool, len(probs))
	for _, p := range probs {
		if seen[p.ID] {
			return nil, fmt.Errorf("eval: %s: duplicate problem id %q", name, p.ID)
		}
		seen[p.ID] = true
	}
	return probs, nil
}

// problemFromRecord maps the common field names of math datasets onto a Problem. index is used as the ID
// when the record carries none.
func problemFromRecord(rec map[string]any, index int) (Problem, error) {
	var p Problem
	for _, k := range []string{"problem", "question", "prompt", "input"} {
		v, ok := rec[k]
		if !ok || v == nil {
			continue
		}
		if s, ok := v.(string); ok {
			p.Problem = s
			break
		}
		if text, ok := lastUserContent(v); ok {
			p.Problem = text
			p.HasInstruction = strings.Contains(text, `\boxed`)
			break
		}
		return p, fmt.Errorf("field %q: want a string or a chat list of {role, content}, got %T", k, v)
	}
	if p.Problem == "" {
		return p, fmt.Errorf("missing field: need one of problem, question, prompt (string or chat list)")
	}
	if rm, ok := rec["reward_model"].(map[string]any); ok {
		if s, ok := scalarString(rm["ground_truth"]); ok {
			p.Answer = s
		}
	}
	for _, k := range []string{"answer", "gold", "ground_truth", "final_answer"} {
		if p.Answer != "" {
			break
		}
		if s, ok := scalarString(rec[k]); ok {
			p.Answer = s
		}
	}
	if p.Answer == "" {
		return p, fmt.Errorf("missing field: need one of answer, gold, ground_truth, reward_model.ground_truth")
	}
	for _, k := range []string{"id", "problem_id", "unique_id", "idx"} {
		if s, ok := scalarString(rec[k]); ok && s != "" {
			p.ID = s
			return p, nil
		}
	}
	if ei, ok := rec["extra_info"].(map[string]any); ok {
		if s, ok := scalarString(ei["index"]); ok && s != "" {
			p.ID = s
			return p, nil
		}
	}
	p.ID = strconv.Itoa(index)
	return p, nil
}

// lastUserContent returns the content of the last user turn of a chat list ([]any of {role, content}).
func lastUserContent(v any) (string, bool) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return "", false
	}
	text, found := "", false
	for _, m := range list {
		msg, ok := m.(map[string]any)
		if !ok {
			return "", false
		}
		// pandas-written parquet wraps list elements as {"element": ...} or {"item": ...}.
		for _, wrap := range []string{"element", "item"} {
			if inner, ok := msg[wrap].(map[string]any); ok && len(msg) == 1 {
				msg = inner
			}
		}
		role, _ := msg["role"].(string)
		content, ok := msg["content"].(string)
		if !ok {
			continue
		}
		if role == "user" || role == "" {
			text, found = content, true
		}
	}
	return text, found
}

// scalarString renders a JSON/parquet scalar as a string: strings as is, whole numbers without a
// decimal point, and a one-element list as its element (verl stores some ground truths as lists).
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32), true
	case int:
		return strconv.Itoa(x), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case json.Number:
		return x.String(), true
	case []byte:
		return string(x), true
	case []any:
		if len(x) == 1 {
			return scalarString(x[0])
		}
		parts := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := scalarString(e)
			if !ok {
				return "", false
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ", "), len(parts) > 0
	}
	return "", false
}
