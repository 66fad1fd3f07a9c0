package eeextract

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/agent"
	"github.com/ascent-rl/ascent/agent/agenttest"
	"github.com/ascent-rl/ascent/ee"
	"github.com/ascent-rl/ascent/internal/testutil"
)

// The oracle answers the prompts from the gold annotation, as a perfect model would.

var (
	reSentence = regexp.MustCompile(`(?m)^Sentence: (.*)$`)
	reCand     = regexp.MustCompile(`(?m)^- ([A-Za-z]+\.[A-Za-z]+): `)
	reType     = regexp.MustCompile(`(?m)^Event type: ([A-Za-z]+\.[A-Za-z]+):`)
	reTrigger  = regexp.MustCompile(`(?m)^Trigger: .* \(at character (\d+)\)$`)
)

type oracle struct{ byText map[string]ee.Sentence }

func newOracle(sents []ee.Sentence) oracle {
	o := oracle{byText: map[string]ee.Sentence{}}
	for _, s := range sents {
		o.byText[s.Text] = s
	}
	return o
}

func (o oracle) sentence(t *testing.T, prompt string) ee.Sentence {
	m := reSentence.FindStringSubmatch(prompt)
	if m == nil {
		t.Errorf("prompt without a sentence: %q", prompt)
		return ee.Sentence{}
	}
	return o.byText[m[1]]
}

type span struct {
	Text  string `json:"text"`
	Start int    `json:"start"`
}

type arg struct {
	Role  string `json:"role"`
	Text  string `json:"text"`
	Start int    `json:"start"`
}

// detect replies with the gold events whose type is among the prompt's candidates.
func (o oracle) detect(t *testing.T, prompt string) string { return o.detectAs(t, prompt, nil) }

// detectAs is detect with some events' types replaced: swap maps "id@start" of a gold trigger to
// the type to report instead ("" to leave the event out).
func (o oracle) detectAs(t *testing.T, prompt string, swap map[string]string) string {
	s := o.sentence(t, prompt)
	listed := map[string]bool{}
	for _, m := range reCand.FindAllStringSubmatch(prompt, -1) {
		listed[m[1]] = true
	}
	out := []map[string]any{}
	for _, e := range s.Events {
		if typ, ok := swap[s.ID+"@"+strconv.Itoa(e.Trigger.Start)]; ok {
			e.Type = typ
		}
		if listed[e.Type] {
			out = append(out, map[string]any{"type": e.Type, "trigger": span{e.Trigger.Text, e.Trigger.Start}})
		}
	}
	return mustJSON(t, out)
}

// event finds the gold event an arguments or recheck prompt is about.
func (o oracle) event(t *testing.T, prompt string) (ee.Sentence, ee.Event) {
	s := o.sentence(t, prompt)
	tm, sm := reType.FindStringSubmatch(prompt), reTrigger.FindStringSubmatch(prompt)
	if tm == nil || sm == nil {
		t.Errorf("prompt without a type or trigger: %q", prompt)
		return s, ee.Event{}
	}
	start, _ := strconv.Atoi(sm[1])
	for _, e := range s.Events {
		if e.Type == tm[1] && e.Trigger.Start == start {
			return s, e
		}
	}
	return s, ee.Event{}
}

// arguments replies with the gold arguments of the prompt's event.
func (o oracle) arguments(t *testing.T, prompt string) string {
	_, e := o.event(t, prompt)
	out := []arg{}
	for _, a := range e.Arguments {
		out = append(out, arg{a.Role, a.Text, a.Start})
	}
	return mustJSON(t, out)
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fixture loads the shared ontology and the first n dev sentences whose gold types are all in
// their top-k candidates (so a perfect model scores F1 = 1).
func fixture(t *testing.T, k, n int) (*ee.Ontology, []ee.Sentence) {
	t.Helper()
	ont, err := ee.LoadOntology(testutil.SharedPath(t, "data", "ee", "ontology.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	dev, err := ee.LoadSentences(testutil.SharedPath(t, "data", "ee", "dev.jsonl"), ont)
	if err != nil {
		t.Fatal(err)
	}
	idx := ee.NewIndex(ont)
	var out []ee.Sentence
	for _, s := range dev {
		top := map[string]bool{}
		for _, c := range idx.TopK(s.Text, k) {
			top[c.Type] = true
		}
		all := len(s.Events) > 0
		for _, e := range s.Events {
			all = all && top[e.Type]
		}
		if all {
			out = append(out, s)
		}
		if len(out) == n {
			break
		}
	}
	return ont, out
}

// newSession builds a client for srv with a short timeout and an in-memory trace.
func newSession(t *testing.T, url, model, workflow string) *agent.Session {
	t.Helper()
	c, err := agent.NewClient(agent.Config{Endpoint: url, Model: model, Workflow: workflow,
		Timeout: 300 * time.Millisecond, Backoff: 10 * time.Millisecond, Retries: 2})
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := agent.OpenTrace("")
	return agent.NewSession(c, tr, agent.Budget{})
}

var (
	reOption   = regexp.MustCompile(`(?m)^([A-Z])\. ([^:\n]+)`)
	reArgument = regexp.MustCompile(`(?m)^Argument: .* \(at character (\d+)\)$`)
	rePersona  = regexp.MustCompile(`^You are annotator (\w+)\.`)
)

// refine answers a refinement question with the option named want, or the gold type when want
// is "".
func (o oracle) refine(t *testing.T, prompt, want string) string {
	if m := reArgument.FindStringSubmatch(prompt); m != nil && want == "" {
		_, e := o.event(t, prompt)
		want = NoneOfThese
		for _, a := range e.Arguments {
			if strconv.Itoa(a.Start) == m[1] {
				want = a.Role
			}
		}
	}
	if want == "" {
		s := o.sentence(t, prompt)
		sm := reTrigger.FindStringSubmatch(prompt)
		want = NoneOfThese
		for _, e := range s.Events {
			if sm != nil && strconv.Itoa(e.Trigger.Start) == sm[1] {
				want = e.Type
			}
		}
	}
	for _, m := range reOption.FindAllStringSubmatch(prompt, -1) {
		if m[2] == want {
			return `{"answer": "` + m[1] + `"}`
		}
	}
	t.Errorf("option %q not offered in %q", want, prompt)
	return `{"answer": "Z"}`
}

// answer is a perfect extractor's reply to a detect or arguments call.
func (o oracle) answer(t *testing.T, c agenttest.Call) agenttest.Answer {
	if roleOf(c) == RoleDetect {
		return agenttest.Answer{Content: o.detect(t, c.Messages[0].Content)}
	}
	return agenttest.Answer{Content: o.arguments(t, c.Messages[0].Content)}
}

// annotatorOf reads the persona "You are annotator a1." that starts a prompt.
func annotatorOf(c agenttest.Call) string {
	if m := rePersona.FindStringSubmatch(c.Messages[0].Content); m != nil {
		return m[1]
	}
	return ""
}

// roleOf is the role half of a call's header.
func roleOf(c agenttest.Call) string { _, r, _ := strings.Cut(c.Role, "/"); return r }
