package eval

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// newFakeJudge is a real OpenAI-protocol chat server on 127.0.0.1 standing in for CompassVerifier-3B
// (no model weights exist here). It answers "A" when the candidate's answer block spells the standard
// answer in words ("forty-two" for 42), and "B" otherwise.
func newFakeJudge(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var calls atomic.Int64
	words := map[string]string{"42": "forty-two", "5": "five"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		var body struct {
			Model    string `json:"model"`
			Messages []struct {
				Content string `json:"content"`
			} `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Messages) == 0 {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		prompt := body.Messages[0].Content
		std := between(prompt, "<Standard Answer Begin>\n", "\n<Standard Answer End>")
		cand := between(prompt, "<Candidate's Answer Begin>\n", "\n<Candidate's Answer End>")
		letter := "B"
		if wd, ok := words[std]; ok && strings.Contains(cand, wd) {
			letter = "A"
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": "j", "object": "chat.completion", "created": 1, "model": body.Model,
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": letter}}}})
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	if j := strings.Index(s, b); j >= 0 {
		return s[:j]
	}
	return s
}

func TestJudgeGrader(t *testing.T) {
	srv, calls := newFakeJudge(t)
	j := NewJudgeGrader(NewRuleGrader(), srv.URL+"/v1", "CompassVerifier-3B", "", fastRetry)
	tests := []struct {
		name      string
		gold, rsp string
		correct   bool
		by        string
		judged    int64
	}{
		{"the rule accepts without asking the judge", "42", `so \boxed{42}`, true, "rule", 0},
		{"the judge rescues an answer the rule rejects", "42", `<think>hmm</think> The answer is \boxed{\text{forty-two}}`, true, "judge", 1},
		{"the judge can also say wrong", "5", `so \boxed{six}`, false, "judge", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := calls.Load()
			v := j.Grade(context.Background(), GradeInput{Problem: "q", Gold: tc.gold, Response: tc.rsp})
			if v.Correct != tc.correct || v.GradedBy != tc.by || calls.Load()-before != tc.judged {
				t.Errorf("verdict %+v after %d judge calls; want correct=%v by %s after %d", v, calls.Load()-before, tc.correct, tc.by, tc.judged)
			}
		})
	}
	if !strings.Contains(j.Name(), "CompassVerifier-3B") || !strings.Contains(j.Name(), "rule") {
		t.Errorf("grader name %q does not say which grader was used", j.Name())
	}
}

func TestJudgeThatIsDownIsCountedNotHidden(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL + "/v1"
	dead.Close()
	j := NewJudgeGrader(NewRuleGrader(), url, "judge", "", fastRetry)
	v := j.Grade(context.Background(), GradeInput{Gold: "42", Response: `\boxed{41}`})
	if v.Correct || v.Status != "judge_error" || !strings.Contains(v.Detail, "3 attempts") {
		t.Errorf("verdict %+v, want the rule's wrong verdict with status judge_error", v)
	}
}

func TestJudgeLetter(t *testing.T) {
	tests := []struct{ in, want string }{
		{"A", "A"}, {" B\n", "B"}, {`\boxed{A}`, "A"}, {"<think>maybe B</think>C", "C"}, {"Answer: A.", "A"},
		{"CORRECT", "A"}, {"this is a mistake", ""}, {"", ""}, {"The candidate", ""},
	}
	for _, tc := range tests {
		if got := judgeLetter(tc.in); got != tc.want {
			t.Errorf("judgeLetter(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRescoreWithJudgeCountsRescuedSamplesAndNamesTheGrader(t *testing.T) {
	srv, _ := newFakeJudge(t)
	path := writeLines(t,
		`{"id": "p1", "problem": "six times seven?", "response": "\\boxed{42}", "gold": "42"}`,
		`{"id": "p2", "problem": "six times seven, again?", "response": "it is \\boxed{\\text{forty-two}}", "gold": "42"}`,
		`{"id": "p3", "problem": "two plus three?", "response": "\\boxed{6}", "gold": "5"}`)
	out := t.TempDir()
	j := NewJudgeGrader(NewRuleGrader(), srv.URL+"/v1", "CompassVerifier-3B", "", fastRetry)
	g, err := Rescore(context.Background(), path, out, RescoreOptions{}, j)
	if err != nil {
		t.Fatal(err)
	}
	r := g.Groups[""]
	b := r.Benchmarks["responses"]
	if b.ByJudge != 1 || b.NSamples != 3 || b.AvgAtK != 2.0/3 {
		t.Errorf("with judge: %+v", b)
	}
	md, _ := os.ReadFile(filepath.Join(out, ReportFile))
	if !strings.Contains(string(md), "CompassVerifier-3B") || !strings.Contains(r.Grader, "judge") {
		t.Errorf("the report does not name the judge grader: %s", r.Grader)
	}
}
