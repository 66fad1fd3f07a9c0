// Package tracktest writes realistic run directories through the real track API, for the tests of
// track's consumers (the report, the dashboard, the CLI).
package tracktest

import (
	"fmt"
	"math"
	"testing"

	"github.com/ascent-rl/ascent/track"
)

// Metrics returns the metrics of a plausible training step: entropy decays, reward follows the
// entropy law R = −0.2·e^H + 0.9, validation accuracy every 5 steps.
func Metrics(step int) map[string]float64 {
	h := 0.3 + 1.2*math.Exp(-float64(step)/15)
	r := track.LawR(0.2, 0.9, h)
	m := map[string]float64{
		track.MetricEntropy: h, track.MetricScoreMean: r + 0.01*math.Sin(float64(step)),
		track.MetricRewardsMean: r, track.MetricAdvantagesMean: 0.001 * math.Cos(float64(step)),
		track.MetricPGLoss: -0.01 * r, track.MetricPGClipfrac: 0.002 + 0.001*h, track.MetricPGClipfracLow: 0.0005,
		track.MetricPPOKL: 1e-4 * float64(step%7), track.MetricKLLoss: 1e-3, track.MetricGradNorm: 0.5 + 0.1*h,
		track.MetricLR: 1e-6, track.MetricRespLenMean: 300 + 5*float64(step), track.MetricRespClipRatio: 0.01,
		track.MetricTimeStep: 12.5, track.MetricTimeGen: 8, track.MetricTimeUpdate: 3.5,
		track.MetricThroughput: 1500 + float64(step), track.MetricTimeoutRatio: 0.002, track.MetricErrorRatio: 0,
	}
	if step%5 == 0 {
		m[track.MetricValAccuracy] = track.LawR(0.2, 0.85, h)
	}
	return m
}

// Samples returns n graded samples for a step.
func Samples(step, n int) []track.Sample {
	out := make([]track.Sample, n)
	for i := range out {
		ok := (step+i)%2 == 0
		v, rw := "wrong", -1.0
		if ok {
			v, rw = "correct", 1
		}
		out[i] = track.Sample{Prompt: fmt.Sprintf("What is %d + %d?", step, i), Response: fmt.Sprintf("We add: \\boxed{%d}", step+i+boolInt(!ok)),
			Reward: rw, Verdict: v, GroundTruth: fmt.Sprint(step + i), Pred: fmt.Sprint(step + i + boolInt(!ok))}
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// WriteRun writes a run of steps 1..steps with samples every 5 steps and a summary. When finish
// is false the run is left open (running) and returned for the test to continue; otherwise it is
// finished as completed and nil is returned.
func WriteRun(tb testing.TB, root, id string, steps int, finish bool) *track.Run {
	tb.Helper()
	r, err := track.Open(root, track.RunMeta{ID: id, Name: id, Preset: "grpo", GitRev: "0123abc",
		ConfigYAML: "algo:\n  preset: grpo\noptim:\n  lr: 1.0e-6\n"})
	if err != nil {
		tb.Fatal(err)
	}
	for s := 1; s <= steps; s++ {
		if err := r.Log(s, Metrics(s)); err != nil {
			tb.Fatal(err)
		}
		if s%5 == 0 {
			if err := r.LogSamples(s, Samples(s, 4)); err != nil {
				tb.Fatal(err)
			}
		}
	}
	if !finish {
		return r
	}
	if err := r.WriteSummary(map[string]any{"eval_before": 0.31, "eval_after": 0.47}); err != nil {
		tb.Fatal(err)
	}
	if err := r.Finish(track.StatusCompleted); err != nil {
		tb.Fatal(err)
	}
	return nil
}
