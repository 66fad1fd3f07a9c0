package hipho

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/answer"
)

// bench is a Benchmark over the shared data.
func bench(t testing.TB, opt Options) *Benchmark {
	t.Helper()
	opt.Dir = dataDir(t)
	b, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// goldResponse boxes the problem's gold answers in order, each followed by its unit when withUnits.
func goldResponse(p *Problem, withUnits bool) string {
	var s strings.Builder
	s.WriteString("Working omitted.\n")
	for i, a := range p.Answer {
		s.WriteString("so " + a)
		if u := p.UnitOf(i); u != "" && withUnits {
			s.WriteString(" " + u)
		}
		s.WriteString(".\n")
	}
	return s.String()
}

func goldResponses(e *Exam, model string, withUnits bool) []Response {
	out := make([]Response, len(e.Problems))
	for i := range e.Problems {
		out[i] = Response{ID: e.Problems[i].ID, Response: goldResponse(&e.Problems[i], withUnits), Model: model}
	}
	return out
}

// TestGoldResponsesEarnEveryGradableSubAnswer scores, for every exam, responses that box the gold
// answers: every sub-answer earns its points except Open-Ended ones (no gold: step-level only) and
// the malformed golds the verifier reports unparsable; the exam score is the sum and the medal
// follows the thresholds.
func TestGoldResponsesEarnEveryGradableSubAnswer(t *testing.T) {
	b := bench(t, Options{Grading: GradingAnswer})
	pub, err := LoadPublished(filepath.Join(dataDir(t), "hipho.json"))
	if err != nil {
		t.Fatal(err)
	}
	th := pub.Thresholds()
	for _, name := range b.Names() {
		e, _ := b.Exam(name)
		res, err := b.ScoreResponses(context.Background(), goldResponses(e, "oracle", false))
		if err != nil {
			t.Fatal(err)
		}
		withUnits, err := b.ScoreResponses(context.Background(), goldResponses(e, "oracle", true))
		if err != nil {
			t.Fatal(err)
		}
		es, sum := res.Exams[name], 0.0
		for _, p := range e.Problems {
			g := res.Grades[p.ID]
			for i, s := range g.Sub {
				sum += s.Earned
				if !s.Verdict.Correct && p.AnswerType[i] != "Open-Ended" && s.Verdict.Status != answer.StatusUnparsable {
					t.Errorf("%s sub-answer %d (%s): %+v", p.ID, i+1, p.AnswerType[i], s.Verdict)
				}
			}
		}
		want := None
		if x, ok := th[name]; ok {
			want = x.Medal(es.Score)
		}
		if !near(es.Score, round6(sum)) || es.Medal != want || len(es.Problems) != len(e.Problems) {
			t.Errorf("%s: score %g (sum %g), medal %s (want %s)", name, es.Score, sum, es.Medal, want)
		}
		// The unit written after a box (P1's format) costs nothing: a box with its own unit keeps
		// it, a boxed interval takes the unit after it, a symbolic answer drops the gold's unit.
		if wu := withUnits.Exams[name].Score; !near(wu, es.Score) {
			t.Errorf("%s: gold answers earn %g with units written after the boxes, %g without", name, wu, es.Score)
		}
		t.Logf("%s: gold answers earn %g of %g answer-level (%g with units written after the boxes)", name, es.Score, es.Max, withUnits.Exams[name].Score)
	}
}

func TestAnswerLevelGrading(t *testing.T) {
	b := bench(t, Options{})
	cases := []struct {
		name, id, response string
		score              float64
		status             string
	}{
		{"each correct sub-answer earns its points", "IPhO_2025_1_A_2",
			`\boxed{E = -\frac{e^2}{8\pi\varepsilon_0 r}} \boxed{r_n = \frac{4\pi\varepsilon_0\hbar^2 n^2}{m_e e^2}} \boxed{5.31\times10^{-11}} m \boxed{-27.2} eV`, -1, StatusOK},
		{"a response without boxes scores 0 as no_answer", "IPhO_2025_1_A_1", "The velocity is v = sqrt(e^2/(4 pi eps0 m r)).", 0, StatusNoAnswer},
		{"a wrong box scores 0", "IPhO_2025_1_A_1", `\boxed{v = \frac{e^2}{4\pi\varepsilon_0 m_e r}}`, 0, StatusOK},
		{"the right box scores the problem's points", "IPhO_2025_1_A_1", `so \boxed{v = \sqrt{\frac{e^2}{4\pi\varepsilon_0 m_e r}}}`, 0.2, StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := b.ScoreResponses(context.Background(), []Response{{ID: c.id, Response: c.response}})
			if err != nil {
				t.Fatal(err)
			}
			g := res.Grades[c.id]
			if g.Status != c.status || (c.score >= 0 && !near(g.Score, c.score)) {
				t.Fatalf("score %g status %s; want %g %s (%+v)", g.Score, g.Status, c.score, c.status, g.Sub)
			}
			if c.status == StatusNoAnswer && res.Counts.NoAnswer != 1 {
				t.Fatalf("no_answer not counted: %+v", res.Counts)
			}
			if res.Counts.Missing != len(res.Exams["IPhO_2025"].Problems)-1 {
				t.Fatalf("missing %d", res.Counts.Missing)
			}
		})
	}
	// The first case: three of four sub-answers are right (the 4th gold is not -27.2 eV), or all four.
	res, _ := b.ScoreResponses(context.Background(), []Response{{ID: cases[0].id, Response: cases[0].response}})
	g := res.Grades[cases[0].id]
	sum := 0.0
	for _, s := range g.Sub {
		if s.Verdict.Correct != (s.Earned == s.Points) {
			t.Fatalf("earned does not follow the verdict: %+v", s)
		}
		sum += s.Earned
	}
	if !near(sum, g.Score) || g.Sub[2].Earned != 0.1 {
		t.Fatalf("sub-answers %+v, score %g", g.Sub, g.Score)
	}
}

func TestResultJSONLayout(t *testing.T) {
	b := bench(t, Options{Exams: []string{"F=MA_2025"}})
	res, err := b.ScoreResponses(context.Background(), []Response{{ID: "F=MA_2025_01", Response: `\boxed{A}`}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(res)
	var got map[string]map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &got); err != nil || len(got) != 1 {
		t.Fatalf("%s: %v", raw, err)
	}
	es := got["exams"]["F=MA_2025"]
	if len(es) != 4 || es["score"] == nil || es["max"] == nil || es["medal"] == nil || es["problems"] == nil {
		t.Fatalf("layout %s", raw)
	}
	var probs map[string]float64
	json.Unmarshal(es["problems"], &probs)
	if len(probs) != 25 || string(es["max"]) != "25" {
		t.Fatalf("%s", raw)
	}
}

func TestScoringErrors(t *testing.T) {
	b := bench(t, Options{})
	cases := []struct {
		name  string
		resps []Response
		want  string
	}{
		{"an unknown problem id", []Response{{ID: "IPhO_2025_9_Z"}}, "unknown problem"},
		{"an unknown exam lists the known ones", []Response{{ID: "IPhO_2025_1_A_1", Exam: "IPhO_2026"}}, "IPhO_2025, NBPhO_2024"},
		{"a problem the exam does not have", []Response{{ID: "IPhO_2025_1_A_1", Exam: "APhO_2025"}}, "exam APhO_2025 has no problem"},
		{"a duplicate response", []Response{{ID: "IPhO_2025_1_A_1"}, {ID: "IPhO_2025_1_A_1"}}, "two responses"},
		{"several models", []Response{{ID: "IPhO_2025_1_A_1", Model: "a"}, {ID: "IPhO_2025_1_A_2", Model: "b"}}, "several models"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := b.ScoreResponses(context.Background(), c.resps)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
	if _, err := New(Options{Dir: dataDir(t), Exams: []string{"IPhO_2030"}}); err == nil || !strings.Contains(err.Error(), "F=MA_2025") {
		t.Fatalf("unknown --bench exam: %v", err)
	}
	if _, err := New(Options{Dir: dataDir(t), Grading: GradingStep}); err == nil || !strings.Contains(err.Error(), "judge") {
		t.Fatalf("step without judge: %v", err)
	}
	if _, err := ReadResponses(strings.NewReader("{\"id\": \"x\"}\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("no response field: %v", err)
	}
	if got, err := ParseBench("hipho:IPhO_2025, F=MA_2025"); err != nil || len(got) != 2 || got[1] != "F=MA_2025" {
		t.Fatalf("ParseBench: %v %v", got, err)
	}
}

func TestTextOnlySkipsProblemsWithFigures(t *testing.T) {
	b := bench(t, Options{TextOnly: true, Exams: []string{"IPhO_2025"}})
	full, _ := Load(dataDir(t), "IPhO_2025")
	res, err := b.ScoreResponses(context.Background(), goldResponses(full, "", false))
	if err != nil {
		t.Fatal(err)
	}
	text := full.TextOnly()
	es := res.Exams["IPhO_2025"]
	if len(es.Problems) != len(text.Problems) || res.Counts.Skipped != len(full.Problems)-len(text.Problems) || !near(es.Max, round6(text.MaxPoints())) || !near(es.Score, es.Max) {
		t.Fatalf("%d problems, skipped %d, %g of %g", len(es.Problems), res.Counts.Skipped, es.Score, es.Max)
	}
}

func TestRunReadsAResponsesFileAndByModelStandings(t *testing.T) {
	e, err := Load(dataDir(t), "EuPhO_2025")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, r := range goldResponses(e, "oracle", false) {
		enc.Encode(r)
	}
	enc.Encode(Response{ID: e.Problems[0].ID, Response: "no idea", Model: "guesser", Exam: e.Name})
	path := filepath.Join(t.TempDir(), "responses.jsonl")
	os.WriteFile(path, buf.Bytes(), 0o644)
	if _, err := Run(context.Background(), path, Options{Dir: dataDir(t)}); err == nil {
		t.Fatal("two models in one Run should be an error")
	}
	b := bench(t, Options{})
	resps, _ := ReadResponses(bytes.NewReader(buf.Bytes()))
	results, err := b.ScoreByModel(context.Background(), resps)
	if err != nil || len(results) != 2 {
		t.Fatal(err)
	}
	oracle := results[1].Exams["EuPhO_2025"]
	if results[1].Model != "oracle" || oracle.Medal != Gold || oracle.Score < 20 {
		t.Fatalf("oracle: %+v", oracle)
	}
	table := MedalTable(Standings(results), []string{"EuPhO_2025"})
	if !strings.Contains(table, "| 1 | oracle | 1 | 0 | 0 | "+formatPoints(oracle.Score)+" 🥇 |") || !strings.Contains(table, "| 2 | guesser | 0 | 0 | 0 | 0 |") {
		t.Fatalf("table:\n%s", table)
	}
}

func TestPrompt(t *testing.T) {
	ipho, _ := Load(dataDir(t), "IPhO_2025")
	apho, _ := Load(dataDir(t), "APhO_2025")
	p := ipho.Problem("IPhO_2025_1_A_2")
	cases := []struct {
		name    string
		prompt  string
		want    []string
		wantNot []string
	}{
		{"multi-answer IPhO problem", Prompt(ipho, p), []string{"4 final answers", "its own \\boxed{}", "Do not put units inside a box", "Speed of light in vacuum", p.Context[:30], p.Question}, nil},
		{"single answer without a constants sheet", Prompt(apho, apho.Problem("APhO_2025_1_A_2")), []string{"1 final answer", "single \\boxed{}", apho.Problem("APhO_2025_1_A_2").Question[:20]}, []string{"None.", "Constants and general"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, w := range c.want {
				if !strings.Contains(c.prompt, w) {
					t.Errorf("prompt lacks %q", w)
				}
			}
			for _, w := range c.wantNot {
				if strings.Contains(c.prompt, w) {
					t.Errorf("prompt has %q", w)
				}
			}
		})
	}
}

func TestItemsListPromptsOfTheSelectedExams(t *testing.T) {
	cases := []struct {
		name  string
		opt   Options
		names []string
		n     int
	}{
		{"every exam", Options{}, nil, 403},
		{"the --bench selection", Options{Exams: []string{"IPhO_2025", "F=MA_2025"}}, nil, 64},
		{"text-only problems of every exam", Options{TextOnly: true}, nil, 128},
		{"explicit names", Options{}, []string{"EuPhO_2025"}, 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			items, err := bench(t, c.opt).Items(c.names)
			if err != nil || len(items) != c.n {
				t.Fatalf("%d items (%v), want %d", len(items), err, c.n)
			}
			if !strings.Contains(items[0].Prompt, "\\boxed{}") || items[0].ID == "" || items[0].Exam == "" {
				t.Fatalf("%+v", items[0])
			}
		})
	}
	if _, err := bench(t, Options{}).Items([]string{"nope"}); err == nil || !strings.Contains(err.Error(), "known:") {
		t.Fatalf("unknown exam: %v", err)
	}
}
