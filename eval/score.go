package eval

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"
)

// BenchResult holds the metrics of one benchmark. Accuracies are fractions in [0, 1].
type BenchResult struct {
	Title     string             `json:"title"`      // display name
	NProblems int                `json:"n_problems"` // problems with at least one sample
	K         int                `json:"k"`          // samples per problem (the minimum, when uneven)
	MaxK      int                `json:"max_k"`      // the largest number of samples of any problem
	NSamples  int                `json:"n_samples"`  // all samples
	AvgAtK    float64            `json:"avg_at_k"`   // mean over problems of the fraction of correct samples
	PassAtK   map[string]float64 `json:"pass_at_k"`  // unbiased pass@k for k = 1..K, keyed by k
	MajAtK    float64            `json:"maj_at_k"`   // accuracy of the majority-voted answer over each problem's samples
	CI95      [2]float64         `json:"ci95"`       // bootstrap 95% interval of avg_at_k (problems resampled)
	Status    map[string]int     `json:"status"`     // verifier status counts over samples (ok, unparsable, timeout, ...)
	NoAnswer  int                `json:"no_answer"`  // samples with no extracted answer
	ByJudge   int                `json:"by_judge"`   // samples the judge marked correct after the rule said wrong
	Truncated int                `json:"truncated"`  // samples that stopped at the token limit (finish_reason "length")
	Chars     LengthStats        `json:"response_chars"`
	Tokens    *LengthStats       `json:"completion_tokens,omitempty"` // when the server reported usage for every sample
}

// Results is the outcome of an evaluation: the per-benchmark table and its unweighted average.
type Results struct {
	Benchmarks  map[string]*BenchResult `json:"benchmarks"`         // by benchmark name
	Order       []string                `json:"order"`              // table order
	Average     float64                 `json:"average"`            // unweighted mean of avg_at_k over benchmarks
	AverageCI95 [2]float64              `json:"average_ci95"`       // bootstrap interval of the average
	AverageMaj  float64                 `json:"average_maj_at_k"`   // unweighted mean of maj_at_k
	Grader      string                  `json:"grader"`             // which grader produced the verdicts
	Model       string                  `json:"model,omitempty"`    // model or group name
	Protocol    *Protocol               `json:"protocol,omitempty"` // generation settings (absent when re-scoring)
}

// Protocol records how the samples were generated.
type Protocol struct {
	Sampling SamplingParams `json:"sampling"` // temperature, top-p, max tokens, run seed
	Suffix   string         `json:"suffix"`   // instruction appended to each problem
	K        map[string]int `json:"k"`        // samples per problem per benchmark
	API      string         `json:"api,omitempty"`
	Endpoint string         `json:"endpoint,omitempty"`
}

// ScoreOptions control grading and aggregation.
type ScoreOptions struct {
	Concurrency int    // parallel graders (judge calls included); 0 means GOMAXPROCS (×8 with a judge)
	Regrade     bool   // grade samples already marked graded again
	Bootstrap   int    // bootstrap resamples for the confidence intervals; 0 disables
	Seed        uint64 // bootstrap seed
}

// GradeSamples fills the verdict fields of every sample that is not graded yet (all with Regrade),
// in parallel. problems maps benchmark → problem ID → question text, for the judge.
func GradeSamples(ctx context.Context, samples []Sample, g Grader, opt ScoreOptions, problems func(bench, id string) string) error {
	workers := opt.Concurrency
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
		if _, ok := g.(*JudgeGrader); ok {
			workers *= 8
		}
	}
	idx := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				s := &samples[i]
				in := GradeInput{Gold: s.Gold, Response: s.Response}
				if s.PredSource != "" {
					in.Pred, in.PredGiven = s.Pred, true
				}
				if problems != nil {
					in.Problem = problems(s.Benchmark, s.ProblemID)
				}
				if in.Problem == "" {
					in.Problem = s.Prompt
				}
				v := g.Grade(ctx, in)
				s.Graded, s.Correct, s.Status, s.VoteKey, s.GradedBy, s.Detail = true, v.Correct, string(v.Status), v.VoteKey, v.GradedBy, v.Detail
				s.Pred = v.Pred
			}
		}()
	}
	for i := range samples {
		if samples[i].Graded && !opt.Regrade {
			continue
		}
		select {
		case idx <- i:
		case <-ctx.Done():
			close(idx)
			wg.Wait()
			return ctx.Err()
		}
	}
	close(idx)
	wg.Wait()
	return nil
}

// Aggregate computes the metrics of graded samples. order lists benchmarks in table order (benchmarks
// with samples but not in order are appended, sorted); titles maps names to display names.
func Aggregate(samples []Sample, order []string, titles map[string]string, opt ScoreOptions) (*Results, error) {
	type problemSamples struct {
		ids   []string
		byID  map[string][]Sample
		bench string
	}
	per := map[string]*problemSamples{}
	for _, s := range samples {
		if !s.Graded {
			return nil, fmt.Errorf("eval: sample %s/%s#%d is not graded", s.Benchmark, s.ProblemID, s.SampleIndex)
		}
		ps := per[s.Benchmark]
		if ps == nil {
			ps = &problemSamples{byID: map[string][]Sample{}, bench: s.Benchmark}
			per[s.Benchmark] = ps
		}
		if _, ok := ps.byID[s.ProblemID]; !ok {
			ps.ids = append(ps.ids, s.ProblemID)
		}
		ps.byID[s.ProblemID] = append(ps.byID[s.ProblemID], s)
	}
	var names []string
	seen := map[string]bool{}
	for _, n := range order {
		if per[n] != nil && !seen[n] {
			names, seen[n] = append(names, n), true
		}
	}
	var extra []string
	for n := range per {
		if !seen[n] {
			extra = append(extra, n)
		}
	}
	sort.Strings(extra)
	names = append(names, extra...)

	res := &Results{Benchmarks: map[string]*BenchResult{}, Order: names}
	fracs := make([][]float64, len(names))
	for bi, name := range names {
		ps := per[name]
		br := &BenchResult{Title: name, Status: map[string]int{}, K: -1}
		if t := titles[name]; t != "" {
			br.Title = t
		}
		scores := make([]problemScore, 0, len(ps.ids))
		var chars, toks []float64
		allToks := true
		majSum := 0
		for _, id := range ps.ids {
			ss := ps.byID[id]
			sort.SliceStable(ss, func(i, j int) bool { return ss[i].SampleIndex < ss[j].SampleIndex })
			for i := 1; i < len(ss); i++ {
				if ss[i].SampleIndex == ss[i-1].SampleIndex {
					return nil, fmt.Errorf("eval: benchmark %s problem %s: sample_index %d appears twice (responses of several models in one file? group by model)", name, id, ss[i].SampleIndex)
				}
			}
			sc := scoreProblem(ss)
			scores = append(scores, sc)
			fracs[bi] = append(fracs[bi], sc.frac)
			if sc.majOK {
				majSum++
			}
			if br.K < 0 || sc.n < br.K {
				br.K = sc.n
			}
			br.MaxK = max(br.MaxK, sc.n)
			for _, s := range ss {
				br.NSamples++
				br.Status[s.Status]++
				if s.VoteKey == "" {
					br.NoAnswer++
				}
				if s.Correct && s.GradedBy == "judge" {
					br.ByJudge++
				}
				if s.FinishReason == "length" {
					br.Truncated++
				}
				chars = append(chars, float64(len(s.Response)))
				toks = append(toks, float64(s.CompletionTokens))
				allToks = allToks && s.CompletionTokens > 0
			}
		}
		br.NProblems = len(scores)
		for _, sc := range scores {
			br.AvgAtK += sc.frac
		}
		br.AvgAtK /= float64(br.NProblems)
		br.MajAtK = float64(majSum) / float64(br.NProblems)
		br.PassAtK = passAtKTable(scores, br.K)
		br.Chars = lengthStats(chars)
		if allToks {
			t := lengthStats(toks)
			br.Tokens = &t
		}
		res.Benchmarks[name] = br
		res.Average += br.AvgAtK / float64(len(names))
		res.AverageMaj += br.MajAtK / float64(len(names))
	}
	each, avg := bootstrap(fracs, opt.Bootstrap, opt.Seed)
	for bi, name := range names {
		res.Benchmarks[name].CI95 = each[bi]
	}
	res.AverageCI95 = avg
	return res, nil
}
