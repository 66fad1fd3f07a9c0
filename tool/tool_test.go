package tool

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ascent-rl/ascent/model/tokenizer"
	"github.com/ascent-rl/ascent/rollout"
)

func TestCalcAnswersExactlyOrSaysWhatIsWrong(t *testing.T) {
	cases := []struct {
		name, in, want, err string
	}{
		{"a product too large for float64 stays exact", "987654321987*123456789123", "121932631355968601347401", ""},
		{"a quotient is a reduced fraction", "7/2+1", "9/2", ""},
		{"a difference may be negative", "3-5", "-2", ""},
		{"precedence and parentheses", "(2+3)*4-6/3", "18", ""},
		{"division by zero is an error", "1/(2-2)", "", "division by zero"},
		{"a letter is an error with its offset", "2+x", "", "unexpected"},
		{"unary minus is refused", "-2*3", "", "unary"},
		{"an empty call is an error", "", "", "empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Calc{}.Call(context.Background(), c.in)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("Call(%q) = %q, %v; want an error containing %q", c.in, got, err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Call(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
		})
	}
}

func TestNewNamesTheValidToolsOnAnUnknownOne(t *testing.T) {
	if _, err := New([]string{"abacus"}, Options{}); err == nil || !strings.Contains(err.Error(), "calc") {
		t.Fatalf("New(abacus) error = %v; want one listing calc", err)
	}
	if _, err := New([]string{"calc", "calc"}, Options{}); err == nil {
		t.Fatal("a tool listed twice should be an error")
	}
	if _, err := LookupSyntax("xml"); err == nil || !strings.Contains(err.Error(), "hermes") {
		t.Fatalf("LookupSyntax(xml) error = %v; want one listing hermes", err)
	}
}

func TestSyntaxesFindTheCallTheTurnEndsWith(t *testing.T) {
	tools := map[string]Tool{"calc": Calc{}}
	cases := []struct {
		name   string
		syn    Syntax
		text   string
		ok     bool
		want   Call
		badHas string
	}{
		{"tiny call", Tiny{}, `\calc{12*34}`, true, Call{Name: "calc", Input: "12*34"}, ""},
		{"tiny call after text", Tiny{}, `first \calc{1+2}`, true, Call{Name: "calc", Input: "1+2"}, ""},
		{"tiny boxed answer is not a call", Tiny{}, `=408 \boxed{408}`, false, Call{}, ""},
		{"tiny unknown command is not a call", Tiny{}, `\python{1}`, false, Call{}, ""},
		{"tiny text without closer", Tiny{}, `\calc{12*3`, false, Call{}, ""},
		{"hermes object arguments", Hermes{}, "ok <tool_call>\n{\"name\": \"calc\", \"arguments\": {\"expression\": \"2+2\"}}\n</tool_call>", true, Call{Name: "calc", Input: "2+2"}, ""},
		{"hermes string arguments (OpenAI wire form)", Hermes{}, `<tool_call>{"name":"calc","arguments":"{\"expression\":\"3*3\"}"}</tool_call>`, true, Call{Name: "calc", Input: "3*3"}, ""},
		{"hermes bad JSON is a bad call", Hermes{}, `<tool_call>{"name": calc}</tool_call>`, true, Call{}, "not valid JSON"},
		{"hermes unknown tool names the tools", Hermes{}, `<tool_call>{"name":"abacus","arguments":{}}</tool_call>`, true, Call{}, "tools: calc"},
		{"hermes missing argument", Hermes{}, `<tool_call>{"name":"calc","arguments":{"expr":"1"}}</tool_call>`, true, Call{}, `"expression"`},
		{"hermes final answer is not a call", Hermes{}, `The answer is \boxed{4}.`, false, Call{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := c.syn.Last(c.text, tools)
			if ok != c.ok {
				t.Fatalf("Last(%q) ok = %v, want %v", c.text, ok, c.ok)
			}
			if c.badHas != "" {
				if !strings.Contains(got.Bad, c.badHas) {
					t.Fatalf("Last(%q).Bad = %q, want it to contain %q", c.text, got.Bad, c.badHas)
				}
				return
			}
			if got != c.want {
				t.Fatalf("Last(%q) = %+v, want %+v", c.text, got, c.want)
			}
		})
	}
}

func TestFormatWritesWhatLastReads(t *testing.T) {
	tools := map[string]Tool{"calc": Calc{}}
	for _, s := range []Syntax{Tiny{}, Hermes{}} {
		got, ok := s.Last("so "+s.Format(Calc{}, "17*(3+4)"), tools)
		if !ok || got != (Call{Name: "calc", Input: "17*(3+4)"}) {
			t.Errorf("%s: Last(Format) = %+v, %v", s.Name(), got, ok)
		}
	}
}

// charResponder is a Responder over the built-in character tokenizer.
func charResponder(counts *Counts, extra ...Tool) (*Responder, *tokenizer.Char) {
	tok := tokenizer.NewTaskChar()
	tools := map[string]Tool{"calc": Calc{}}
	for _, t := range extra {
		tools[t.Name()] = t
	}
	dec := func(ids []int) string { s, _ := tok.Decode(ids); return s }
	return &Responder{Tools: tools, Syntax: Tiny{}, Encode: tok.Encode, Decode: dec, Counts: counts, Timeout: 200 * time.Millisecond}, tok
}

// slow is a tool that waits for its deadline.
type slow struct{}

func (slow) Name() string        { return "slow" }
func (slow) Description() string { return "waits" }
func (slow) Param() string       { return "x" }
func (slow) Call(ctx context.Context, _ string) (string, error) {
	<-ctx.Done()
	return "", ctx.Err()
}

func TestResponderAnswersCallsAndCountsErrors(t *testing.T) {
	var counts Counts
	r, tok := charResponder(&counts, slow{})
	turn := func(text string) *rollout.Trajectory {
		ids, err := tok.Encode(text)
		if err != nil {
			t.Fatal(err)
		}
		return &rollout.Trajectory{Tokens: ids, Steps: []rollout.Step{{Start: 0, End: len(ids)}}}
	}
	cases := []struct {
		name, turn, reply string
		done              bool
	}{
		{"a call is answered", `\calc{4821*937}`, "=4517277", false},
		{"a bad expression is answered with the error, out-of-alphabet characters as ?", `\calc{2+}`, "=error: expression ends where a number was expected", false},
		{"division by zero", `\calc{1/0}`, "=error: division by zero", false},
		{"a timeout is answered as an error", `\slow{1}`, "=error: timeout after 200ms: context deadline exceeded", false},
		{"a final answer ends the trajectory", `\boxed{7}`, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, err := r.Respond(context.Background(), rollout.Task{}, turn(c.turn))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Done != c.done {
				t.Fatalf("Done = %v, want %v", rep.Done, c.done)
			}
			got, _ := tok.Decode(rep.Tokens)
			if got != c.reply {
				t.Fatalf("reply %q, want %q", got, c.reply)
			}
		})
	}
	if c, e, to := counts.Calls.Load(), counts.Errors.Load(), counts.Timeouts.Load(); c != 4 || e != 3 || to != 1 {
		t.Fatalf("counts: %d calls, %d errors, %d timeouts; want 4, 3, 1", c, e, to)
	}
}

func TestAReplyThatLeavesTooFewTokensEndsTheTrajectory(t *testing.T) {
	var counts Counts
	r, tok := charResponder(&counts)
	ids, _ := tok.Encode(`\calc{4821*937}`) // 15 tokens; the reply "=4517277" is 8
	tr := &rollout.Trajectory{Tokens: ids, Steps: []rollout.Step{{End: len(ids)}}}
	for _, c := range []struct {
		max, minLeft int
		done         bool
	}{{48, 12, false}, {30, 12, true}, {0, 0, false}} {
		r.MaxTokens, r.MinLeft = c.max, c.minLeft
		rep, err := r.Respond(context.Background(), rollout.Task{}, tr)
		if err != nil || rep.Done != c.done {
			t.Errorf("budget %d, min left %d: done %v (%v), want %v", c.max, c.minLeft, rep.Done, err, c.done)
		}
	}
	if n := counts.Calls.Load(); n != 3 {
		t.Errorf("%d calls counted, want 3 (a call that ends the trajectory still ran)", n)
	}
}

func TestResponderStopsWhenTheContextEnds(t *testing.T) {
	r, tok := charResponder(nil, slow{})
	ids, _ := tok.Encode(`\slow{1}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := r.Respond(ctx, rollout.Task{}, &rollout.Trajectory{Tokens: ids, Steps: []rollout.Step{{End: len(ids)}}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestUnencodableReplyCharactersBecomeQuestionMarks(t *testing.T) {
	r, tok := charResponder(nil)
	ids, err := r.encode(`=error: unexpected "x" at offset 2`)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := tok.Decode(ids); got != `=error: unexpected ?x? at offset 2` {
		t.Fatalf("encoded %q", got)
	}
}

func TestSegmentsMaskTheToolRepliesOfADemonstration(t *testing.T) {
	r, _ := charResponder(nil)
	segs, err := r.Segments(context.Background(), `\calc{4821*937}=4517277 \boxed{4517277}`)
	if err != nil {
		t.Fatal(err)
	}
	want := []Segment{{Text: `\calc{4821*937}`}, {Text: "=4517277", Reply: true}, {Text: ` \boxed{4517277}`}}
	if len(segs) != len(want) {
		t.Fatalf("segments %+v, want %+v", segs, want)
	}
	for i := range want {
		if segs[i].Text != want[i].Text || segs[i].Reply != want[i].Reply || len(segs[i].IDs) != len(want[i].Text) {
			t.Errorf("segment %d = %+v, want %+v", i, segs[i], want[i])
		}
	}
	if _, err := r.Segments(context.Background(), `\calc{2*2}=5 \boxed{5}`); err == nil || !strings.Contains(err.Error(), `"=4"`) {
		t.Fatalf("a demonstration with a wrong tool answer: err = %v", err)
	}
}

func TestStopTokensAreTheClosersLastToken(t *testing.T) {
	tok := tokenizer.NewTaskChar()
	got, err := StopTokens(Tiny{}, tok.Encode)
	want, _ := tok.Encode("}")
	if err != nil || len(got) != 1 || got[0] != want[0] {
		t.Fatalf("StopTokens(tiny) = %v, %v; want %v", got, err, want)
	}
	if _, err := StopTokens(Hermes{}, tok.Encode); err == nil || !strings.Contains(err.Error(), "</tool_call>") {
		t.Fatalf("hermes on the char tokenizer: err = %v, want one naming the closer", err)
	}
}
