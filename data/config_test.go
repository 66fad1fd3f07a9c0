package data

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultConfigOpensTheNewcomerTask(t *testing.T) {
	train, val, err := DefaultConfig().Open()
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 10000 || val == nil || val.Len() != 256 {
		t.Fatalf("sizes %d / %v", train.Len(), val)
	}
	ex, err := train.At(0)
	if err != nil || ex.DataSource != ArithDataSource {
		t.Fatalf("%+v %v", ex, err)
	}
	v, _ := val.At(0)
	if v.ExtraInfo["split"] != "test" {
		t.Fatalf("validation example is from %v", v.ExtraInfo["split"])
	}
}

func TestConfigOpensFilesWithTheJustRLSuffix(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.jsonl", `{"problem": "p1", "answer": "1"}`+"\n")
	b := writeFile(t, dir, "b.jsonl", `{"problem": "p2", "answer": "2", "data_source": "other"}`+"\n")
	cfg := Config{TrainFiles: []string{a, b}, ValFiles: []string{b}, DefaultDataSource: "math", PromptSuffix: "justrl", Shuffle: true}
	train, val, err := cfg.Open()
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 2 || val.Len() != 1 {
		t.Fatalf("sizes %d %d", train.Len(), val.Len())
	}
	ex, _ := train.At(0)
	if ex.PromptText != "p1"+JustRLSuffix || ex.DataSource != "math" {
		t.Fatalf("%+v", ex)
	}
	ex2, _ := train.At(1)
	if ex2.DataSource != "other" {
		t.Fatalf("row data_source overridden: %+v", ex2)
	}
}

func TestConfigErrorsNameTheProblem(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"neither task nor files", Config{}, "train_files"},
		{"both task and files", Config{Task: "arith", Level: 1, TrainSize: 1, TrainFiles: []string{"x.jsonl"}}, "choose one"},
		{"an unknown task lists the known ones", Config{Task: "chess", Level: 1, TrainSize: 1}, "countdown"},
		{"a zero train size", Config{Task: "arith", Level: 1}, "train_size"},
		{"a bad level", Config{Task: "arith", Level: 0, TrainSize: 1}, "level"},
		{"a bad override", Config{Task: "countdown", Level: 1, TrainSize: 1, Overrides: map[string]any{"numbers": 9}}, "numbers"},
		{"a missing file", Config{TrainFiles: []string{filepath.Join("no", "such.jsonl")}}, "such.jsonl"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := tc.cfg.Open()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v does not mention %q", err, tc.want)
			}
		})
	}
}
