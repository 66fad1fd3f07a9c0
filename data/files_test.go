package data

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestJSONLRowsOfEveryShapeLoad(t *testing.T) {
	content := "\xef\xbb\xbf" + `{"id": "a", "prompt": [{"role": "user", "content": "1+1?"}], "reward_model": {"ground_truth": "2", "style": "rule"}, "data_source": "openai/gsm8k", "extra_info": {"index": 7, "split": "train"}}

{"problem": "What is 6*7?", "answer": 42, "source": "mine", "solution": "6*7=42"}
{"question": "Name it.", "ground_truth": ["x", "y"], "data_source": "custom", "demonstration": "It is \\boxed{x}"}
{"prompt": "plain string prompt", "answer": "0.5", "data_source": "ds", "id": 17}
`
	p := writeFile(t, t.TempDir(), "mixed.jsonl", content)
	d, err := LoadFile(p, LoadOptions{DefaultDataSource: "math"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 4 {
		t.Fatalf("%d rows, want 4 (blank lines skipped)", d.Len())
	}
	cases := []struct {
		name                   string
		got                    Example
		id, text, gt, ds, demo string
		extraKey               string
		extraVal               any
	}{
		{"a verl chat row keeps its fields", d.Examples[0], "a", "1+1?", "2", "openai/gsm8k", "", "index", int64(7)},
		{"a problem row gets the default data source and a boxed solution", d.Examples[1], "mixed.jsonl:3", "What is 6*7?", "42", "math", "6*7=42\n\\boxed{42}", "source", "mine"},
		{"a list ground truth becomes JSON", d.Examples[2], "mixed.jsonl:4", "Name it.", `["x","y"]`, "custom", `It is \boxed{x}`, "", nil},
		{"a string prompt and numeric id", d.Examples[3], "17", "plain string prompt", "0.5", "ds", "", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ex := tc.got
			if ex.ID != tc.id || ex.PromptText != tc.text || ex.GroundTruth != tc.gt || ex.DataSource != tc.ds || ex.Demonstration != tc.demo {
				t.Fatalf("got %+v", ex)
			}
			if tc.extraKey != "" && ex.ExtraInfo[tc.extraKey] != tc.extraVal {
				t.Fatalf("extra_info[%s] = %#v, want %#v", tc.extraKey, ex.ExtraInfo[tc.extraKey], tc.extraVal)
			}
		})
	}
}

func TestJSONLBadRowsNameFileRowAndField(t *testing.T) {
	cases := []struct {
		name  string
		row   string
		opts  LoadOptions
		wants []string
	}{
		{"a row without a ground truth", `{"problem": "p", "data_source": "d"}`, LoadOptions{}, []string{"row 2", "ground truth"}},
		{"an empty ground truth", `{"problem": "p", "answer": "", "data_source": "d"}`, LoadOptions{}, []string{"row 2", "ground truth"}},
		{"a row without a prompt", `{"answer": "1", "data_source": "d"}`, LoadOptions{}, []string{"row 2", "prompt"}},
		{"a row without a data source and no default", `{"problem": "p", "answer": "1"}`, LoadOptions{}, []string{"row 2", "data_source"}},
		{"a chat turn without a role", `{"prompt": [{"content": "c"}], "answer": "1", "data_source": "d"}`, LoadOptions{}, []string{"row 2", "prompt[0].role"}},
		{"a chat turn that is not an object", `{"prompt": ["hi"], "answer": "1", "data_source": "d"}`, LoadOptions{}, []string{"row 2", "prompt[0]"}},
		{"a numeric problem", `{"problem": 5, "answer": "1", "data_source": "d"}`, LoadOptions{}, []string{"row 2", "problem"}},
		{"extra_info that is not an object", `{"problem": "p", "answer": "1", "data_source": "d", "extra_info": 3}`, LoadOptions{}, []string{"row 2", "extra_info"}},
		{"reward_model that is not an object", `{"problem": "p", "reward_model": "1", "data_source": "d"}`, LoadOptions{}, []string{"row 2", "reward_model"}},
		{"invalid JSON", `{"problem": "p",`, LoadOptions{}, []string{"row 2", "invalid JSON"}},
		{"a JSON array instead of an object", `[1, 2]`, LoadOptions{}, []string{"row 2"}},
		{"two objects on one line", `{"problem":"p","answer":"1","data_source":"d"} {}`, LoadOptions{}, []string{"row 2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			good := `{"problem": "ok", "answer": "1", "data_source": "d"}`
			p := writeFile(t, t.TempDir(), "bad.jsonl", good+"\n"+tc.row+"\n")
			_, err := LoadJSONL(p, tc.opts)
			if err == nil {
				t.Fatal("bad row accepted")
			}
			for _, w := range append(tc.wants, p) {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestLoadFileRejectsUnknownExtensionsAndMissingFiles(t *testing.T) {
	if _, err := LoadFile("x.csv", LoadOptions{}); err == nil || !strings.Contains(err.Error(), ".jsonl") {
		t.Fatalf("csv: %v", err)
	}
	if _, err := LoadFile(filepath.Join(t.TempDir(), "missing.jsonl"), LoadOptions{}); err == nil || !strings.Contains(err.Error(), "missing.jsonl") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestSharedMathFilesLoad(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "data", "math")
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if len(files) == 0 {
		t.Skipf("no shared math files under %s", dir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			d, err := LoadMath(f, JustRLSuffix)
			if err != nil {
				t.Fatal(err)
			}
			if d.Len() == 0 {
				t.Fatal("no rows")
			}
			ids := map[string]bool{}
			for _, ex := range d.Examples {
				if ex.DataSource != MathDataSource || ex.GroundTruth == "" || !strings.HasSuffix(ex.PromptText, JustRLSuffix) {
					t.Fatalf("row %s: %+v", ex.ID, ex)
				}
				if ex.ExtraInfo["source"] == nil {
					t.Fatalf("row %s lost its source", ex.ID)
				}
				if ids[ex.ID] {
					t.Fatalf("duplicate id %s", ex.ID)
				}
				ids[ex.ID] = true
			}
		})
	}
}

func TestWithSuffixAppendsToTheLastUserTurnOnly(t *testing.T) {
	ex := Example{Prompt: []Message{{"system", "s"}, {"user", "u1"}, {"assistant", "a"}, {"user", "u2"}}, PromptText: "u2"}
	got := WithSuffix(ex, JustRLSuffix)
	want := []Message{{"system", "s"}, {"user", "u1"}, {"assistant", "a"}, {"user", "u2" + JustRLSuffix}}
	if !slices.Equal(got.Prompt, want) || got.PromptText != "u2"+JustRLSuffix {
		t.Fatalf("got %+v", got)
	}
	if ex.Prompt[3].Content != "u2" {
		t.Fatal("WithSuffix modified its input")
	}
	if JustRLPrompt("Find x.") != "Find x.\n\nPlease reason step by step, and put your final answer within \\boxed{}." {
		t.Fatalf("JustRL suffix is %q", JustRLSuffix)
	}
	none := WithSuffix(Example{Prompt: []Message{{"system", "s"}}}, "!")
	if len(none.Prompt) != 2 || none.Prompt[1] != (Message{"user", "!"}) {
		t.Fatalf("no user turn: %+v", none.Prompt)
	}
}

func TestWriteJSONLRoundTripsGeneratedExamples(t *testing.T) {
	for _, name := range []string{"arith", "countdown"} {
		t.Run(name+" examples survive a write and a load", func(t *testing.T) {
			src := NewTaskSource(mustTask(t, name, 2), 1, SplitTest, 25)
			d, err := Materialize(name, src)
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(t.TempDir(), "frozen.jsonl")
			if err := WriteJSONL(p, d.Examples); err != nil {
				t.Fatal(err)
			}
			back, err := LoadJSONL(p, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for k, ex := range d.Examples {
				got := back.Examples[k]
				if got.ID != ex.ID || got.PromptText != ex.PromptText || got.GroundTruth != ex.GroundTruth ||
					got.DataSource != ex.DataSource || got.Demonstration != ex.Demonstration || !slices.Equal(got.Prompt, ex.Prompt) {
					t.Fatalf("row %d:\n got %+v\nwant %+v", k, got, ex)
				}
				if got.ExtraInfo["split"] != "test" || got.ExtraInfo["index"] != int64(k) {
					t.Fatalf("extra_info %#v", got.ExtraInfo)
				}
			}
		})
	}
	if err := WriteJSONL(filepath.Join(t.TempDir(), "no", "such", "dir.jsonl"), nil); err == nil {
		t.Fatal("write into a missing directory succeeded")
	}
}
