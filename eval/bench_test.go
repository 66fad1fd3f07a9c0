package eval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

func TestEmbeddedBenchmarksLoadWithTheirPublishedSizes(t *testing.T) {
	want := map[string]int{"aime2024": 30, "aime2025": 30, "amc2023": 40, "math500": 500, "minerva_math": 272,
		"olympiadbench": 674, "hmmt_feb_2025": 30, "brumo_2025": 30, "cmimc_2025": 40, "gsm8k": 1319}
	if len(Names()) != len(want) {
		t.Fatalf("registry has %d benchmarks, want %d", len(Names()), len(want))
	}
	for _, n := range Names() {
		b, err := Load(n)
		if err != nil {
			t.Fatalf("Load(%s): %v", n, err)
		}
		if len(b.Problems) != want[n] {
			t.Errorf("%s: %d problems, want %d", n, len(b.Problems), want[n])
		}
		for _, p := range b.Problems {
			if p.Problem == "" || p.Answer == "" || p.ID == "" {
				t.Fatalf("%s: incomplete problem %+v", n, p)
			}
		}
	}
	if !strings.Contains(Provenance(), "CC BY-NC-SA") {
		t.Error("embedded PROVENANCE.md does not state the non-commercial licences")
	}
}

func TestExpandNames(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"the justrl9 group expands to JustRL's nine benchmarks in table order", "justrl9",
			[]string{"aime2024", "aime2025", "amc2023", "math500", "minerva_math", "olympiadbench", "hmmt_feb_2025", "brumo_2025", "cmimc_2025"}},
		{"aliases resolve to canonical names and duplicates collapse", "aime24, AIME2024,math_500", []string{"aime2024", "math500"}},
		{"a group mixed with a name keeps first occurrences", "gsm8k,justrl9,aime25", []string{"gsm8k", "aime2024", "aime2025", "amc2023", "math500",
			"minerva_math", "olympiadbench", "hmmt_feb_2025", "brumo_2025", "cmimc_2025"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ExpandNames(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("ExpandNames(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestUnknownBenchmarkErrorListsKnownNames(t *testing.T) {
	for _, in := range []string{"aime2030", "justrl10"} {
		_, err := ExpandNames(in)
		if err == nil {
			t.Fatalf("ExpandNames(%q) accepted an unknown name", in)
		}
		for _, must := range []string{in, "aime2024", "cmimc_2025", "justrl9"} {
			if !strings.Contains(err.Error(), must) {
				t.Errorf("error %q does not mention %q", err, must)
			}
		}
	}
	if _, err := Load("nope"); err == nil || !strings.Contains(err.Error(), "math500") {
		t.Errorf("Load(nope) error %v does not list the known names", err)
	}
	if _, err := ExpandNames("missing/file.jsonl"); err == nil || !strings.Contains(err.Error(), "missing/file.jsonl") {
		t.Errorf("a missing file is not reported by path: %v", err)
	}
}

func TestLoadFileReadsCommonJSONLLayouts(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mine.jsonl")
	body := `{"question": "1+1?", "gold": 2}
{"problem": "2+2?", "answer": "4", "id": "q2"}

{"prompt": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "3+3? put it in \\boxed{}"}], "reward_model": {"ground_truth": "6"}}
`
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.Name != "mine" || len(b.Problems) != 3 {
		t.Fatalf("got %s with %d problems", b.Name, len(b.Problems))
	}
	got := b.Problems
	if got[0].ID != "0" || got[0].Answer != "2" || got[1].ID != "q2" || got[2].Answer != "6" || !got[2].HasInstruction || got[2].Problem != `3+3? put it in \boxed{}` {
		t.Errorf("problems parsed as %+v", got)
	}
}

func TestLoadFileErrorsNameTheLineAndField(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"a row without an answer", `{"problem": "x"}`, "line 1: missing field: need one of answer"},
		{"a row without a problem", "\n" + `{"answer": "1"}`, "line 2: missing field: need one of problem"},
		{"broken JSON", `{"problem": `, "line 1: invalid JSON"},
		{"duplicate ids", `{"id":"a","problem":"x","answer":"1"}` + "\n" + `{"id":"a","problem":"y","answer":"2"}`, `duplicate problem id "a"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.jsonl")
			os.WriteFile(path, []byte(tc.body), 0o644)
			_, err := LoadFile(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %v, want it to name %s and contain %q", err, path, tc.want)
			}
		})
	}
}

// verlRow is the row layout of verl's math parquet files (data_source, chat prompt, reward_model,
// extra_info), written here with parquet-go's typed writer.
type verlRow struct {
	DataSource  string        `parquet:"data_source"`
	Prompt      []verlMessage `parquet:"prompt,list"`
	Ability     string        `parquet:"ability"`
	RewardModel struct {
		GroundTruth string `parquet:"ground_truth"`
		Style       string `parquet:"style"`
	} `parquet:"reward_model"`
	ExtraInfo struct {
		Index int64  `parquet:"index"`
		Split string `parquet:"split"`
	} `parquet:"extra_info"`
}

type verlMessage struct {
	Role    string `parquet:"role"`
	Content string `parquet:"content"`
}

func TestLoadFileReadsVerlParquet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aime_test.parquet")
	rows := make([]verlRow, 3)
	for i := range rows {
		rows[i].DataSource = "aime"
		rows[i].Prompt = []verlMessage{{"user", "Problem " + string(rune('A'+i)) + JustRLSuffix}}
		rows[i].RewardModel.GroundTruth = string(rune('1' + i))
		rows[i].RewardModel.Style = "rule"
		rows[i].ExtraInfo.Index = int64(100 + i)
	}
	if err := parquet.WriteFile(path, rows); err != nil {
		t.Fatal(err)
	}
	b, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Problems) != 3 {
		t.Fatalf("%d problems", len(b.Problems))
	}
	p := b.Problems[2]
	if p.ID != "102" || p.Answer != "3" || p.Problem != "Problem C"+JustRLSuffix || !p.HasInstruction {
		t.Errorf("row 2 read as %+v", p)
	}
	if got := buildPrompt(&p, JustRLSuffix); got != p.Problem {
		t.Errorf("the suffix was appended twice: %q", got)
	}
}

func FuzzParseJSONL(f *testing.F) {
	f.Add([]byte(`{"problem": "1+1", "answer": 2}`))
	f.Add([]byte(`{"prompt": [{"role": "user", "content": "x"}], "reward_model": {"ground_truth": ["a", "b"]}}`))
	f.Add([]byte("{\"question\": \"q\", \"gold\": \"g\", \"id\": 3}\n\n{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		probs, err := parseJSONL(data, "fuzz.jsonl")
		if err == nil {
			for _, p := range probs {
				if p.Problem == "" || p.Answer == "" || p.ID == "" {
					t.Fatalf("accepted an incomplete problem %+v", p)
				}
			}
		}
	})
}
