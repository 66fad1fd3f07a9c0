package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/eval/hipho"
	"github.com/ascent-rl/ascent/internal/testutil"
)

// A contestant who boxes every gold answer of an exam (figures included: the medal thresholds are
// for the whole exam) takes the maximum and a gold medal; one who boxes nothing scores 0 with every
// response counted as no_answer.
func TestEvalHiPhOScoresResponsesIntoExamsAndMedals(t *testing.T) {
	dir := testutil.SharedPath(t, "data", "physics", "hipho")
	exam, err := hipho.Load(dir, "F=MA_2025")
	if err != nil {
		t.Fatal(err)
	}
	var perfect, blank strings.Builder
	n := 0
	for _, p := range exam.Problems {
		golds, err := hipho.Golds(&p)
		if err != nil {
			t.Fatal(err)
		}
		var boxes []string
		for _, g := range golds {
			boxes = append(boxes, `\boxed{`+strings.TrimSuffix(strings.TrimPrefix(g.Answer, `\boxed{`), "}")+"}")
		}
		line, _ := json.Marshal(map[string]string{"id": p.ID, "response": strings.Join(boxes, " "), "model": "oracle"})
		perfect.Write(append(line, '\n'))
		line, _ = json.Marshal(map[string]string{"id": p.ID, "response": "I do not know.", "model": "blank"})
		blank.Write(append(line, '\n'))
		n++
	}
	if n == 0 {
		t.Fatal("F=MA_2025 has no problems")
	}
	resp := filepath.Join(t.TempDir(), "responses.jsonl")
	os.WriteFile(resp, []byte(perfect.String()+blank.String()), 0o644)
	out := t.TempDir()
	stdout, err := runAscent(t, "eval", "--bench", "hipho:F=MA_2025", "--responses", resp, "--grading", "answer", "--all-modalities", "--hipho-dir", dir, "--out", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	raw, err := os.ReadFile(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Models []struct {
			Model  string                     `json:"model"`
			Exams  map[string]hipho.ExamScore `json:"exams"`
			Counts hipho.Counts               `json:"counts"`
		} `json:"models"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || len(doc.Models) != 2 {
		t.Fatalf("results.json %s: %v", raw, err)
	}
	for _, m := range doc.Models {
		e := m.Exams["F=MA_2025"]
		switch m.Model {
		case "oracle":
			if e.Score != e.Max || e.Max <= 0 || e.Medal != "gold" {
				t.Errorf("oracle: %+v, want the maximum and gold", e)
			}
		case "blank":
			if e.Score != 0 || e.Medal != "none" || m.Counts.NoAnswer != n {
				t.Errorf("blank: %+v, counts %+v, want 0, none and %d no_answer", e, m.Counts, n)
			}
		}
	}
	report, _ := os.ReadFile(filepath.Join(out, "report.md"))
	if !strings.Contains(string(report), "oracle") || !strings.Contains(stdout, "wrote "+out) {
		t.Errorf("report.md or stdout lacks the medal table:\n%s\n%s", report, stdout)
	}
	if _, err := runAscent(t, "eval", "--bench", "hipho:IPhO_2030", "--responses", resp, "--hipho-dir", dir, "--out", out); err == nil || !strings.Contains(err.Error(), "IPhO_2025") {
		t.Errorf("an unknown exam: %v, want an error listing the exams", err)
	}
	empty := filepath.Join(t.TempDir(), "empty.jsonl")
	os.WriteFile(empty, nil, 0o644)
	if _, err := runAscent(t, "eval", "--bench", "hipho", "--responses", empty, "--hipho-dir", dir, "--out", out); err == nil || !strings.Contains(err.Error(), "no responses") {
		t.Errorf("an empty responses file: %v", err)
	}
}
