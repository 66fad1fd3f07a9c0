package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/ascent-rl/ascent/engine/local"
	"github.com/ascent-rl/ascent/engine/openai"
	"github.com/ascent-rl/ascent/internal/atomicfile"
	"github.com/ascent-rl/ascent/metric"
	"github.com/ascent-rl/ascent/track"
	"github.com/ascent-rl/ascent/trainer"
)

// cacheVersion changes when the extraction below changes, so that cached results are redone.
const cacheVersion = "fidelity-1"

// bench runs (or finds cached) runs and SFT starts under out.
type bench struct {
	out       string
	wall, cpu float64 // this call's totals
	results   map[string]*result
}

// evalPoint is one held-out evaluation: its RL step (0 = before RL) and its metrics
// (val/accuracy, val/pass@k, val/maj@K, val/distinct_correct).
type evalPoint struct {
	Step   int                `json:"step"`
	Values map[string]float64 `json:"values"`
}

// result is what the judges read of one run: per-step curves, the evaluations, and its cost.
type result struct {
	Key     string                `json:"key"`
	Name    string                `json:"name"`
	Seed    uint64                `json:"seed"`
	Wall    float64               `json:"wall_s"`
	CPU     float64               `json:"cpu_s"`
	Before  float64               `json:"eval_before"`
	After   float64               `json:"eval_after"`
	Steps   []int                 `json:"steps"`             // RL step of each row of Curves
	Curves  map[string][]*float64 `json:"curves"`            // per-step metric values (nil: absent that step)
	Evals   []evalPoint           `json:"evals"`             // step 0 first
	RunDir  string                `json:"run_dir"`           // OUT/runs/NAME-sSEED
	Started string                `json:"started,omitempty"` // when it was trained
}

// curveKeys are the per-step metrics kept from metrics.jsonl.
var curveKeys = []string{metric.Entropy, metric.LogpAdvCov, metric.ScoreMean, metric.Accuracy, metric.RespLenMean,
	metric.TTRLLabelAcc, metric.TTRLRewardAcc, metric.SFTPromptRatio}

// cpuSeconds is this process's user + system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// key identifies a run's settings: a cached result with another key is trained again.
func (s runSpec) key(seed uint64) string {
	return fmt.Sprintf("%s|%s|%s:%s|%s|seed=%d", cacheVersion, s.preset, s.from.name, strings.Join(s.from.sets, ","),
		strings.Join(s.sets, ","), seed)
}

// result returns the run's result for seed, training it when no cached result matches.
func (b *bench) result(s runSpec, seed uint64) (*result, error) {
	id := fmt.Sprintf("%s-s%d", s.name, seed)
	if r, ok := b.results[id]; ok {
		return r, nil
	}
	if b.results == nil {
		b.results = map[string]*result{}
	}
	path := filepath.Join(b.out, "results", id+".json")
	key := s.key(seed)
	if raw, err := os.ReadFile(path); err == nil {
		var r result
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("%s: %w (delete it to retrain)", path, err)
		}
		if r.Key == key {
			b.results[id] = &r
			return &r, nil
		}
		fmt.Printf("%s: settings changed, training again\n", id)
	}
	ckpt, err := b.start(s.from)
	if err != nil {
		return nil, err
	}
	runs := filepath.Join(b.out, "runs")
	if err := os.RemoveAll(filepath.Join(runs, id)); err != nil {
		return nil, err
	}
	sets := append([]string{"run.out=" + runs, "run.name=" + id, fmt.Sprintf("run.seed=%d", seed), "model.init=" + ckpt}, s.sets...)
	cfg, err := trainer.LoadConfig(s.preset, "", sets)
	if err != nil {
		return nil, err
	}
	fmt.Printf("%s: %s %s\n", id, s.preset, strings.Join(s.sets, " "))
	r, err := b.train(cfg, id, runs)
	if err != nil {
		return nil, err
	}
	r.Key, r.Name, r.Seed = key, s.name, seed
	if err := r.read(); err != nil {
		return nil, err
	}
	fmt.Printf("%s: held-out %.1f%% -> %.1f%%, %.0f s wall, %.0f s CPU\n", id, 100*r.Before, 100*r.After, r.Wall, r.CPU)
	raw, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(path, raw, 0o644); err != nil {
		return nil, err
	}
	b.results[id] = r
	return r, nil
}

// train runs one config in-process, logging to RUNS/ID.log, and measures it.
func (b *bench) train(cfg trainer.Config, id, runs string) (*result, error) {
	if err := os.MkdirAll(runs, 0o755); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(runs, id+".log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	start, cpu0 := time.Now(), cpuSeconds()
	sum, err := trainer.Run(context.Background(), cfg, "", logf, local.NewLearner, openai.Dial)
	if err != nil {
		return nil, fmt.Errorf("%w (log: %s)", err, logf.Name())
	}
	return &result{Wall: time.Since(start).Seconds(), CPU: cpuSeconds() - cpu0, Before: sum.EvalBefore, After: sum.EvalAfter,
		RunDir: sum.RunDir, Started: start.UTC().Format(time.RFC3339)}, nil
}

// start returns the engine checkpoint of an SFT start, training it (seed 1) when it is missing.
// OUT/sft/NAME/settings.txt records the overrides it was trained with; a mismatch retrains it.
func (b *bench) start(st *start) (string, error) {
	root := filepath.Join(b.out, "sft")
	dir := filepath.Join(root, st.name)
	ckpt := filepath.Join(dir, "checkpoints", "step_000000", "engine")
	want := strings.Join(st.sets, "\n") + "\n"
	if got, err := os.ReadFile(filepath.Join(dir, "settings.txt")); err == nil && string(got) == want {
		if _, err := os.Stat(filepath.Join(ckpt, "config.json")); err == nil {
			return ckpt, nil
		}
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	sets := append([]string{"run.out=" + root, "run.name=" + st.name, "run.seed=1", "run.steps=0"}, st.sets...)
	cfg, err := trainer.LoadConfig("justrl", "", sets)
	if err != nil {
		return "", err
	}
	fmt.Printf("SFT start %s: %s\n", st.name, strings.Join(st.sets, " "))
	r, err := b.train(cfg, st.name, root)
	if err != nil {
		return "", err
	}
	fmt.Printf("SFT start %s: %.0f s wall, %.0f s CPU\n", st.name, r.Wall, r.CPU)
	cost, _ := json.Marshal(map[string]float64{"wall_s": r.Wall, "cpu_s": r.CPU})
	if err := atomicfile.WriteFile(filepath.Join(dir, "cost.json"), cost, 0o644); err != nil {
		return "", err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "settings.txt"), []byte(want), 0o644); err != nil {
		return "", err
	}
	return ckpt, nil
}

// startCost reads an SFT start's recorded wall and CPU seconds (ok false when not recorded).
func (b *bench) startCost(st *start) (wall, cpu float64, ok bool) {
	raw, err := os.ReadFile(filepath.Join(b.out, "sft", st.name, "cost.json"))
	if err != nil {
		return 0, 0, false
	}
	var c map[string]float64
	if json.Unmarshal(raw, &c) != nil {
		return 0, 0, false
	}
	return c["wall_s"], c["cpu_s"], true
}

// read fills the curves and evaluations from the run directory.
func (r *result) read() error {
	rows, bad, err := track.ReadMetrics(filepath.Join(r.RunDir, "metrics.jsonl"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s/metrics.jsonl: %d lines do not parse (first: line %d)", r.RunDir, len(bad), bad[0].Line)
	}
	raw, err := os.ReadFile(filepath.Join(r.RunDir, "eval_before.json"))
	if err != nil {
		return fmt.Errorf("the run wrote no eval_before.json (eval.pass_k must be > 0): %w", err)
	}
	var before map[string]float64
	if err := json.Unmarshal(raw, &before); err != nil {
		return fmt.Errorf("%s/eval_before.json: %w", r.RunDir, err)
	}
	r.Evals = []evalPoint{{Step: 0, Values: before}}
	r.Curves = map[string][]*float64{}
	for _, row := range rows {
		r.Steps = append(r.Steps, row.Step)
		for _, k := range curveKeys {
			var p *float64
			if v, ok := row.Values[k]; ok {
				v := v
				p = &v
			}
			r.Curves[k] = append(r.Curves[k], p)
		}
		if _, ok := row.Values[metric.ValAccuracy]; ok {
			vals := map[string]float64{}
			for k, v := range row.Values {
				if strings.HasPrefix(k, "val/") {
					vals[k] = v
				}
			}
			r.Evals = append(r.Evals, evalPoint{Step: row.Step, Values: vals})
		}
	}
	sort.Slice(r.Evals, func(i, j int) bool { return r.Evals[i].Step < r.Evals[j].Step })
	return nil
}

// curve returns the per-step values of key with their steps, skipping absent ones.
func (r *result) curve(key string) (steps []int, vals []float64) {
	for i, p := range r.Curves[key] {
		if p != nil {
			steps, vals = append(steps, r.Steps[i]), append(vals, *p)
		}
	}
	return steps, vals
}

// at returns the value of key at RL step (ok false when that step lacks it).
func (r *result) at(key string, step int) (float64, bool) {
	for i, s := range r.Steps {
		if s == step && r.Curves[key][i] != nil {
			return *r.Curves[key][i], true
		}
	}
	return 0, false
}

// eval returns the evaluation at step, or the last one when step < 0.
func (r *result) eval(step int) (evalPoint, bool) {
	if len(r.Evals) == 0 {
		return evalPoint{}, false
	}
	if step < 0 {
		return r.Evals[len(r.Evals)-1], true
	}
	for _, e := range r.Evals {
		if e.Step == step {
			return e, true
		}
	}
	return evalPoint{}, false
}

// final is the last evaluation's value of key.
func (r *result) final(key string) float64 {
	e, _ := r.eval(-1)
	return e.Values[key]
}

// have returns the cached results of spec for the seeds that have one (trained in this call or
// an earlier one).
func (b *bench) have(s runSpec, seeds []uint64) map[uint64]*result {
	out := map[uint64]*result{}
	for _, seed := range seeds {
		id := fmt.Sprintf("%s-s%d", s.name, seed)
		if r, ok := b.results[id]; ok {
			out[seed] = r
			continue
		}
		raw, err := os.ReadFile(filepath.Join(b.out, "results", id+".json"))
		if err != nil {
			continue
		}
		var r result
		if json.Unmarshal(raw, &r) == nil && r.Key == s.key(seed) {
			if b.results == nil {
				b.results = map[string]*result{}
			}
			b.results[id] = &r
			out[seed] = &r
		}
	}
	return out
}
