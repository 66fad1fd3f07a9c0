package answer

import (
	"github.com/ascent-rl/ascent/internal/testutil"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLabelledCasesMeetTheAccuracyTargets runs the labelled verification cases of
// ../shared/testdata/verify/cases.jsonl and asserts the per-tier accuracy targets (core ≥ 0.97,
// synthetic ≥ 0.99) with zero timeouts. The policy tier (locale numbers, units, tolerance
// conventions) is reported but not asserted.
func TestLabelledCasesMeetTheAccuracyTargets(t *testing.T) {
	cases, err := ReadCases(filepath.Join(testutil.SharedPath(t), "testdata", "verify", "cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	r := Run(cases, DefaultOptions())
	if r.Timeouts != 0 || r.Errors != 0 {
		t.Errorf("%d timeouts and %d errors, want none", r.Timeouts, r.Errors)
	}
	type tally struct{ agree, total int }
	tiers := map[string]*tally{}
	for _, o := range r.Outcomes {
		tl := tiers[o.Case.Tier]
		if tl == nil {
			tl = &tally{}
			tiers[o.Case.Tier] = tl
		}
		tl.total++
		if o.Verdict.Correct == *o.Case.Expected {
			tl.agree++
		} else {
			t.Logf("disagree %s (%s): expected %v, verdict %+v", o.Case.ID, o.Case.Tier, *o.Case.Expected, o.Verdict)
		}
	}
	for tier, want := range map[string]float64{"core": 0.97, "synthetic": 0.99} {
		tl := tiers[tier]
		if tl == nil || tl.total == 0 {
			t.Fatalf("no %s cases", tier)
		}
		acc := float64(tl.agree) / float64(tl.total)
		t.Logf("%s: %d/%d = %.4f", tier, tl.agree, tl.total, acc)
		if acc < want {
			t.Errorf("%s accuracy %.4f < %.2f", tier, acc, want)
		}
	}
}

func TestMalformedCaseLinesNameLineAndField(t *testing.T) {
	cases := []struct{ name, input, want string }{
		{"a missing gold", `{"pred": "1"}`, `line 1: missing field "gold"`},
		{"a numeric pred", `{"gold": "1", "pred": 1}`, `line 1: field "pred"`},
		{"a string label", "\n" + `{"gold": "1", "pred": "1", "expected": "yes"}`, `line 2: field "expected"`},
		{"not JSON", `{gold`, "line 1: not a JSON object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeCases(strings.NewReader(c.input))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
	cs, err := DecodeCases(strings.NewReader(`{"gold": "1", "pred": "1", "extra": [1]}` + "\n\n"))
	if err != nil || len(cs) != 1 || cs[0].Expected != nil {
		t.Fatalf("unlabelled case: %+v, %v", cs, err)
	}
}

// BenchmarkCoreTier measures single-goroutine throughput on the core tier of the labelled cases.
func BenchmarkCoreTier(b *testing.B) {
	cases, err := ReadCases(filepath.Join(testutil.SharedPath(b), "testdata", "verify", "cases.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	var core []Case
	for _, c := range cases {
		if c.Tier == "core" {
			core = append(core, c)
		}
	}
	opt := DefaultOptions()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		c := core[i%len(core)]
		Verify(c.Gold, c.Pred, opt)
	}
	reportRates(b, cpu0)
}

// cpuSeconds is the process's user+system CPU time: on a shared machine, cases per CPU-second
// is the throughput one idle core would give.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// reportRates reports cases per wall second and per CPU second since cpu0.
func reportRates(b *testing.B, cpu0 float64) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cases/s")
	if d := cpuSeconds() - cpu0; d > 0 {
		b.ReportMetric(float64(b.N)/d, "cases/cpu-s")
	}
}

// BenchmarkPhysicsCases measures single-goroutine throughput on the labelled physics cases.
func BenchmarkPhysicsCases(b *testing.B) {
	cases, err := ReadCases(filepath.Join(testutil.SharedPath(b), "testdata", "physics", "cases.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	benchCases(b, cases, DefaultOptions())
}

// benchCases verifies cases round-robin and reports throughput and the p99 latency per case.
func benchCases(b *testing.B, cases []Case, opt Options) {
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		verifyCase(cases[i%len(cases)], opt)
		lat[i] = time.Since(t0)
	}
	reportRates(b, cpu0)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
}

// BenchmarkGeneralisationCases measures throughput on this package's generalisation cases.
func BenchmarkGeneralisationCases(b *testing.B) {
	var cases []Case
	for _, f := range []string{"generalise.jsonl", "heldout.jsonl"} {
		cs, err := ReadCases(filepath.Join("testdata", f))
		if err != nil {
			b.Fatal(err)
		}
		cases = append(cases, cs...)
	}
	benchCases(b, cases, DefaultOptions())
}

func TestRunPassesKeepsTheFirstPassVerdicts(t *testing.T) {
	cases, err := DecodeCases(strings.NewReader(`{"gold": "1/2", "pred": "0.5", "expected": true}
{"gold": "2", "pred": "3", "expected": false}
{"gold": "2", "gold_unit": "m", "answer_type": "Numerical Value", "pred": "200 cm", "expected": true}`))
	if err != nil {
		t.Fatal(err)
	}
	r := RunPasses(cases, DefaultOptions(), 3)
	if r.Passes != 3 || r.Agree != 3 || r.ByType["math"].Labelled != 2 || r.ByType[string(TypeNumerical)].Agree != 1 {
		t.Fatalf("report %+v", r)
	}
	if r.CasesPerSec <= 0 || r.P99ms <= 0 {
		t.Fatalf("no timings: %+v", r)
	}
}
