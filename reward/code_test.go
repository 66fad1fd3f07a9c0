package reward

import (
	"context"
	"strings"
	"testing"

	"github.com/ascent-rl/ascent/answer"
)

// The code rewards run programs in the real bubblewrap sandbox (`make test` installs it).
func TestCodeRewardsScoreProgramsAgainstTheRowsTests(t *testing.T) {
	tests := `{"inputs": ["2\n", "3\n"], "outputs": ["4\n", "9\n"]}`
	square := "```python\nn = int(input())\nprint(n * n)\n```"
	double := "Here is my answer:\n```python\nn = int(input())\nprint(n + n)\n```"
	cases := []struct {
		name, ds, solution, truth string
		score                     float64
		status                    answer.Status
		outcome                   string
	}{
		{"a correct program scores 1", "code", square, tests, 1, answer.StatusOK, "ok"},
		{"code scores the fraction passed", "code", double, tests, 0.5, answer.StatusOK, "wrong_answer"},
		{"code_all needs every test", "code_all", double, tests, 0, answer.StatusOK, "wrong_answer"},
		{"verl's apps data_source is all-pass, as prime_code scores it", "apps/introductory", double, tests, 0, answer.StatusOK, "wrong_answer"},
		{"a crash is the program's failure, not the verifier's", "code", "```python\nraise ValueError()\n```", tests, 0, answer.StatusOK, "runtime_error"},
		{"no program is unparsable", "code", "the answer is 4", tests, 0, answer.StatusUnparsable, "no_code"},
		{"broken tests are the row's error", "code", square, `{"inputs": ["1"]}`, 0, answer.StatusError, ""},
		{"MBPP asserts", "code", "```python\ndef sq(x):\n    return x * x\n```", `["assert sq(3) == 9", "assert sq(-2) == 4"]`, 1, answer.StatusOK, "ok"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := Score(context.Background(), Request{DataSource: tc.ds, Solution: tc.solution, GroundTruth: tc.truth})
			if r.Score != tc.score || r.Status != tc.status || CodeOutcome(r) != tc.outcome {
				t.Fatalf("score %v status %s outcome %q (%s), want %v %s %q", r.Score, r.Status, CodeOutcome(r), r.Detail, tc.score, tc.status, tc.outcome)
			}
		})
	}
}

func TestCodeRewardsGetTheirOwnDeadline(t *testing.T) {
	if Timeout("code") != CodeTimeout || Timeout("apps") != CodeTimeout || Timeout("openai/gsm8k") != DefaultTimeout {
		t.Fatalf("timeouts: code %v, apps %v, gsm8k %v", Timeout("code"), Timeout("apps"), Timeout("openai/gsm8k"))
	}
	if !strings.Contains(strings.Join(Known(), ","), "code_all") {
		t.Fatal("code_all is not registered")
	}
}

func TestCodeOutcomesAreCountedInTheBatchMetrics(t *testing.T) {
	tests := `{"inputs": ["1\n"], "outputs": ["1\n"]}`
	reqs := []Request{
		{DataSource: "code", Solution: "```python\nprint(input())\n```", GroundTruth: tests},
		{DataSource: "code", Solution: "```python\nwhile True: pass\n```", GroundTruth: tests},
		{DataSource: "code", Solution: "no program", GroundTruth: tests},
		{DataSource: "openai/gsm8k", Solution: "\\boxed{3}", GroundTruth: "3"},
	}
	_, st := ScoreBatch(context.Background(), reqs, 2)
	m := st.Metrics()
	for name, want := range map[string]float64{"reward/code/ok_ratio": 0.25, "reward/code/timeout_ratio": 0.25, "reward/code/no_code_ratio": 0.25} {
		if m[name] != want {
			t.Errorf("%s = %v, want %v (metrics %v)", name, m[name], want, m)
		}
	}
}
