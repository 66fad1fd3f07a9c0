package eval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// RunOptions configure `ascent eval` with a generator.
type RunOptions struct {
	Benchmarks  []string       // benchmark names, group names or paths (see ExpandNames)
	K           map[string]int // samples per problem by canonical benchmark name; wins over KAll
	KAll        int            // when > 0, samples per problem for every benchmark not in K
	Sampling    SamplingParams // decoding; Sampling.Seed is the run seed from which per-sample seeds derive
	Suffix      string         // instruction appended to each problem (JustRLSuffix by default; NoSuffix for none)
	Concurrency int            // requests in flight (default 32)
	OutDir      string         // output directory: samples.jsonl, results.json, report.md
	Score       ScoreOptions   // grading and bootstrap
	Progress    io.Writer      // progress lines; nil for quiet
	API         string         // recorded in results.json
	Endpoint    string         // recorded in results.json
}

// SamplesFile, ResultsFile and ReportFile are the names of the files written to the output directory.
const (
	SamplesFile = "samples.jsonl"
	ResultsFile = "results.json"
	ReportFile  = "report.md"
)

// job is one sample to generate.
type job struct {
	bench *Benchmark
	prob  *Problem
	index int
}

// Run generates k samples per problem with gen, skipping samples already in OutDir/samples.jsonl,
// grades them with grader, and writes results.json, report.md and the graded samples.jsonl. When the
// endpoint fails after its retries, generation stops, the samples so far stay on disk and the error says
// how many there are; rerunning resumes.
func Run(ctx context.Context, opt RunOptions, gen Generator, grader Grader) (*Results, error) {
	if opt.OutDir == "" {
		return nil, fmt.Errorf("eval: an output directory is required")
	}
	switch opt.Suffix {
	case "":
		opt.Suffix = JustRLSuffix
	case NoSuffix:
		opt.Suffix = ""
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 32
	}
	names, err := ExpandNames(joinNames(opt.Benchmarks))
	if err != nil {
		return nil, err
	}
	benches := make([]*Benchmark, 0, len(names))
	kOf := map[string]int{}
	for _, n := range names {
		b, err := Load(n)
		if err != nil {
			return nil, err
		}
		k := b.DefaultK
		if opt.KAll > 0 {
			k = opt.KAll
		}
		if v, ok := opt.K[b.Name]; ok {
			k = v
		}
		if k <= 0 {
			return nil, fmt.Errorf("eval: benchmark %s: samples per problem must be ≥ 1, got %d", b.Name, k)
		}
		kOf[b.Name] = k
		benches = append(benches, b)
	}
	if err := checkProtocol(opt, gen.Name()); err != nil {
		return nil, err
	}
	samplesPath := filepath.Join(opt.OutDir, SamplesFile)
	existing, err := loadSamples(samplesPath)
	if err != nil {
		return nil, err
	}
	have := make(map[sampleKey]bool, len(existing))
	for i := range existing {
		if m := existing[i].Model; m != "" && m != gen.Name() {
			return nil, fmt.Errorf("eval: %s holds samples of model %q, not %q: use another output directory", samplesPath, m, gen.Name())
		}
		have[existing[i].key()] = true
	}
	var jobs []job
	for _, b := range benches {
		for pi := range b.Problems {
			for s := range kOf[b.Name] {
				if !have[sampleKey{b.Name, b.Problems[pi].ID, s}] {
					jobs = append(jobs, job{b, &b.Problems[pi], s})
				}
			}
		}
	}
	logf(opt.Progress, "eval: %d benchmarks, %d samples on disk, %d to generate with %s\n", len(benches), len(existing), len(jobs), gen.Name())
	if len(jobs) > 0 {
		if err := generateAll(ctx, opt, gen, jobs, samplesPath); err != nil {
			return nil, err
		}
	}
	all, err := loadSamples(samplesPath)
	if err != nil {
		return nil, err
	}
	// Keep only samples of the requested benchmarks and k (a rerun with smaller k ignores the extra ones).
	// Samples of other benchmarks or beyond k stay in samples.jsonl untouched.
	var kept, others []Sample
	for _, s := range all {
		if k, ok := kOf[s.Benchmark]; ok && s.SampleIndex < k {
			kept = append(kept, s)
		} else {
			others = append(others, s)
		}
	}
	res, graded, err := scoreAndTitle(ctx, kept, benches, grader, opt.Score)
	if err != nil {
		return nil, err
	}
	res.Model = gen.Name()
	res.Protocol = &Protocol{Sampling: opt.Sampling, Suffix: opt.Suffix, K: kOf, API: opt.API, Endpoint: opt.Endpoint}
	if err := WriteOutputs(opt.OutDir, append(graded, others...), names, benches, res); err != nil {
		return nil, err
	}
	return res, nil
}

// ProtocolFile records the decoding settings of the samples in an output directory, so that a resumed
// run cannot mix samples drawn under different settings.
const ProtocolFile = "protocol.json"

// runProtocol is the part of the protocol that must not change between a run and its resumption
// (k may grow: more samples are simply added).
type runProtocol struct {
	Model    string         `json:"model"`    // generator name
	Sampling SamplingParams `json:"sampling"` // temperature, top-p, max tokens, run seed
	Suffix   string         `json:"suffix"`   // instruction appended to each problem
	API      string         `json:"api"`      // chat or completions
}

// checkProtocol writes OutDir/protocol.json on the first run and, on later runs, fails when the
// settings differ from the recorded ones.
func checkProtocol(opt RunOptions, model string) error {
	cur := runProtocol{Model: model, Sampling: opt.Sampling, Suffix: opt.Suffix, API: opt.API}
	path := filepath.Join(opt.OutDir, ProtocolFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return writeJSON(path, cur)
	}
	if err != nil {
		return fmt.Errorf("eval: read %s: %w", path, err)
	}
	var old runProtocol
	if err := json.Unmarshal(data, &old); err != nil {
		return fmt.Errorf("eval: %s: %w (delete it together with samples.jsonl to start over)", path, err)
	}
	if old != cur {
		return fmt.Errorf("eval: %s was generated with %+v, this run asks for %+v: use another output directory", opt.OutDir, old, cur)
	}
	return nil
}

// generateAll runs jobs with bounded concurrency, appending each sample to samplesPath as it arrives.
func generateAll(ctx context.Context, opt RunOptions, gen Generator, jobs []job, samplesPath string) error {
	log, err := openSampleLog(samplesPath)
	if err != nil {
		return err
	}
	defer log.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		done     int
		start    = time.Now()
		lastLog  = start
	)
	ch := make(chan job)
	var wg sync.WaitGroup
	for range min(opt.Concurrency, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				p := opt.Sampling
				p.Seed = sampleSeed(opt.Sampling.Seed, j.bench.Name, j.prob.ID, j.index)
				prompt := buildPrompt(j.prob, opt.Suffix)
				g, err := gen.Generate(ctx, prompt, p)
				if err == nil {
					err = log.Append(Sample{Benchmark: j.bench.Name, ProblemID: j.prob.ID, SampleIndex: j.index,
						Model: gen.Name(), Prompt: prompt, Response: g.Text, Gold: j.prob.Answer,
						FinishReason: g.FinishReason, CompletionTokens: g.CompletionTokens, Seed: p.Seed})
				}
				mu.Lock()
				if err != nil {
					if firstErr == nil && !errors.Is(err, context.Canceled) {
						firstErr = err
					}
					cancel()
				} else {
					done++
					if now := time.Now(); opt.Progress != nil && (now.Sub(lastLog) > 5*time.Second || done == len(jobs)) {
						lastLog = now
						rate := float64(done) / now.Sub(start).Seconds()
						eta := time.Duration(float64(len(jobs)-done)/rate) * time.Second
						fmt.Fprintf(opt.Progress, "eval: %d/%d samples (%.1f%%), %.2f/s, eta %s\n", done, len(jobs), 100*float64(done)/float64(len(jobs)), rate, eta.Round(time.Second))
					}
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, j := range jobs {
		select {
		case ch <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return fmt.Errorf("%w; %d of %d new samples were saved in %s, rerun to resume", firstErr, done, len(jobs), samplesPath)
	}
	return nil
}

// buildPrompt appends the instruction suffix unless the problem already carries one.
func buildPrompt(p *Problem, suffix string) string {
	if p.HasInstruction {
		return p.Problem
	}
	return p.Problem + suffix
}

// sampleSeed derives a distinct, reproducible seed for each sample (JustRL: one seed per sample).
func sampleSeed(run uint64, bench, id string, index int) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00%d", run, bench, id, index)
	// splitmix64 finaliser: FNV alone barely changes when only the last byte (the index) changes.
	z := h.Sum64() + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return (z ^ (z >> 31)) >> 1 // servers take a signed 64-bit seed
}

// scoreAndTitle grades samples against their benchmarks and aggregates them in benchmark order.
func scoreAndTitle(ctx context.Context, samples []Sample, benches []*Benchmark, g Grader, opt ScoreOptions) (*Results, []Sample, error) {
	titles := map[string]string{}
	order := make([]string, 0, len(benches))
	text := map[string]map[string]*Problem{}
	for _, b := range benches {
		titles[b.Name] = b.Title
		order = append(order, b.Name)
		text[b.Name] = b.byID()
	}
	lookup := func(bench, id string) string {
		if p := text[bench][id]; p != nil {
			return p.Problem
		}
		return ""
	}
	if err := GradeSamples(ctx, samples, g, opt, lookup); err != nil {
		return nil, nil, err
	}
	res, err := Aggregate(samples, order, titles, opt)
	if err != nil {
		return nil, nil, err
	}
	res.Grader = g.Name()
	return res, samples, nil
}

// joinNames joins benchmark arguments into one comma-separated list.
func joinNames(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

// logf writes to w when it is not nil.
func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format, args...)
	}
}
