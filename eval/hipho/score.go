package hipho

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/ascent-rl/ascent/answer"
)

// DefaultDir is where the HiPhO files sit relative to the repository root.
const DefaultDir = "../shared/data/physics/hipho"

// Grading modes.
const (
	GradingAuto   = "auto"   // step-level where a problem has marking schemes and a judge is set, else answer-level
	GradingAnswer = "answer" // answer-level everywhere; the judge is never called
	GradingStep   = "step"   // like auto, but a judge is required
)

// Options configures a Benchmark.
type Options struct {
	Dir              string         // the HiPhO data folder [DefaultDir]
	Exams            []string       // exams to score; empty: the exams the responses answer
	TextOnly         bool           // only text-only problems (P1's setting); the others are skipped
	Grading          string         // GradingAuto [""], GradingAnswer or GradingStep
	Judge            Judge          // the LLM judge; nil: answer-level only
	RecheckWithJudge bool           // ask the judge about sub-answers the rule check rejects (off by default)
	Verify           answer.Options // the physics verifier's options [answer.DefaultOptions()]
	Workers          int            // problems graded at once [4]
}

// Response is one line of a responses file: {"id", "response", optional "exam", "model"}.
type Response struct {
	ID       string `json:"id"`
	Response string `json:"response"`
	Exam     string `json:"exam,omitempty"`
	Model    string `json:"model,omitempty"`
}

// ExamScore is one exam's result, in the layout of results.json.
type ExamScore struct {
	Score    float64            `json:"score"`
	Max      float64            `json:"max"`
	Medal    string             `json:"medal"` // gold|silver|bronze|none
	Problems map[string]float64 `json:"problems"`
}

// Counts are the events a scoring run counts rather than hides.
type Counts struct {
	Problems        int `json:"problems"`         // problems scored
	NoAnswer        int `json:"no_answer"`        // responses without a box (0 points)
	Missing         int `json:"missing"`          // problems without a response (0 points)
	Skipped         int `json:"skipped"`          // responses to problems outside the selection (TextOnly)
	StepGraded      int `json:"step_graded"`      // problems graded against marking schemes
	JudgeCalls      int `json:"judge_calls"`      // judge requests made (cached ones included)
	JudgeAccepted   int `json:"judge_accepted"`   // rule misses the judge accepted (RecheckWithJudge)
	JudgeUnparsable int `json:"judge_unparsable"` // judge replies without points
	JudgeErrors     int `json:"judge_errors"`     // judge calls that failed after retries
}

// Result is a scored run of one model. Its JSON is exactly {"exams": {…}}; the per-problem grades
// and the counts are for samples files and reports.
type Result struct {
	Exams  map[string]ExamScore    `json:"exams"`
	Model  string                  `json:"-"`
	Grades map[string]ProblemGrade `json:"-"` // by problem id
	Counts Counts                  `json:"-"`
}

// Benchmark is the loaded HiPhO data ready to score responses.
type Benchmark struct {
	opt        Options
	exams      map[string]*Exam
	names      []string
	examOf     map[string]string // problem id → exam
	thresholds map[string]Thresholds
}

// New loads every exam in opt.Dir (checking every marking criterion) and the medal thresholds
// from hipho.json beside them.
func New(opt Options) (*Benchmark, error) {
	if opt.Dir == "" {
		opt.Dir = DefaultDir
	}
	if opt.Verify == (answer.Options{}) {
		opt.Verify = answer.DefaultOptions()
	}
	if opt.Workers <= 0 {
		opt.Workers = 4
	}
	switch opt.Grading {
	case "", GradingAuto, GradingAnswer:
	case GradingStep:
		if opt.Judge == nil {
			return nil, fmt.Errorf("hipho: grading %q needs a judge (--judge-endpoint)", opt.Grading)
		}
	default:
		return nil, fmt.Errorf("hipho: grading %q: known: %s, %s, %s", opt.Grading, GradingAuto, GradingAnswer, GradingStep)
	}
	exams, err := LoadAll(opt.Dir)
	if err != nil {
		return nil, err
	}
	b := &Benchmark{opt: opt, exams: map[string]*Exam{}, examOf: map[string]string{}, thresholds: map[string]Thresholds{}}
	for _, e := range exams {
		if err := e.CheckMarking(); err != nil {
			return nil, err
		}
		b.exams[e.Name], b.names = e, append(b.names, e.Name)
		for _, p := range e.Problems {
			b.examOf[p.ID] = e.Name
		}
	}
	if pub, err := LoadPublished(filepath.Join(opt.Dir, "hipho.json")); err == nil {
		b.thresholds = pub.Thresholds()
	} else if !os.IsNotExist(unwrapAll(err)) {
		return nil, err
	}
	for _, n := range opt.Exams {
		if _, ok := b.exams[n]; !ok {
			return nil, fmt.Errorf("hipho: unknown exam %q; known: %s", n, strings.Join(b.names, ", "))
		}
	}
	return b, nil
}

// unwrapAll is the innermost wrapped error.
func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}

// Names lists the loaded exams.
func (b *Benchmark) Names() []string { return append([]string(nil), b.names...) }

// Exam returns a loaded exam (text-only problems only when Options.TextOnly), or an error listing
// the known exams.
func (b *Benchmark) Exam(name string) (*Exam, error) {
	e, ok := b.exams[name]
	if !ok {
		return nil, fmt.Errorf("hipho: unknown exam %q; known: %s", name, strings.Join(b.names, ", "))
	}
	if b.opt.TextOnly {
		return e.TextOnly(), nil
	}
	return e, nil
}

// ParseBench reads a --bench value: "hipho" (all exams, nil) or "hipho:IPhO_2025,F=MA_2025".
func ParseBench(spec string) ([]string, error) {
	name, list, _ := strings.Cut(spec, ":")
	if name != "hipho" {
		return nil, fmt.Errorf("hipho: bench %q: want hipho or hipho:EXAM,EXAM", spec)
	}
	var out []string
	for _, e := range strings.Split(list, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out, nil
}

// ReadResponses reads responses lines; errors name the line.
func ReadResponses(r io.Reader) ([]Response, error) {
	var out []Response
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var x struct {
			Response
			Text *string `json:"response"`
		}
		if err := json.Unmarshal(sc.Bytes(), &x); err != nil {
			return nil, fmt.Errorf("hipho: responses line %d: %w", line, err)
		}
		if x.ID == "" || x.Text == nil {
			return nil, fmt.Errorf("hipho: responses line %d: want {\"id\": <problem id>, \"response\": <text>}", line)
		}
		x.Response.Response = *x.Text
		out = append(out, x.Response)
	}
	return out, sc.Err()
}

// Run scores the responses file at path (one model) with a Benchmark built from opt.
func Run(ctx context.Context, path string, opt Options) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hipho: %w", err)
	}
	defer f.Close()
	resps, err := ReadResponses(f)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	b, err := New(opt)
	if err != nil {
		return nil, err
	}
	return b.ScoreResponses(ctx, resps)
}

// ScoreByModel scores the responses of each model separately (by their "model" field), in
// model-name order.
func (b *Benchmark) ScoreByModel(ctx context.Context, resps []Response) ([]*Result, error) {
	by := map[string][]Response{}
	for _, r := range resps {
		by[r.Model] = append(by[r.Model], r)
	}
	models := make([]string, 0, len(by))
	for m := range by {
		models = append(models, m)
	}
	sort.Strings(models)
	out := make([]*Result, 0, len(models))
	for _, m := range models {
		res, err := b.ScoreResponses(ctx, by[m])
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, nil
}

// Standings turns scored runs into medal-table rows (see MedalTable).
func Standings(results []*Result) []Standing {
	by := map[string]*Standing{}
	for _, r := range results {
		s := &Standing{Model: r.Model}
		if s.Model == "" {
			s.Model = "model"
		}
		for name, e := range r.Exams {
			s.add(name, e.Score, e.Medal)
		}
		by[s.Model] = s
	}
	return sortStandings(by)
}

// round6 rounds points to 1e-6 so that sums of tenths print as tenths.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// pool runs f(i) for i < n on at most workers goroutines.
func pool(n, workers int, f func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := range next {
				f(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
