package data

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// itemList is a LIST-annotated group whose element is not named "element": parquet.List always
// names it "element", but pyarrow before use_compliant_nested_type (and many HF datasets) write "item".
type itemList struct{ parquet.Group }

func (itemList) Type() parquet.Type { return parquet.List(parquet.String()).Type() }

// verlSchema is the schema pyarrow writes for verl rows: every field optional, prompt a
// list<struct<content, role>> whose element group is called elem ("element" or "item").
func verlSchema(elem string) *parquet.Schema {
	msg := parquet.Group{"role": parquet.Optional(parquet.String()), "content": parquet.Optional(parquet.String())}
	return parquet.NewSchema("schema", parquet.Group{
		"data_source": parquet.Optional(parquet.String()),
		"prompt":      parquet.Optional(itemList{parquet.Group{"list": parquet.Repeated(parquet.Group{elem: parquet.Optional(msg)})}}),
		"ability":     parquet.Optional(parquet.String()),
		"reward_model": parquet.Optional(parquet.Group{
			"ground_truth": parquet.Optional(parquet.String()), "style": parquet.Optional(parquet.String())}),
		"extra_info": parquet.Optional(parquet.Group{
			"index": parquet.Optional(parquet.Int(64)), "split": parquet.Optional(parquet.String())}),
	})
}

// shred encodes a row given as nested Go values (map[string]any, []any for lists, nil for null)
// into parquet values with repetition/definition levels (Dremel encoding). parquet-go's own
// map writer drops optional list elements, so the test writes levels itself; the reader under
// test is parquet-go's map reader.
func shred(schema *parquet.Schema, row map[string]any) parquet.Row {
	var out parquet.Row
	var walk func(node parquet.Node, path []string, v any, r, d, depth int)
	nulls := func(node parquet.Node, path []string, r, d int) {
		var all func(n parquet.Node, p []string)
		all = func(n parquet.Node, p []string) {
			if n.Leaf() {
				leaf, _ := schema.Lookup(p...)
				out = append(out, parquet.Value{}.Level(r, d, leaf.ColumnIndex))
				return
			}
			for _, f := range n.Fields() {
				all(f, append(slices.Clone(p), f.Name()))
			}
		}
		all(node, path)
	}
	walk = func(node parquet.Node, path []string, v any, r, d, depth int) {
		if node.Optional() {
			if v == nil {
				nulls(node, path, r, d)
				return
			}
			d++
		}
		switch {
		case node.Leaf():
			leaf, _ := schema.Lookup(path...)
			out = append(out, parquet.ValueOf(v).Level(r, d, leaf.ColumnIndex))
		case isListNode(node):
			rep := node.Fields()[0]
			elem := rep.Fields()[0]
			items := v.([]any)
			repPath := append(slices.Clone(path), rep.Name())
			if len(items) == 0 {
				nulls(rep, repPath, r, d)
				return
			}
			for k, it := range items {
				rr := r
				if k > 0 {
					rr = depth + 1
				}
				walk(elem, append(slices.Clone(repPath), elem.Name()), it, rr, d+1, depth+1)
			}
		default:
			m := v.(map[string]any)
			for _, f := range node.Fields() {
				walk(f, append(slices.Clone(path), f.Name()), m[f.Name()], r, d, depth)
			}
		}
	}
	for _, f := range schema.Fields() {
		walk(f, []string{f.Name()}, row[f.Name()], 0, 0, 0)
	}
	slices.SortStableFunc(out, func(a, b parquet.Value) int { return a.Column() - b.Column() })
	return out
}

// isListNode reports whether node carries the LIST logical type.
func isListNode(node parquet.Node) bool {
	if node.Leaf() {
		return false
	}
	lt := node.Type().LogicalType()
	if lt == nil {
		return false
	}
	_, ok := lt.Value.(*format.ListType)
	return ok
}

// writeParquet writes rows in the verl schema to a file in dir and returns its path.
func writeParquet(t *testing.T, dir, name, elem string, rows []map[string]any) string {
	t.Helper()
	schema := verlSchema(elem)
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewWriter(f, schema)
	for _, r := range rows {
		if _, err := w.WriteRows([]parquet.Row{shred(schema, r)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func verlRow(i int64, question, gt string) map[string]any {
	return map[string]any{
		"data_source": "openai/gsm8k",
		"prompt": []any{
			map[string]any{"role": "system", "content": "You are careful."},
			map[string]any{"role": "user", "content": question},
		},
		"ability":      "math",
		"reward_model": map[string]any{"ground_truth": gt, "style": "rule"},
		"extra_info":   map[string]any{"index": i, "split": "train"},
	}
}

func TestParquetVerlRowsLoadWithElementOrItemLists(t *testing.T) {
	for _, elem := range []string{"element", "item"} {
		t.Run("list element named "+elem, func(t *testing.T) {
			path := writeParquet(t, t.TempDir(), "train.parquet", elem, []map[string]any{
				verlRow(0, "What is 6*7?", "42"), verlRow(1, "What is 2+2?", "4"),
			})
			d, err := LoadFile(path, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if d.Len() != 2 {
				t.Fatalf("%d rows, want 2", d.Len())
			}
			ex := d.Examples[0]
			wantPrompt := []Message{{"system", "You are careful."}, {"user", "What is 6*7?"}}
			if !slices.Equal(ex.Prompt, wantPrompt) || ex.PromptText != "What is 6*7?" {
				t.Fatalf("prompt %+v / %q", ex.Prompt, ex.PromptText)
			}
			if ex.GroundTruth != "42" || ex.DataSource != "openai/gsm8k" || ex.ID != "train.parquet:0" {
				t.Fatalf("example %+v", ex)
			}
			if ex.ExtraInfo["index"] != int64(0) || ex.ExtraInfo["split"] != "train" || ex.ExtraInfo["ability"] != "math" {
				t.Fatalf("extra_info %#v", ex.ExtraInfo)
			}
		})
	}
}

func TestParquetRowWithoutGroundTruthNamesFileRowAndField(t *testing.T) {
	bad := verlRow(1, "What is 2+2?", "")
	bad["reward_model"] = map[string]any{"ground_truth": nil, "style": "rule"}
	path := writeParquet(t, t.TempDir(), "bad.parquet", "element", []map[string]any{verlRow(0, "q", "1"), bad})
	_, err := LoadParquet(path, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "bad.parquet row 2") || !strings.Contains(err.Error(), "ground_truth") {
		t.Fatalf("error %v does not name the file, row 2 and ground_truth", err)
	}
}

func TestParquetRowWithEmptyPromptIsAnError(t *testing.T) {
	bad := verlRow(0, "q", "1")
	bad["prompt"] = []any{}
	path := writeParquet(t, t.TempDir(), "empty.parquet", "item", []map[string]any{bad})
	if _, err := LoadParquet(path, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "prompt") {
		t.Fatalf("empty prompt list: %v", err)
	}
}

func TestCorruptParquetIsAnErrorNotAPanic(t *testing.T) {
	dir := t.TempDir()
	good := writeParquet(t, dir, "good.parquet", "element", []map[string]any{verlRow(0, "q", "1")})
	raw, _ := os.ReadFile(good)
	cases := map[string][]byte{
		"garbage":   []byte("this is not parquet at all, just text"),
		"truncated": raw[:len(raw)/2],
		"empty":     {},
	}
	for name, content := range cases {
		t.Run(name+" file", func(t *testing.T) {
			p := filepath.Join(dir, name+".parquet")
			os.WriteFile(p, content, 0o644)
			if _, err := LoadParquet(p, LoadOptions{}); err == nil || !strings.Contains(err.Error(), p) {
				t.Fatalf("error %v does not name %s", err, p)
			}
		})
	}
}

// pyarrowWriter writes one verl row with pyarrow, naming the list element "element" (compliant)
// or "item" (pyarrow's legacy default).
const pyarrowWriter = `
import sys, pyarrow as pa, pyarrow.parquet as pq
rows = [{"data_source": "openai/gsm8k", "prompt": [{"role": "user", "content": "What is 6*7?"}],
         "ability": "math", "reward_model": {"ground_truth": "42", "style": "rule"},
         "extra_info": {"index": 0, "split": "train"}}]
pq.write_table(pa.Table.from_pylist(rows), sys.argv[1], use_compliant_nested_type=(sys.argv[2] == "element"))
`

func TestParquetWrittenByPyarrowLoads(t *testing.T) {
	if err := exec.Command("python3", "-c", "import pyarrow").Run(); err != nil {
		t.Skip("python3 with pyarrow is not installed; the parquet-go-written files above cover the schema")
	}
	for _, elem := range []string{"element", "item"} {
		t.Run("pyarrow list element named "+elem, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "py.parquet")
			if out, err := exec.Command("python3", "-c", pyarrowWriter, p, elem).CombinedOutput(); err != nil {
				t.Fatalf("pyarrow: %v\n%s", err, out)
			}
			d, err := LoadParquet(p, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ex := d.Examples[0]
			if ex.PromptText != "What is 6*7?" || ex.GroundTruth != "42" || ex.DataSource != "openai/gsm8k" || ex.ExtraInfo["index"] != int64(0) {
				t.Fatalf("%+v", ex)
			}
		})
	}
}
